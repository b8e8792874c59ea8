import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  CreateLogGroupCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { TAG_STACK } from '../reconciler/aws/tags.ts';
import { expandLogGroups } from '../reconciler/graph/expand-log-groups.ts';
import { type LogGroupProperties, logGroupHandler } from '../reconciler/resources/log-group.ts';
import type { DesiredResource, Logger, ResourceContext } from '../reconciler/resources/types.ts';
import { withDefaults } from '../reconciler/spec/defaults.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const region = 'us-west-2';
const silent: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => silent,
};

function stackWithLogGroups(name: string, groups: string[]): Stack {
  return {
    name,
    region,
    tags: { team: 'logs' },
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a'],
      publicSubnets: ['10.0.0.0/24'],
      privateSubnets: ['10.0.1.0/24'],
    },
    logGroups: groups.map((group) => ({ name: group, retentionDays: 14 })),
  } as Stack;
}

function desiredGroups(stack: Stack): DesiredResource<LogGroupProperties>[] {
  return expandLogGroups(withDefaults(stack)) as DesiredResource<LogGroupProperties>[];
}

let moto: MotoServer;
let clients: AwsClients;
before(async () => {
  // no IAM here: skipping the managed policy load makes each reset take milliseconds
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

function context(stacks: string[]): ResourceContext {
  return { clients, region, stacks, log: silent };
}

test('a log group goes through create, drift, update and delete', async () => {
  const ctx = context(['alpha']);
  const [group] = desiredGroups(stackWithLogGroups('alpha', ['/alpha/api']));
  assert.ok(group);

  const created = await logGroupHandler.create(ctx, group);
  assert.deepEqual(created.attributes, {
    id: '/alpha/api',
    name: '/alpha/api',
    arn: `arn:aws:logs:${region}:123456789012:log-group:/alpha/api`,
  });

  let observed = await logGroupHandler.observeAll(ctx);
  assert.deepEqual(
    observed.map((resource) => [resource.address, resource.id]),
    [['log-group.alpha/api', '/alpha/api']],
  );
  const [live] = observed;
  assert.ok(live);
  assert.deepEqual(live.properties, group.properties);
  assert.deepEqual(
    logGroupHandler.diff(group.properties, live.properties, group.tags, live.tags),
    [],
  );

  await clients.logs.send(
    new PutRetentionPolicyCommand({ logGroupName: '/alpha/api', retentionInDays: 90 }),
  );
  await clients.logs.send(
    new UntagResourceCommand({ resourceArn: live.attributes.arn!, tagKeys: ['team'] }),
  );
  observed = await logGroupHandler.observeAll(ctx);
  const drifted = observed[0]!;
  const changes = logGroupHandler.diff(
    group.properties,
    drifted.properties,
    group.tags,
    drifted.tags,
  );
  assert.deepEqual(
    changes.map((change) => [change.path, change.before, change.after, change.forcesReplacement]),
    [
      ['retentionDays', 90, 14, false],
      ['tags.team', undefined, 'logs', false],
    ],
  );

  const updated = await logGroupHandler.update(ctx, group, drifted, changes);
  assert.deepEqual(updated.properties, group.properties);
  const [corrected] = await logGroupHandler.observeAll(ctx);
  assert.ok(corrected);
  assert.deepEqual(
    logGroupHandler.diff(group.properties, corrected.properties, group.tags, corrected.tags),
    [],
  );

  await logGroupHandler.delete(ctx, corrected, { deletionPolicy: 'delete' });
  assert.deepEqual(await logGroupHandler.observeAll(ctx), []);
  await logGroupHandler.delete(ctx, corrected, { deletionPolicy: 'delete' });
});

test('untagged log groups and those of other stacks are never observed', async () => {
  const ctx = context(['alpha']);
  for (const group of desiredGroups(stackWithLogGroups('alpha', ['/alpha/api']))) {
    await logGroupHandler.create(ctx, group);
  }
  for (const group of desiredGroups(stackWithLogGroups('beta', ['/beta/api']))) {
    await logGroupHandler.create(context(['beta']), group);
  }
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: '/untagged' }));
  await clients.logs.send(
    new CreateLogGroupCommand({ logGroupName: '/foreign', tags: { [TAG_STACK]: 'alpha' } }),
  );

  const observed = await logGroupHandler.observeAll(ctx);
  assert.deepEqual(
    observed.map((resource) => [resource.stack, resource.address]),
    [['alpha', 'log-group.alpha/api']],
  );
});

test('retain removes only the reconciler tags and keeps the log group', async () => {
  const ctx = context(['alpha']);
  const [group] = desiredGroups(stackWithLogGroups('alpha', ['/alpha/api']));
  const created = await logGroupHandler.create(ctx, group!);
  await logGroupHandler.delete(ctx, created, { deletionPolicy: 'retain' });

  assert.deepEqual(await logGroupHandler.observeAll(ctx), []);
  const tags = await clients.logs.send(
    new ListTagsForResourceCommand({ resourceArn: created.attributes.arn! }),
  );
  assert.deepEqual(tags.tags, { team: 'logs', environment: 'dev' });
});

test('observe makes the same two calls for one stack and for three', async () => {
  const counts: number[] = [];
  for (const stacks of [['s1'], ['s1', 's2', 's3']]) {
    await moto.reset();
    for (const stack of stacks) {
      const groups = desiredGroups(stackWithLogGroups(stack, [`/${stack}/a`, `/${stack}/b`]));
      for (const group of groups) await logGroupHandler.create(context([stack]), group);
    }
    clients.stats.reset();
    const observed = await logGroupHandler.observeAll(context(stacks));
    assert.equal(observed.length, stacks.length * 2);
    assert.deepEqual(
      clients.stats.entries().map((entry) => [entry.operation, entry.count]),
      [
        ['DescribeLogGroups', 1],
        ['GetResources', 1],
      ],
    );
    counts.push(clients.stats.total());
  }
  assert.deepEqual(counts, [2, 2]);
});

test('more than 20 stacks still take one tagging call, and other stacks stay out', async () => {
  const stacks = Array.from({ length: 21 }, (_, index) => `s${index + 1}`);
  for (const stack of ['s1', 's21', 'outsider']) {
    for (const group of desiredGroups(stackWithLogGroups(stack, [`/${stack}/a`]))) {
      await logGroupHandler.create(context([stack]), group);
    }
  }
  clients.stats.reset();
  const observed = await logGroupHandler.observeAll(context(stacks));
  assert.deepEqual(observed.map((resource) => resource.stack).sort(), ['s1', 's21']);
  assert.equal(clients.stats.total(), 2);
});

test('a create that finds its own group (tagging index lagging) carries on; a foreign one fails', async () => {
  const ctx = context(['alpha']);
  const [group] = desiredGroups(stackWithLogGroups('alpha', ['/alpha/api']));
  await logGroupHandler.create(ctx, group!);
  await clients.logs.send(
    new PutRetentionPolicyCommand({ logGroupName: '/alpha/api', retentionInDays: 90 }),
  );
  const again = await logGroupHandler.create(ctx, group!);
  assert.deepEqual(again.properties, group!.properties);
  assert.equal((await logGroupHandler.observeAll(ctx)).length, 1);

  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: '/taken', tags: { a: 'b' } }));
  const [taken] = desiredGroups(stackWithLogGroups('alpha', ['/taken']));
  await assert.rejects(logGroupHandler.create(ctx, taken!), {
    message:
      'cannot create log-group.taken: /taken already exists and is not owned by log-group.taken of stack alpha: adopt it with `reconciler adopt --stack alpha log-group.taken /taken`',
  });
});
