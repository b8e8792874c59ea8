import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  CreateRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
  UntagRoleCommand,
} from '@aws-sdk/client-iam';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { TAG_ADDRESS, TAG_STACK, tagMapToList } from '../reconciler/aws/tags.ts';
import { resolveRefs } from '../reconciler/engine/refs.ts';
import { EXECUTION_POLICY_ARN, expandIamRoles } from '../reconciler/graph/expand-iam.ts';
import { type IamRoleProperties, iamRoleHandler } from '../reconciler/resources/iam-role.ts';
import type { DesiredResource, Logger, ResourceContext } from '../reconciler/resources/types.ts';
import { withDefaults } from '../reconciler/spec/defaults.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const region = 'us-west-2';
const databaseSecretArn = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!db-1-AbCdEf';
const silent: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => silent,
};

function stackWithServices(name: string): Stack {
  return {
    name,
    region,
    tags: { team: 'platform' },
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a'],
      publicSubnets: ['10.0.0.0/24'],
      privateSubnets: ['10.0.1.0/24'],
    },
    services: [
      {
        name: 'api',
        image: 'public.ecr.aws/app/api:1',
        port: 3000,
        logGroup: `/${name}/api`,
        secrets: {
          DB_PASSWORD: { fromDatabase: 'password' },
          TOKEN: { ssmParameter: '/app/token' },
        },
      },
    ],
    database: { engineVersion: '16.4', instanceClass: 'db.t4g.micro' },
  } as Stack;
}

/** roles expands a stack's roles with the database secret Ref resolved, as the engine does before create. */
function roles(stack: string): DesiredResource<IamRoleProperties>[] {
  return (
    expandIamRoles(withDefaults(stackWithServices(stack))) as DesiredResource<IamRoleProperties>[]
  ).map((role) => ({ ...role, properties: resolveRefs(role.properties, () => databaseSecretArn) }));
}

let moto: MotoServer;
let clients: AwsClients;
before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  clients?.destroy();
  clients = createClients({ region });
});

function context(stacks: string[]): ResourceContext {
  return { clients, region, stacks, log: silent };
}

test('an iam role goes through create, drift, update and delete', async () => {
  const ctx = context(['alpha']);
  const [execution] = roles('alpha');
  assert.ok(execution);
  assert.equal(execution.address, 'iam-role.execution');

  const created = await iamRoleHandler.create(ctx, execution);
  assert.deepEqual(created.attributes, {
    id: 'alpha-execution',
    name: 'alpha-execution',
    arn: 'arn:aws:iam::123456789012:role/reconciler/alpha/alpha-execution',
  });

  let observed = await iamRoleHandler.observeAll(ctx);
  assert.deepEqual(
    observed.map((role) => [role.address, role.id]),
    [['iam-role.execution', 'alpha-execution']],
  );
  const live = observed[0]!;
  assert.deepEqual(live.properties, execution.properties);
  assert.deepEqual(
    iamRoleHandler.diff(execution.properties, live.properties, execution.tags, live.tags),
    [],
  );

  await clients.iam.send(
    new DetachRolePolicyCommand({ RoleName: 'alpha-execution', PolicyArn: EXECUTION_POLICY_ARN }),
  );
  await clients.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'alpha-execution',
      PolicyName: 'extra',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      }),
    }),
  );
  await clients.iam.send(new UntagRoleCommand({ RoleName: 'alpha-execution', TagKeys: ['team'] }));
  observed = await iamRoleHandler.observeAll(ctx);
  const drifted = observed[0]!;
  const changes = iamRoleHandler.diff(
    execution.properties,
    drifted.properties,
    execution.tags,
    drifted.tags,
  );
  assert.deepEqual(
    changes.map((change) => [change.path, change.forcesReplacement]),
    [
      ['inlinePolicies.extra', false],
      ['managedPolicyArns[0]', false],
      ['tags.team', false],
    ],
  );

  const updated = await iamRoleHandler.update(ctx, execution, drifted, changes);
  assert.deepEqual(updated.properties, execution.properties);
  const [corrected] = await iamRoleHandler.observeAll(ctx);
  assert.ok(corrected);
  assert.deepEqual(
    iamRoleHandler.diff(execution.properties, corrected.properties, execution.tags, corrected.tags),
    [],
  );

  await iamRoleHandler.delete(ctx, corrected, { deletionPolicy: 'delete' });
  assert.deepEqual(await iamRoleHandler.observeAll(ctx), []);
  await iamRoleHandler.delete(ctx, corrected, { deletionPolicy: 'delete' });
});

test('a create whose role exists: ours (its response lost) is completed, a hand-made one refused', async () => {
  const ctx = context(['alpha']);
  const [execution, task] = roles('alpha');
  assert.ok(execution && task);
  // the first try made the role and its response was lost: no policy is attached yet
  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: execution.properties.roleName,
      Path: execution.properties.path,
      AssumeRolePolicyDocument: JSON.stringify(execution.properties.assumeRolePolicy),
      Tags: tagMapToList(execution.tags),
    }),
  );
  const claimed = await iamRoleHandler.create(ctx, execution);
  assert.deepEqual([claimed.id, claimed.properties], ['alpha-execution', execution.properties]);
  const observed = await iamRoleHandler.observeAll(ctx);
  assert.deepEqual(
    observed.map((role) => [role.address, role.id]),
    [['iam-role.execution', 'alpha-execution']],
  );
  assert.deepEqual(
    iamRoleHandler.diff(
      execution.properties,
      observed[0]!.properties,
      execution.tags,
      observed[0]!.tags,
    ),
    [],
  );

  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: task.properties.roleName,
      Path: task.properties.path,
      AssumeRolePolicyDocument: JSON.stringify(task.properties.assumeRolePolicy),
    }),
  );
  const name = task.properties.roleName;
  await assert.rejects(iamRoleHandler.create(ctx, task), {
    message: `cannot create ${task.address}: ${name} already exists and is not owned by ${task.address} of stack alpha: adopt it with \`reconciler adopt --stack alpha ${task.address} ${name}\``,
  });
});

test('a changed trust policy, description and session duration are updated in place', async () => {
  const ctx = context(['alpha']);
  const task = roles('alpha')[1]!;
  assert.equal(task.address, 'iam-role.task-api');
  const created = await iamRoleHandler.create(ctx, task);
  const wanted: DesiredResource<IamRoleProperties> = {
    ...task,
    properties: {
      ...task.properties,
      assumeRolePolicy: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Effect: 'Allow',
          },
          {
            Action: 'sts:AssumeRole',
            Principal: { Service: 'ec2.amazonaws.com' },
            Effect: 'Allow',
          },
        ],
        Version: '2012-10-17',
      },
      description: 'changed',
      maxSessionDuration: 7200,
    },
  };
  const changes = iamRoleHandler.diff(
    wanted.properties,
    created.properties,
    task.tags,
    created.tags,
  );
  assert.deepEqual(
    changes.map((change) => change.path),
    ['assumeRolePolicy.Statement[1]', 'description', 'maxSessionDuration'],
  );
  await iamRoleHandler.update(ctx, wanted, created, changes);
  const [observed] = await iamRoleHandler.observeAll(ctx);
  assert.deepEqual(observed?.properties, wanted.properties);
  const role = await clients.iam.send(new GetRoleCommand({ RoleName: 'alpha-task-api' }));
  assert.equal(role.Role?.MaxSessionDuration, 7200);
});

test('untagged roles and roles of other stacks are never observed; retain only untags', async () => {
  for (const role of roles('alpha')) await iamRoleHandler.create(context(['alpha']), role);
  for (const role of roles('beta')) await iamRoleHandler.create(context(['beta']), role);
  const trust = JSON.stringify(roles('alpha')[0]!.properties.assumeRolePolicy);
  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: 'untagged',
      Path: '/reconciler/alpha/',
      AssumeRolePolicyDocument: trust,
    }),
  );
  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: 'half-tagged',
      AssumeRolePolicyDocument: trust,
      Tags: [{ Key: TAG_ADDRESS, Value: 'iam-role.execution' }],
    }),
  );

  const observed = await iamRoleHandler.observeAll(context(['alpha']));
  assert.deepEqual(observed.map((role) => [role.stack, role.address]).sort(), [
    ['alpha', 'iam-role.execution'],
    ['alpha', 'iam-role.task-api'],
  ]);

  const execution = observed.find((role) => role.address === 'iam-role.execution')!;
  await iamRoleHandler.delete(context(['alpha']), execution, { deletionPolicy: 'retain' });
  const kept = await clients.iam.send(new GetRoleCommand({ RoleName: 'alpha-execution' }));
  assert.deepEqual((kept.Role?.Tags ?? []).map((tag) => tag.Key).sort(), ['environment', 'team']);
  const attached = await clients.iam.send(
    new ListAttachedRolePoliciesCommand({ RoleName: 'alpha-execution' }),
  );
  assert.deepEqual(
    attached.AttachedPolicies?.map((policy) => policy.PolicyArn),
    [EXECUTION_POLICY_ARN],
  );
  assert.deepEqual(
    (await iamRoleHandler.observeAll(context(['alpha']))).map((role) => role.address),
    ['iam-role.task-api'],
  );
  assert.equal(
    (await iamRoleHandler.observeAll(context(['beta']))).every(
      (role) => role.tags[TAG_STACK] === 'beta',
    ),
    true,
  );
});

test('observe makes the same two calls for one stack and for three', async () => {
  const counts: number[] = [];
  // s1 stays while s2..s4 are added: observing three stacks among four still costs two calls
  for (const stacks of [['s1'], ['s2', 's3', 's4']]) {
    for (const stack of stacks) {
      for (const role of roles(stack)) await iamRoleHandler.create(context([stack]), role);
    }
    clients.stats.reset();
    const observed = await iamRoleHandler.observeAll(context(stacks));
    assert.deepEqual([...new Set(observed.map((role) => role.stack))].sort(), stacks);
    assert.equal(observed.length, stacks.length * 2);
    assert.deepEqual(
      clients.stats.entries().map((entry) => [entry.operation, entry.count]),
      [
        ['GetAccountAuthorizationDetails', 1],
        ['ListRoles', 1],
      ],
    );
    counts.push(clients.stats.total());
  }
  assert.deepEqual(counts, [2, 2]);
});
