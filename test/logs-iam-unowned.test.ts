/**
 * Log groups and IAM roles have unique names: one that lost our ownership tags out of band is
 * found by its name (`findUnowned`), never by observe, and `adopt` makes it ours again. The
 * look-up reads the same listing as observe, so within one pass it costs no further list call.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { UntagResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import { UntagRoleCommand } from '@aws-sdk/client-iam';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { isManagementTag } from '../reconciler/aws/tags.ts';
import { desired } from '../reconciler/graph/common.ts';
import { type IamRoleProperties, iamRoleHandler } from '../reconciler/resources/iam-role.ts';
import { createMemo } from '../reconciler/resources/kit/memo.ts';
import { type LogGroupProperties, logGroupHandler } from '../reconciler/resources/log-group.ts';
import type {
  DesiredResource,
  Logger,
  ResourceContext,
  ResourceHandler,
} from '../reconciler/resources/types.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const region = 'us-west-2';
const silent: Logger = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent };
const stack = {
  name: 'alpha',
  region,
  environment: 'dev',
  deletionPolicy: 'delete',
  tags: { team: 'logs' },
} as unknown as Parameters<typeof desired>[0];

const trust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
};

function logGroup(name: string): DesiredResource<LogGroupProperties> {
  return desired(stack, `log-group.${name.slice(1)}`, { name, retentionDays: 14 });
}

function role(name: string): DesiredResource<IamRoleProperties> {
  const properties: IamRoleProperties = {
    roleName: `alpha-${name}`,
    path: '/reconciler/alpha/',
    assumeRolePolicy: trust,
    managedPolicyArns: [],
    inlinePolicies: {},
  };
  return desired(stack, `iam-role.${name}`, properties);
}

let moto: MotoServer;
let clients: AwsClients;
before(async () => {
  moto = await startMoto({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'false' } });
});
after(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  clients?.destroy();
  clients = createClients({ region });
});

function context(): ResourceContext {
  return { clients, region, stacks: ['alpha'], log: silent };
}

const kinds = [
  {
    kind: 'log-group',
    handler: logGroupHandler as unknown as ResourceHandler,
    make: (name: string) => logGroup(`/alpha/${name}`) as unknown as DesiredResource,
    id: (name: string) => `/alpha/${name}`,
    untag: async (created: {
      attributes: Record<string, string>;
      tags: Record<string, string>;
    }) => {
      await clients.logs.send(
        new UntagResourceCommand({
          resourceArn: created.attributes.arn!,
          tagKeys: Object.keys(created.tags).filter(isManagementTag),
        }),
      );
    },
  },
  {
    kind: 'iam-role',
    handler: iamRoleHandler as unknown as ResourceHandler,
    make: (name: string) => role(name) as unknown as DesiredResource,
    id: (name: string) => `alpha-${name}`,
    untag: async (created: { id: string; tags: Record<string, string> }) => {
      await clients.iam.send(
        new UntagRoleCommand({
          RoleName: created.id,
          TagKeys: Object.keys(created.tags).filter(isManagementTag),
        }),
      );
    },
  },
];

for (const { kind, handler, make, id, untag } of kinds) {
  test(`${kind}: a resource that lost our tags is found by name, adopted, then observed`, async () => {
    const ctx = context();
    const [owned, stripped, missing] = [make('owned'), make('stripped'), make('missing')];
    await handler.create(ctx, owned);
    await untag(await handler.create(ctx, stripped));

    assert.deepEqual(
      (await handler.observeAll(ctx)).map((resource) => resource.address),
      [owned.address],
      'observe sees only the owned one',
    );
    const found = (await handler.findUnowned?.(ctx, [owned, stripped, missing])) ?? [];
    assert.deepEqual(
      found.map((resource) => [resource.stack, resource.address, resource.id]),
      [['alpha', stripped.address, id('stripped')]],
      'only the one without our tags is not owned; a missing name finds nothing',
    );

    await handler.adopt?.(ctx, found[0]!, stripped);
    const observed = await handler.observeAll(ctx);
    assert.deepEqual(observed.map((resource) => resource.address).sort(), [
      owned.address,
      stripped.address,
    ]);
    const adopted = observed.find((resource) => resource.address === stripped.address)!;
    assert.deepEqual(
      handler.diff(stripped.properties, adopted.properties, stripped.tags, adopted.tags),
      [],
      'adoption writes every desired tag',
    );
    assert.deepEqual(await handler.findUnowned?.(ctx, [stripped]), []);
  });
}

test('within one pass the name look-up reuses the listing observe read', async () => {
  for (const { handler, make, untag } of kinds) {
    await handler.create(context(), make('owned'));
    await untag(await handler.create(context(), make('stripped')));
  }
  const ctx: ResourceContext = { ...context(), memo: createMemo() };
  const counts = () =>
    new Map(
      clients.stats.entries().map((entry) => [`${entry.service} ${entry.operation}`, entry.count]),
    );
  clients.stats.reset();
  for (const { handler } of kinds) await handler.observeAll(ctx);
  const observing = counts();
  for (const { handler, make } of kinds) {
    assert.equal((await handler.findUnowned?.(ctx, [make('stripped')]))?.length, 1);
  }
  const added = [...counts()].filter(([call, count]) => count !== observing.get(call));
  assert.deepEqual(
    added,
    [['cloudwatchlogs ListTagsForResource', 1]],
    'only the found log group tags are read; no list call is repeated',
  );
});
