import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IamRoleProperties } from '../resources/iam-role.ts';
import { withDefaults } from '../spec/defaults.ts';
import type { Stack } from '../spec/types.generated.ts';
import {
  ECS_TASKS_TRUST,
  EXECUTION_POLICY_ARN,
  expandIamRoles,
  ssmParameterArn,
  taskRoleName,
} from './expand-iam.ts';

const network: Stack['network'] = {
  cidr: '10.0.0.0/16',
  availabilityZones: ['us-west-2a'],
  publicSubnets: ['10.0.0.0/24'],
  privateSubnets: ['10.0.1.0/24'],
};
const secretA = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:a-AbCdEf';
const secretB = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:b-AbCdEf';

function service(name: string, secrets?: Record<string, unknown>): Record<string, unknown> {
  return { name, image: 'app:1', port: 3000, logGroup: '/app', ...(secrets ? { secrets } : {}) };
}

test('expandIamRoles', () => {
  const cases: Array<{
    reason: string;
    services?: Array<Record<string, unknown>>;
    database?: boolean;
    addresses: string[];
    readSecrets: unknown;
  }> = [
    { reason: 'no services, no roles', services: [], addresses: [], readSecrets: undefined },
    {
      reason: 'services without secrets: execution role without inline policy, one task role each',
      services: [service('api'), service('worker')],
      addresses: ['iam-role.execution', 'iam-role.task-api', 'iam-role.task-worker'],
      readSecrets: undefined,
    },
    {
      reason:
        'exactly the referenced secrets (deduplicated, sorted), the database secret as a Ref, SSM parameters with a * account',
      database: true,
      services: [
        service('api', {
          DB_PASSWORD: { fromDatabase: 'password' },
          B: { secretsManagerArn: secretB, jsonKey: 'token' },
          TOKEN: { ssmParameter: '/app/token' },
        }),
        service('worker', {
          A: { secretsManagerArn: secretA },
          B: { secretsManagerArn: secretB },
          P: { ssmParameter: 'arn:aws:ssm:us-west-2:123456789012:parameter/x' },
        }),
      ],
      addresses: ['iam-role.execution', 'iam-role.task-api', 'iam-role.task-worker'],
      readSecrets: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadSecrets',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: [secretA, secretB, { $ref: 'db-instance.main', attr: 'masterUserSecretArn' }],
          },
          {
            Sid: 'ReadParameters',
            Effect: 'Allow',
            Action: 'ssm:GetParameters',
            Resource: [
              'arn:aws:ssm:us-west-2:*:parameter/app/token',
              'arn:aws:ssm:us-west-2:123456789012:parameter/x',
            ],
          },
        ],
      },
    },
    {
      reason: 'only a database secret: one statement with the Ref',
      database: true,
      services: [service('api', { DB_USER: { fromDatabase: 'username' } })],
      addresses: ['iam-role.execution', 'iam-role.task-api'],
      readSecrets: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadSecrets',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: [{ $ref: 'db-instance.main', attr: 'masterUserSecretArn' }],
          },
        ],
      },
    },
  ];
  for (const { reason, services, database, addresses, readSecrets } of cases) {
    const stack = {
      name: 'app',
      region: 'us-west-2',
      network,
      services,
      ...(database ? { database: { engineVersion: '16', instanceClass: 'db.t4g.micro' } } : {}),
    } as Stack;
    const resources = expandIamRoles(withDefaults(stack));
    assert.deepStrictEqual(
      resources.map((resource) => resource.address),
      addresses,
      reason,
    );
    const execution = resources[0]?.properties as IamRoleProperties | undefined;
    assert.deepStrictEqual(execution?.inlinePolicies['read-secrets'], readSecrets, reason);
    if (execution) {
      assert.deepStrictEqual(
        {
          roleName: execution.roleName,
          path: execution.path,
          trust: execution.assumeRolePolicy,
          managed: execution.managedPolicyArns,
        },
        {
          roleName: 'app-execution',
          path: '/reconciler/app/',
          trust: ECS_TASKS_TRUST,
          managed: [EXECUTION_POLICY_ARN],
        },
        reason,
      );
      const task = resources[1]?.properties as IamRoleProperties;
      assert.deepStrictEqual(
        [task.roleName, task.managedPolicyArns, task.inlinePolicies],
        ['app-task-api', [], {}],
        reason,
      );
    }
  }
});

test('role names and parameter ARNs', () => {
  const cases: Array<{ reason: string; actual: string; expected: string }> = [
    {
      reason: 'a short task role name is kept',
      actual: taskRoleName('app', 'api'),
      expected: 'app-task-api',
    },
    {
      reason: 'a task role name over 64 characters is cut and hashed',
      actual: String(taskRoleName('a'.repeat(40), 'b'.repeat(30)).length),
      expected: '64',
    },
    {
      reason: 'a GovCloud region uses its partition',
      actual: ssmParameterArn('/p', 'us-gov-west-1'),
      expected: 'arn:aws-us-gov:ssm:us-gov-west-1:*:parameter/p',
    },
    {
      reason: 'a China region uses its partition',
      actual: ssmParameterArn('/p', 'cn-north-1'),
      expected: 'arn:aws-cn:ssm:cn-north-1:*:parameter/p',
    },
  ];
  for (const { reason, actual, expected } of cases)
    assert.deepStrictEqual(actual, expected, reason);
});

test('expandIamRoles: IAM database auth grants rds-db:connect on the one service user, no master secret', () => {
  const roles = expandIamRoles(
    withDefaults({
      name: 'shop',
      environment: 'dev',
      region: 'us-west-2',
      network,
      services: [service('api', { DB_PASSWORD: { fromDatabase: 'password' } })],
      database: { engineVersion: '16', instanceClass: 'db.t4g.micro', iamAuthentication: true },
    } as unknown as Stack),
  );
  const task = roles.find((role) => role.address === 'iam-role.task-api');
  assert.deepStrictEqual((task?.properties as IamRoleProperties | undefined)?.inlinePolicies, {
    'connect-database': {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ConnectAsServiceUser',
          Effect: 'Allow',
          Action: 'rds-db:connect',
          Resource: { $ref: 'db-instance.main', attr: 'dbUserArnBase', suffix: '/logs_service' },
        },
        {
          Sid: 'ReadMasterSecretAtSetup',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { $ref: 'db-instance.main', attr: 'masterUserSecretArn' },
        },
      ],
    },
  });
  const execution = roles.find((role) => role.address === 'iam-role.execution');
  assert.deepStrictEqual(
    (execution?.properties as IamRoleProperties | undefined)?.inlinePolicies,
    {},
  );
});
