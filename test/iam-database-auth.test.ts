/**
 * The reference stack with IAM database authentication (on in specs/scalable-logging.yaml) on
 * the local cloud: each task role may rds-db:connect as the services' user of this one instance
 * only and read this instance's master secret only, the task definition carries DB_AUTH=iam,
 * that user and the secret's ARN (a plain value) and no password secret, and a plan after the
 * apply is empty.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { createClients } from '../reconciler/aws/clients.ts';
import { reconcile } from '../reconciler/engine/reconcile.ts';
import { taskRoleName } from '../reconciler/graph/expand-iam.ts';
import { loadStacks } from '../reconciler/spec/load-stacks.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const SPEC = fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url));

let moto: MotoServer;
before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});

test('IAM database auth on the reference stack: one user ARN, no password secret, empty replan', {
  timeout: 900_000,
}, async () => {
  const loaded = await loadStacks([SPEC]);
  assert.deepStrictEqual(loaded.errors, []);
  const stack = loaded.stacks[0]?.spec as Stack;
  assert.equal(stack.database?.iamAuthentication, true, 'the reference stack uses IAM auth');
  for (let pass = 0; pass < 6; pass++) {
    const result = await reconcile({ stacks: [stack], mode: 'apply' });
    assert.deepStrictEqual(result.failures, [], 'apply failed');
    if (result.pending.length === 0) break;
  }
  const replan = await reconcile({ stacks: [stack], mode: 'plan' });
  assert.deepStrictEqual(
    replan.plan.stacks.flatMap((s) =>
      s.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address} ${c.action}`),
    ),
    [],
    'the replan is empty',
  );

  const clients = createClients({ region: stack.region });
  try {
    const db = await clients.rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: `${stack.name}-db` }),
    );
    const resourceId = db.DBInstances?.[0]?.DbiResourceId;
    assert.match(resourceId ?? '', /^db-/);
    const masterSecretArn = db.DBInstances?.[0]?.MasterUserSecret?.SecretArn;
    assert.match(masterSecretArn ?? '', /^arn:aws:secretsmanager:/);
    const policy = await clients.iam.send(
      new GetRolePolicyCommand({
        RoleName: taskRoleName(stack.name, 'api'),
        PolicyName: 'connect-database',
      }),
    );
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument ?? '{}'));
    assert.deepStrictEqual(document.Statement, [
      {
        Sid: 'ConnectAsServiceUser',
        Effect: 'Allow',
        Action: 'rds-db:connect',
        Resource: `arn:aws:rds-db:${stack.region}:123456789012:dbuser:${resourceId}/logs_service`,
      },
      {
        Sid: 'ReadMasterSecretAtSetup',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: masterSecretArn,
      },
    ]);
    const families = await clients.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: `${stack.name}-api`, sort: 'DESC' }),
    );
    const latest = families.taskDefinitionArns?.[0];
    assert.ok(latest, 'the api task definition exists');
    const described = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: latest }),
    );
    const container = described.taskDefinition?.containerDefinitions?.[0];
    assert.deepStrictEqual(container?.secrets ?? [], [], 'no password secret');
    const environment = Object.fromEntries(
      (container?.environment ?? []).map((variable) => [variable.name, variable.value]),
    );
    assert.equal(environment.DB_AUTH, 'iam');
    assert.equal(environment.DB_USER, 'logs_service');
    assert.equal(environment.DB_MASTER_SECRET_ARN, masterSecretArn, 'an ARN, not the secret');
    assert.equal(environment.DB_PASSWORD, undefined);
  } finally {
    clients.destroy();
  }
});
