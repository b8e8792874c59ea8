import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProgressEvent } from '../reconciler/engine/progress.ts';
import {
  prepareReconcile,
  type ReconcileOptions,
  reconcile,
} from '../reconciler/engine/reconcile.ts';
import { hasChangesIn } from '../reconciler/plan/summary.ts';
import { type Action, UNKNOWN } from '../reconciler/plan/types.ts';
import { diffEngineVersion } from '../reconciler/resources/db-instance.ts';
import { HANDLERS } from '../reconciler/resources/registry.ts';
import { type DesiredResource, type FieldRule, ref } from '../reconciler/resources/types.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import {
  desiredOf,
  FakeCloud,
  fakeClients,
  fakeHandler,
  ownedTags,
  testStack,
} from './fakes/fake-cloud.ts';

const FIELD_RULES: Record<string, Record<string, FieldRule>> = {
  vpc: { cidrBlock: 'replace' },
  subnet: { vpcId: 'replace', cidrBlock: 'replace' },
  'nat-gateway': { subnetId: 'replace' },
  'route-table': { vpcId: 'replace' },
  'security-group': { vpcId: 'replace' },
  'log-group': {},
  'target-group': { vpcId: 'replace', port: 'replace' },
  listener: {},
  'task-definition': {},
  'ecs-service': { pinnedTaskDefinition: 'replace' },
  'db-instance': { engine: 'replace' },
};

/** World is a fake cloud, its handlers in registry order, and mutable specs per stack. */
class World {
  readonly cloud = new FakeCloud();
  readonly handlers = HANDLERS.filter((handler) => FIELD_RULES[handler.kind]).map((handler) =>
    fakeHandler(
      this.cloud,
      handler.kind,
      FIELD_RULES[handler.kind],
      handler.kind === 'db-instance' ? ['masterPassword'] : [],
    ),
  );
  readonly specs = new Map<string, DesiredResource[]>();
  stacks: Stack[] = [];

  constructor(stacks: Stack[] = [testStack('demo')]) {
    this.stacks = stacks;
  }

  run(mode: ReconcileOptions['mode'], extra: Partial<ReconcileOptions> = {}) {
    return reconcile({
      stacks: this.stacks,
      mode,
      handlers: this.handlers,
      expand: (stack) => this.specs.get(stack.name) ?? [],
      clientsFor: () => fakeClients,
      ...extra,
    });
  }
}

function network(stack = 'demo', vpcCidr = '10.0.0.0/16'): DesiredResource[] {
  return [
    desiredOf(stack, 'vpc.main', { cidrBlock: vpcCidr }),
    desiredOf(stack, 'subnet.public-a', {
      vpcId: ref('vpc.main'),
      cidrBlock: '10.0.0.0/24',
      mapPublicIpOnLaunch: true,
    }),
    desiredOf(stack, 'subnet.private-a', {
      vpcId: ref('vpc.main'),
      cidrBlock: '10.0.10.0/24',
      mapPublicIpOnLaunch: false,
    }),
    desiredOf(stack, 'nat-gateway.a', { subnetId: ref('subnet.public-a') }),
    desiredOf(stack, 'route-table.private-a', {
      vpcId: ref('vpc.main'),
      routes: [{ destination: '0.0.0.0/0', natGatewayId: ref('nat-gateway.a') }],
      subnetIds: [ref('subnet.private-a')],
    }),
    desiredOf(stack, 'log-group.api', { retentionDays: 30 }),
  ];
}

function actions(result: {
  plan: { stacks: { changes: { address: string; action: Action }[] }[] };
}) {
  return Object.fromEntries(
    result.plan.stacks.flatMap((stack) =>
      stack.changes
        .filter((change) => change.action !== 'no-op')
        .map((change) => [change.address, change.action]),
    ),
  );
}

/** position is the index of the first recorded call starting with `prefix`; it must exist. */
function position(calls: readonly string[], prefix: string): number {
  const index = calls.findIndex((call) => call.startsWith(prefix));
  assert.notEqual(index, -1, `expected a call '${prefix}' in ${JSON.stringify(calls)}`);
  return index;
}

function assertOrder(calls: readonly string[], ...prefixes: string[]): void {
  const positions = prefixes.map((prefix) => position(calls, prefix));
  assert.deepStrictEqual(
    [...positions].sort((a, b) => a - b),
    positions,
    `expected order ${prefixes.join(' < ')} in ${JSON.stringify(calls)}`,
  );
}

async function applied(world: World): Promise<void> {
  const result = await world.run('apply');
  assert.deepStrictEqual(result.failures, []);
}

describe('engine: create, no-op, update', () => {
  it('plans creates with unknown refs, then creates in dependency order', async () => {
    const world = new World();
    world.specs.set('demo', network());
    const planned = await world.run('plan');
    assert.deepStrictEqual(planned.plan.summary, {
      add: 6,
      change: 0,
      destroy: 0,
      replace: 0,
      noOp: 0,
    });
    const subnet = planned.plan.stacks[0]?.changes.find(
      (change) => change.address === 'subnet.private-a',
    );
    assert.deepStrictEqual(
      subnet?.fields.find((field) => field.path === 'vpcId'),
      {
        path: 'vpcId',
        before: undefined,
        after: UNKNOWN,
        forcesReplacement: false,
        sensitive: false,
      },
    );
    assert.deepStrictEqual(world.cloud.calls, [], 'plan changes nothing');

    const result = await world.run('apply');
    assert.deepStrictEqual(result.failures, []);
    assert.deepStrictEqual(
      result.applied.map((entry) => entry.action).sort(),
      Array(6).fill('create'),
    );
    const calls = world.cloud.calls;
    assertOrder(
      calls,
      'create vpc.main',
      'create subnet.public-a',
      'create nat-gateway.a',
      'create route-table.private-a',
    );
    assertOrder(calls, 'create subnet.private-a', 'create route-table.private-a');
    const [vpc] = world.cloud.byAddress('vpc.main');
    const [nat] = world.cloud.byAddress('nat-gateway.a');
    const [table] = world.cloud.byAddress('route-table.private-a');
    assert.deepStrictEqual(table?.properties.vpcId, vpc?.id, 'refs resolve to created ids');
    assert.deepStrictEqual(table?.properties.routes, [
      { destination: '0.0.0.0/0', natGatewayId: nat?.id },
    ]);
  });

  it('a second run is a no-op and touches nothing', async () => {
    const world = new World();
    world.specs.set('demo', network());
    await applied(world);
    const callsAfterFirst = world.cloud.calls.length;
    const again = await world.run('apply');
    assert.equal(hasChangesIn(again.plan), false);
    assert.deepStrictEqual(again.plan.summary.noOp, 6);
    assert.deepStrictEqual(again.applied, []);
    assert.equal(world.cloud.calls.length, callsAfterFirst);
  });

  it('an in-place change is an update of that resource only', async () => {
    const world = new World();
    world.specs.set('demo', network());
    await applied(world);
    world.specs.set(
      'demo',
      network().map((resource) =>
        resource.address === 'log-group.api'
          ? {
              ...resource,
              properties: { retentionDays: 90 },
              tags: { ...resource.tags, team: 'core' },
            }
          : resource,
      ),
    );
    const before = world.cloud.calls.length;
    const result = await world.run('apply');
    assert.deepStrictEqual(actions(result), { 'log-group.api': 'update' });
    const change = result.plan.stacks[0]?.changes.find(
      (entry) => entry.address === 'log-group.api',
    );
    assert.deepStrictEqual(
      change?.fields.map((field) => [field.path, field.before, field.after]),
      [
        ['retentionDays', 30, 90],
        ['tags.team', undefined, 'core'],
      ],
    );
    assert.deepStrictEqual(change?.reason, 'differs: retentionDays, tags.team');
    assert.deepStrictEqual(
      world.cloud.calls.slice(before).map((call) => call.split(' ').slice(0, 2).join(' ')),
      ['update log-group.api'],
    );
  });

  it('a new image plans the task definition update and the service update, and applies exactly those', async () => {
    const world = new World();
    const spec = (image: string, desiredCount = 2) => [
      desiredOf('demo', 'task-definition.api', { image }),
      desiredOf('demo', 'ecs-service.api', {
        taskDefinition: ref('task-definition.api', 'arn'),
        desiredCount,
      }),
    ];
    world.specs.set('demo', spec('api:1'));
    await applied(world);
    world.specs.set('demo', spec('api:2'));
    const prepared = await prepareReconcile({
      stacks: world.stacks,
      mode: 'apply',
      handlers: world.handlers,
      expand: (stack) => world.specs.get(stack.name) ?? [],
      clientsFor: () => fakeClients,
    });
    assert.deepStrictEqual(actions(prepared), {
      'task-definition.api': 'update',
      'ecs-service.api': 'update',
    });
    const beforeArn = world.cloud.byAddress('task-definition.api')[0]?.attributes.arn;
    const service = prepared.plan.stacks[0]?.changes.find(
      (change) => change.address === 'ecs-service.api',
    );
    assert.deepStrictEqual(
      [service?.reason, service?.fields],
      [
        'differs: taskDefinition',
        [
          {
            path: 'taskDefinition',
            before: beforeArn,
            after: UNKNOWN,
            forcesReplacement: false,
            sensitive: false,
          },
        ],
      ],
    );
    const result = await prepared.apply();
    prepared.close();
    assert.deepStrictEqual(result.failures, []);
    const [taskDefinition] = world.cloud.byAddress('task-definition.api');
    const [updated] = world.cloud.byAddress('ecs-service.api');
    assert.notEqual(taskDefinition?.attributes.arn, beforeArn, 'a new revision');
    assert.deepStrictEqual(updated?.properties.taskDefinition, taskDefinition?.attributes.arn);
    assert.deepStrictEqual(
      result.applied.map((entry) => [entry.address, entry.action]),
      [
        ['task-definition.api', 'update'],
        ['ecs-service.api', 'update'],
      ],
    );
    const again = await world.run('plan');
    assert.equal(hasChangesIn(again.plan), false, 'the next plan has no changes');

    world.specs.set('demo', spec('api:2', 5));
    const scaled = await world.run('apply');
    assert.deepStrictEqual(actions(scaled), { 'ecs-service.api': 'update' });
    assert.deepStrictEqual(
      scaled.applied.map((entry) => [entry.address, entry.action]),
      [['ecs-service.api', 'update']],
    );
    assert.deepStrictEqual(
      scaled.plan.stacks[0]?.changes
        .find((change) => change.address === 'ecs-service.api')
        ?.fields.map((field) => [field.path, field.before, field.after]),
      [['desiredCount', 2, 5]],
    );
  });

  it('a tags-only update of a task definition keeps Refs to its arn known', async () => {
    const world = new World();
    const spec = (team: string) => [
      desiredOf('demo', 'task-definition.api', { image: 'api:1' }, { tags: { team } }),
      desiredOf('demo', 'ecs-service.api', { taskDefinition: ref('task-definition.api', 'arn') }),
    ];
    world.specs.set('demo', spec('a'));
    await applied(world);
    world.specs.set('demo', spec('b'));
    const result = await world.run('apply');
    assert.deepStrictEqual(actions(result), { 'task-definition.api': 'update' });
    assert.deepStrictEqual(
      result.applied.map((entry) => entry.address),
      ['task-definition.api'],
    );
  });

  it('a dependent planned as no-op is still diffed again when an undeclared attribute changed', async () => {
    const world = new World();
    const handlers = world.handlers.map((handler) =>
      handler.kind === 'task-definition'
        ? { ...handler, attributesChangedByUpdate: undefined }
        : handler,
    );
    const spec = (image: string) => [
      desiredOf('demo', 'task-definition.api', { image }),
      desiredOf('demo', 'ecs-service.api', { taskDefinition: ref('task-definition.api', 'arn') }),
    ];
    world.specs.set('demo', spec('api:1'));
    await applied(world);
    world.specs.set('demo', spec('api:2'));
    const result = await world.run('apply', { handlers });
    assert.deepStrictEqual(actions(result), { 'task-definition.api': 'update' });
    const [taskDefinition] = world.cloud.byAddress('task-definition.api');
    const [service] = world.cloud.byAddress('ecs-service.api');
    assert.deepStrictEqual(service?.properties.taskDefinition, taskDefinition?.attributes.arn);
    assert.deepStrictEqual(
      result.applied.map((entry) => [entry.address, entry.action]),
      [
        ['task-definition.api', 'update'],
        ['ecs-service.api', 'update'],
      ],
    );
  });
});

describe('engine: replace and prune', () => {
  it('a replaced parent makes refs unknown and cascades to dependents with replace fields', async () => {
    const world = new World();
    world.specs.set('demo', network());
    await applied(world);
    world.specs.set('demo', network('demo', '10.1.0.0/16'));
    const planned = await world.run('plan');
    assert.deepStrictEqual(actions(planned), {
      'vpc.main': 'replace',
      'subnet.public-a': 'replace',
      'subnet.private-a': 'replace',
      'nat-gateway.a': 'replace',
      'route-table.private-a': 'replace',
    });
    const subnet = planned.plan.stacks[0]?.changes.find(
      (change) => change.address === 'subnet.private-a',
    );
    assert.deepStrictEqual(subnet?.reason, 'vpcId forces replacement');
    assert.deepStrictEqual(subnet?.fields[0]?.after, UNKNOWN);
    assert.deepStrictEqual(planned.plan.summary, {
      add: 5,
      change: 0,
      destroy: 5,
      replace: 5,
      noOp: 1,
    });

    const before = world.cloud.calls.length;
    const result = await world.run('apply');
    assert.deepStrictEqual(result.failures, []);
    const calls = world.cloud.calls.slice(before);
    assertOrder(
      calls,
      'delete route-table.private-a',
      'delete nat-gateway.a',
      'delete subnet.public-a',
      'delete vpc.main',
      'create vpc.main',
      'create subnet.public-a',
      'create nat-gateway.a',
      'create route-table.private-a',
    );
    assertOrder(
      calls,
      'delete route-table.private-a',
      'delete subnet.private-a',
      'delete vpc.main',
    );
    for (const address of ['vpc.main', 'subnet.public-a', 'route-table.private-a']) {
      assert.equal(world.cloud.byAddress(address).length, 1, `one ${address}`);
    }
    assert.equal(hasChangesIn((await world.run('plan')).plan), false);
  });

  it('prunes resources removed from the spec, dependents first, in reverse kind order', async () => {
    const world = new World();
    world.specs.set('demo', network());
    await applied(world);
    world.specs.set(
      'demo',
      network().filter(
        (resource) =>
          !['nat-gateway.a', 'route-table.private-a', 'subnet.public-a'].includes(resource.address),
      ),
    );
    const before = world.cloud.calls.length;
    const result = await world.run('apply');
    assert.deepStrictEqual(actions(result), {
      'route-table.private-a': 'delete',
      'nat-gateway.a': 'delete',
      'subnet.public-a': 'delete',
    });
    assert.deepStrictEqual(
      result.plan.stacks[0]?.changes
        .filter((change) => change.action === 'delete')
        .map((change) => change.reason),
      ['removed from spec', 'removed from spec', 'removed from spec'],
    );
    assertOrder(
      world.cloud.calls.slice(before),
      'delete route-table.private-a',
      'delete nat-gateway.a',
      'delete subnet.public-a',
    );
    assert.deepStrictEqual(world.cloud.byAddress('nat-gateway.a'), []);
  });

  it('a prune waits for the updates of later kinds that may still refer to it', async () => {
    const world = new World();
    const spec = (group: string) => [
      desiredOf('demo', `security-group.${group}`, { description: group }),
      desiredOf('demo', 'ecs-service.api', { securityGroups: [ref(`security-group.${group}`)] }),
    ];
    world.specs.set('demo', spec('old'));
    await applied(world);
    world.specs.set('demo', spec('new'));
    const before = world.cloud.calls.length;
    const result = await world.run('apply');
    assert.deepStrictEqual(actions(result), {
      'security-group.new': 'create',
      'ecs-service.api': 'update',
      'security-group.old': 'delete',
    });
    assertOrder(
      world.cloud.calls.slice(before),
      'create security-group.new',
      'update ecs-service.api',
      'delete security-group.old',
    );
  });

  it('a replace next to a prune of a later kind does not deadlock', async () => {
    const world = new World();
    const spec = (port: number, withListener: boolean) => [
      desiredOf('demo', 'target-group.api', { port }),
      ...(withListener
        ? [
            desiredOf('demo', 'listener.http-80', {
              targetGroupArn: ref('target-group.api', 'arn'),
            }),
          ]
        : []),
      desiredOf('demo', 'ecs-service.api', {
        targetGroupArn: ref('target-group.api', 'arn'),
        desiredCount: port === 80 ? 1 : 2,
      }),
    ];
    world.specs.set('demo', spec(80, true));
    await applied(world);
    world.specs.set('demo', spec(8080, false));
    const before = world.cloud.calls.length;
    const result = await world.run('apply');
    assert.deepStrictEqual(actions(result), {
      'target-group.api': 'replace',
      'ecs-service.api': 'update',
      'listener.http-80': 'delete',
    });
    assert.deepStrictEqual(result.failures, []);
    assertOrder(
      world.cloud.calls.slice(before),
      'delete listener.http-80',
      'delete target-group.api',
      'create target-group.api',
      'update ecs-service.api',
    );
  });
});

describe('engine: failures, duplicates, guards, policies', () => {
  it('a failure skips its dependents, not its siblings, and a rerun resumes', async () => {
    const world = new World();
    world.specs.set('demo', network());
    world.cloud.failOnce.add('create subnet.public-a');
    const events: ProgressEvent[] = [];
    const first = await world.run('apply', { onProgress: (event) => events.push(event) });
    assert.deepStrictEqual(
      first.failures.map((failure) => [failure.address, failure.action, failure.error]),
      [['subnet.public-a', 'create', 'InjectedFailure: create subnet.public-a']],
    );
    assert.deepStrictEqual(first.skipped.sort(), ['nat-gateway.a', 'route-table.private-a']);
    assert.deepStrictEqual(first.applied.map((entry) => entry.address).sort(), [
      'log-group.api',
      'subnet.private-a',
      'vpc.main',
    ]);
    assert.deepStrictEqual(
      events
        .filter((event) => event.type === 'skip')
        .map((event) => [event.address, event.message])
        .sort(),
      [
        ['nat-gateway.a', 'subnet.public-a failed'],
        ['route-table.private-a', 'nat-gateway.a was skipped'],
      ],
    );

    const second = await world.run('apply');
    assert.deepStrictEqual(second.failures, []);
    assert.deepStrictEqual(actions(second), {
      'subnet.public-a': 'create',
      'nat-gateway.a': 'create',
      'route-table.private-a': 'create',
    });
    assert.equal(world.cloud.byAddress('vpc.main').length, 1);
  });

  it('deletes the leaked duplicates of an address, never an untagged resource', async () => {
    const world = new World();
    world.specs.set('demo', [desiredOf('demo', 'vpc.main', { cidrBlock: '10.0.0.0/16' })]);
    await applied(world);
    const [original] = world.cloud.byAddress('vpc.main');
    world.cloud.add({
      kind: 'vpc',
      id: 'vpc-zz-leaked',
      properties: { cidrBlock: '10.0.0.0/16' },
      tags: ownedTags('demo', 'vpc.main'),
    });
    world.cloud.add({
      kind: 'vpc',
      id: 'vpc-untagged',
      properties: { cidrBlock: '10.0.0.0/16' },
      tags: {},
    });
    const result = await world.run('apply');
    const changes = result.plan.stacks[0]?.changes ?? [];
    assert.deepStrictEqual(
      changes.map((change) => [change.address, change.action, change.id]),
      [
        ['vpc.main', 'no-op', original?.id],
        ['vpc.main', 'delete', 'vpc-zz-leaked'],
      ],
    );
    assert.equal(changes[1]?.reason, 'duplicate of vpc.main, unused');
    assert.deepStrictEqual(
      [...world.cloud.resources.keys()].sort(),
      [original?.id, 'vpc-untagged'].sort(),
    );
  });

  it('of two copies of an address keeps the one another resource uses and deletes the unused one', async () => {
    const world = new World();
    world.specs.set('demo', [
      desiredOf('demo', 'vpc.main', { cidrBlock: '10.0.0.0/16' }),
      desiredOf('demo', 'subnet.a', { vpcId: ref('vpc.main'), cidrBlock: '10.0.0.0/24' }),
    ]);
    await applied(world);
    const [vpc] = world.cloud.byAddress('vpc.main');
    const [subnet] = world.cloud.byAddress('subnet.a');
    // a copy whose id sorts first and that nothing uses, as a retried create leaves it
    world.cloud.add({
      kind: 'vpc',
      id: 'vpc-0-retried',
      properties: { cidrBlock: '10.0.0.0/16' },
      tags: ownedTags('demo', 'vpc.main'),
    });
    const result = await world.run('apply');
    const changes = result.plan.stacks[0]?.changes ?? [];
    assert.deepStrictEqual(
      changes.map((change) => [change.address, change.action, change.id, change.reason]),
      [
        ['vpc.main', 'no-op', vpc?.id, 'up to date'],
        ['subnet.a', 'no-op', subnet?.id, 'up to date'],
        ['vpc.main', 'delete', 'vpc-0-retried', 'duplicate of vpc.main, unused'],
      ],
    );
    assert.deepStrictEqual(
      world.cloud.byAddress('vpc.main').map((resource) => resource.id),
      [vpc?.id],
    );
  });

  it('refuses a guarded replace unless the address is allowed', async () => {
    const world = new World();
    const spec = (engine: string) => [
      desiredOf('demo', 'db-instance.main', { engine, masterPassword: 's3cret' }),
    ];
    world.specs.set('demo', spec('postgres'));
    await applied(world);
    world.specs.set('demo', spec('mysql'));
    const refused = await world.run('apply');
    const change = refused.plan.stacks[0]?.changes[0];
    assert.deepStrictEqual(change?.action, 'replace');
    assert.deepStrictEqual(
      change?.guarded,
      'replacing db-instance.main destroys its data; apply refuses unless --allow-replace=db-instance.main',
    );
    assert.deepStrictEqual(
      refused.failures.map((failure) => [failure.address, failure.action, failure.error]),
      [
        [
          'db-instance.main',
          'replace',
          'refusing to replace db-instance.main: it destroys its data; allow it with --allow-replace=db-instance.main',
        ],
      ],
    );
    assert.equal(world.cloud.byAddress('db-instance.main')[0]?.properties.engine, 'postgres');

    const allowed = await world.run('apply', { allowReplace: ['db-instance.main'] });
    assert.deepStrictEqual(allowed.failures, []);
    assert.deepStrictEqual(
      allowed.applied.map((entry) => [entry.address, entry.action]),
      [['db-instance.main', 'replace']],
    );
    assert.equal(world.cloud.byAddress('db-instance.main')[0]?.properties.engine, 'mysql');
  });

  it('retain policy: the removed resource is untagged and left in AWS', async () => {
    const world = new World([testStack('demo', { deletionPolicy: 'retain' })]);
    world.specs.set('demo', network());
    await applied(world);
    const [logGroup] = world.cloud.byAddress('log-group.api');
    world.specs.set(
      'demo',
      network().filter((resource) => resource.kind !== 'log-group'),
    );
    const events: ProgressEvent[] = [];
    const result = await world.run('apply', { onProgress: (event) => events.push(event) });
    const change = result.plan.stacks[0]?.changes.find((entry) => entry.action === 'delete');
    assert.deepStrictEqual(
      [change?.action, change?.reason, change?.deletionPolicy],
      ['delete', 'removed from spec; deletionPolicy retain: untagged and left in AWS', 'retain'],
    );
    assert.deepStrictEqual(
      events.map((event) => [event.type, event.step]),
      [
        ['start', 'untag'],
        ['finish', 'untag'],
      ],
    );
    const kept = world.cloud.resources.get(logGroup?.id ?? '');
    assert.deepStrictEqual(kept?.tags, {}, 'kept without our tags');
    assert.equal(hasChangesIn((await world.run('plan')).plan), false, 'no longer ours');
  });

  it('a removed database gets a final snapshot by default', async () => {
    const world = new World();
    world.specs.set('demo', [desiredOf('demo', 'db-instance.main', { engine: 'postgres' })]);
    await applied(world);
    world.specs.set('demo', []);
    const result = await world.run('apply');
    assert.deepStrictEqual(
      result.plan.stacks[0]?.changes.map((change) => change.reason),
      ['removed from spec; deletionPolicy snapshot: final snapshot first'],
    );
    assert.match(world.cloud.calls.at(-1) ?? '', /^delete db-instance\.main \S+ snapshot$/);
  });
});

describe('engine: concurrency, pending, scale', () => {
  it('never runs more operations at once than the parallelism bound', async () => {
    const world = new World();
    world.specs.set(
      'demo',
      Array.from({ length: 12 }, (_, index) =>
        desiredOf('demo', `log-group.g${index}`, { retentionDays: 7 }),
      ),
    );
    world.cloud.delayMs = 5;
    const result = await world.run('apply', { parallelism: 3 });
    assert.equal(result.applied.length, 12);
    assert.equal(world.cloud.maxInFlight, 3);
  });

  it('reports pending resources and gives their ids to dependents without waiting', async () => {
    const world = new World();
    world.specs.set('demo', network());
    world.cloud.createPending.add('nat-gateway.a');
    const events: ProgressEvent[] = [];
    const result = await world.run('apply', { onProgress: (event) => events.push(event) });
    assert.deepStrictEqual(result.failures, []);
    assert.deepStrictEqual(result.pending, ['nat-gateway.a']);
    const [nat] = world.cloud.byAddress('nat-gateway.a');
    const [table] = world.cloud.byAddress('route-table.private-a');
    assert.deepStrictEqual(table?.properties.routes, [
      { destination: '0.0.0.0/0', natGatewayId: nat?.id },
    ]);
    assert.ok(
      events.some(
        (event) => event.type === 'finish' && event.address === 'nat-gateway.a' && event.pending,
      ),
    );
    const planned = await world.run('plan');
    const change = planned.plan.stacks[0]?.changes.find(
      (entry) => entry.address === 'nat-gateway.a',
    );
    assert.deepStrictEqual(
      [change?.action, change?.reason, change?.pending],
      ['no-op', 'up to date (still pending in AWS)', true],
    );
    assert.deepStrictEqual(planned.pending, ['nat-gateway.a']);
  });

  it('returns what its last observation found: after apply every created resource, with id and status', async () => {
    const world = new World();
    world.specs.set('demo', network());
    world.cloud.createPending.add('nat-gateway.a');
    const before = await world.run('plan');
    assert.deepStrictEqual(before.observed, [], 'nothing exists yet');
    const result = await world.run('apply');
    const observed = new Map(result.observed?.map((entry) => [entry.address, entry]));
    assert.deepStrictEqual(
      [...observed.keys()].sort(),
      network()
        .map((resource) => resource.address)
        .sort(),
    );
    const [nat] = world.cloud.byAddress('nat-gateway.a');
    assert.deepStrictEqual(
      [observed.get('nat-gateway.a')?.id, observed.get('nat-gateway.a')?.status],
      [nat?.id, 'pending'],
    );
    assert.equal(observed.get('vpc.main')?.status, 'ready');
    assert.equal(observed.get('vpc.main')?.attributes.id, world.cloud.byAddress('vpc.main')[0]?.id);
  });

  it('ten stacks cost the same observe calls as one', async () => {
    const one = new World();
    one.specs.set('demo', network());
    await one.run('plan');
    const names = Array.from({ length: 10 }, (_, index) => `stack-${index}`);
    const ten = new World(names.map((name) => testStack(name)));
    for (const name of names) ten.specs.set(name, network(name));
    const result = await ten.run('apply');
    assert.deepStrictEqual(result.failures, []);
    assert.equal(result.applied.length, 60);
    assert.deepStrictEqual(result.applied[0]?.address.startsWith('stack-'), true);
    await ten.run('plan');
    assert.deepStrictEqual(
      [...ten.cloud.observeCalls.values()],
      // apply observes twice (its plan and its verification), then the plan once
      [...one.cloud.observeCalls.values()].map((count) => count * 3),
    );
    assert.ok([...one.cloud.observeCalls.values()].every((count) => count === 1));
  });

  it('stops starting operations when fencing throws, and when the signal aborts', async () => {
    const world = new World();
    world.specs.set('demo', network());
    const fenced = await world.run('apply', {
      parallelism: 1,
      beforeOperation: async (address) => {
        if (address === 'subnet.private-a') throw new Error('lease lost');
      },
    });
    assert.deepStrictEqual(
      fenced.failures.map((failure) => [failure.address, failure.error]),
      [['subnet.private-a', 'aborted: lease lost']],
    );
    assert.ok(fenced.skipped.length > 0);
    assert.equal(world.cloud.byAddress('subnet.private-a').length, 0);

    const controller = new AbortController();
    controller.abort();
    const stopped = await world.run('apply', { signal: controller.signal });
    assert.deepStrictEqual(stopped.applied, []);
    assert.ok(stopped.skipped.length > 0);
  });
});

describe('engine: plan versus apply', () => {
  it('applies the plan it showed: a change that now forces a replacement fails as stale', async () => {
    const world = new World();
    const spec = (image: string) => [
      desiredOf('demo', 'task-definition.api', { image }),
      desiredOf('demo', 'ecs-service.api', {
        pinnedTaskDefinition: ref('task-definition.api', 'arn'),
      }),
    ];
    world.specs.set('demo', spec('api:1'));
    await applied(world);
    world.specs.set('demo', spec('api:2'));
    // a handler that does not declare the attribute its update changes: the plan cannot show it
    const handlers = world.handlers.map((handler) =>
      handler.kind === 'task-definition'
        ? { ...handler, attributesChangedByUpdate: undefined }
        : handler,
    );
    const prepared = await prepareReconcile({
      stacks: world.stacks,
      mode: 'apply',
      handlers,
      expand: (stack) => world.specs.get(stack.name) ?? [],
      clientsFor: () => fakeClients,
    });
    assert.deepStrictEqual(actions(prepared), { 'task-definition.api': 'update' });
    const [service] = world.cloud.byAddress('ecs-service.api');
    const result = await prepared.apply();
    prepared.close();
    assert.deepStrictEqual(
      result.failures.map((failure) => failure.error),
      ['plan is stale: ecs-service.api now needs replacement (pinnedTaskDefinition); plan again'],
    );
    assert.deepStrictEqual(world.cloud.byAddress('ecs-service.api'), [service], 'not replaced');
  });

  it('plans nothing when the graph has a cycle or an observe read fails', async () => {
    const world = new World();
    world.specs.set('demo', [
      desiredOf('demo', 'security-group.a', { peer: ref('security-group.b') }),
      desiredOf('demo', 'security-group.b', { peer: ref('security-group.a') }),
    ]);
    await assert.rejects(world.run('apply'), {
      message:
        'cannot plan stack demo: dependency cycle: security-group.a -> security-group.b -> security-group.a',
    });
    world.specs.set('demo', network());
    const broken = world.handlers.map((handler) =>
      handler.kind === 'subnet'
        ? { ...handler, observeAll: async () => Promise.reject(new Error('Throttling: slow down')) }
        : handler,
    );
    await assert.rejects(world.run('apply', { handlers: broken }), {
      message: 'cannot observe subnet in us-west-2: Throttling: slow down',
    });
    assert.deepStrictEqual(world.cloud.calls, []);
  });

  it('observes once per kind and region', async () => {
    const world = new World([
      testStack('west'),
      testStack('east', { region: 'us-east-1' }),
      testStack('west-2'),
    ]);
    const regions: string[] = [];
    await world.run('plan', {
      clientsFor: (region) => {
        regions.push(region);
        return fakeClients;
      },
    });
    assert.deepStrictEqual(regions.sort(), ['us-east-1', 'us-west-2']);
    assert.ok([...world.cloud.observeCalls.values()].every((count) => count === 2));
  });
});

describe('engine: destroy', () => {
  it('deletes everything the stack owns in reverse dependency order, nothing else', async () => {
    const world = new World([testStack('demo'), testStack('other')]);
    world.specs.set('demo', network('demo'));
    world.specs.set('other', [desiredOf('other', 'log-group.keep', { retentionDays: 1 })]);
    await applied(world);
    world.cloud.add({ kind: 'vpc', id: 'vpc-untagged', properties: {}, tags: {} });
    world.stacks = [testStack('demo')];
    const before = world.cloud.calls.length;
    const result = await world.run('destroy');
    assert.deepStrictEqual(result.plan.summary, {
      add: 0,
      change: 0,
      destroy: 6,
      replace: 0,
      noOp: 0,
    });
    const calls = world.cloud.calls.slice(before);
    assert.ok(calls.every((call) => call.startsWith('delete ')));
    assertOrder(
      calls,
      'delete route-table.private-a',
      'delete nat-gateway.a',
      'delete subnet.public-a',
      'delete vpc.main',
    );
    assertOrder(
      calls,
      'delete route-table.private-a',
      'delete subnet.private-a',
      'delete vpc.main',
    );
    assert.deepStrictEqual(
      [...world.cloud.resources.values()]
        .map((resource) => [resource.kind, resource.tags['reconciler:address']])
        .sort(),
      [
        ['log-group', 'log-group.keep'],
        ['vpc', undefined],
      ],
    );
  });
});

describe('engine: reasons, and Refs to attributes not reported yet', () => {
  it('uses the reason a handler attaches to a field change', async () => {
    const world = new World();
    const handlers = world.handlers.map((handler) =>
      handler.kind === 'db-instance'
        ? {
            ...handler,
            diff: (
              desired: Record<string, unknown>,
              observed: Record<string, unknown>,
              desiredTags: Record<string, string>,
              observedTags: Record<string, string>,
            ) => {
              const { engineVersion, ...rest } = desired;
              const { engineVersion: observedVersion, ...observedRest } = observed;
              return [
                ...diffEngineVersion(String(engineVersion), String(observedVersion)),
                ...handler.diff(rest, observedRest, desiredTags, observedTags),
              ];
            },
          }
        : handler,
    );
    const spec = (engineVersion: string, instanceClass: string, engine = 'postgres') => [
      desiredOf('demo', 'db-instance.main', { engine, engineVersion, instanceClass }),
    ];
    world.specs.set('demo', spec('16.4', 'db.t4g.micro'));
    await applied(world);
    const cases: {
      reason: string;
      spec: DesiredResource[];
      expected: [Action | undefined, string | undefined];
    }[] = [
      {
        reason: 'a major version bump replaces, and says why',
        spec: spec('17.1', 'db.t4g.micro'),
        expected: ['replace', 'engine major version 16 -> 17 forces replacement'],
      },
      {
        reason: 'a forcing field without a reason is named after the explained one',
        spec: spec('17.1', 'db.t4g.micro', 'mysql'),
        expected: [
          'replace',
          'engine major version 16 -> 17 forces replacement; engine forces replacement',
        ],
      },
      {
        reason: 'an in-place change lists the paths, then the reason',
        spec: spec('16.6', 'db.t4g.small'),
        expected: [
          'update',
          'differs: engineVersion, instanceClass (engine minor version upgrade 16.4 -> 16.6 in place)',
        ],
      },
      {
        reason: 'without reasons the paths alone',
        spec: spec('16.4', 'db.t4g.small'),
        expected: ['update', 'differs: instanceClass'],
      },
    ];
    for (const testCase of cases) {
      world.specs.set('demo', testCase.spec);
      const planned = await world.run('plan', { handlers });
      const change = planned.plan.stacks[0]?.changes[0];
      assert.deepStrictEqual([change?.action, change?.reason], testCase.expected, testCase.reason);
    }
  });

  it('leaves a dependent for a later run while its target is pending without the attribute', async () => {
    const world = new World();
    world.specs.set('demo', [
      desiredOf('demo', 'db-instance.main', { engine: 'postgres' }),
      desiredOf('demo', 'task-definition.api', {
        environment: [{ name: 'DB_HOST', value: ref('db-instance.main', 'endpoint') }],
      }),
      desiredOf('demo', 'ecs-service.api', { taskDefinition: ref('task-definition.api', 'arn') }),
      desiredOf('demo', 'log-group.api', { retentionDays: 7 }),
    ]);
    world.cloud.createPending.add('db-instance.main');
    const events: ProgressEvent[] = [];
    const first = await world.run('apply', { onProgress: (event) => events.push(event) });
    assert.deepStrictEqual(first.failures, []);
    assert.deepStrictEqual(first.skipped, []);
    assert.deepStrictEqual(first.applied.map((entry) => entry.address).sort(), [
      'db-instance.main',
      'log-group.api',
    ]);
    assert.deepStrictEqual(first.pending.sort(), [
      'db-instance.main',
      'ecs-service.api',
      'task-definition.api',
    ]);
    assert.deepStrictEqual(
      first.waiting?.map((entry) => [entry.address, entry.reason]),
      [
        ['task-definition.api', 'waiting for db-instance.main endpoint'],
        ['ecs-service.api', 'waiting for task-definition.api'],
      ],
    );
    assert.ok(
      events.some(
        (event) =>
          event.type === 'skip' &&
          event.address === 'task-definition.api' &&
          event.message === 'waiting for db-instance.main endpoint',
      ),
    );
    assert.deepStrictEqual(world.cloud.byAddress('task-definition.api'), []);

    const planned = await world.run('plan');
    const taskDefinition = planned.plan.stacks[0]?.changes.find(
      (change) => change.address === 'task-definition.api',
    );
    assert.deepStrictEqual(
      [
        taskDefinition?.action,
        taskDefinition?.fields
          .filter((field) => !field.path.startsWith('tags.'))
          .map((field) => [field.path, field.after]),
      ],
      [
        'create',
        [
          ['environment[0].name', 'DB_HOST'],
          ['environment[0].value', UNKNOWN],
        ],
      ],
      'the plan shows the endpoint as known after apply',
    );

    const [database] = world.cloud.byAddress('db-instance.main');
    assert.ok(database);
    database.status = 'ready';
    database.attributes.endpoint = 'main.db.example';
    const second = await world.run('apply');
    assert.deepStrictEqual(second.failures, []);
    assert.deepStrictEqual(second.pending, []);
    assert.deepStrictEqual(
      second.applied.map((entry) => [entry.address, entry.action]),
      [
        ['task-definition.api', 'create'],
        ['ecs-service.api', 'create'],
      ],
    );
    assert.deepStrictEqual(world.cloud.byAddress('task-definition.api')[0]?.properties, {
      environment: [{ name: 'DB_HOST', value: 'main.db.example' }],
    });
  });

  it('a missing attribute of a ready target is still an error', async () => {
    const world = new World();
    world.specs.set('demo', [
      desiredOf('demo', 'db-instance.main', { engine: 'postgres' }),
      desiredOf('demo', 'task-definition.api', { host: ref('db-instance.main', 'endpoint') }),
    ]);
    const result = await world.run('apply');
    assert.deepStrictEqual(
      result.failures.map((failure) => [failure.address, failure.error]),
      [
        [
          'task-definition.api',
          "cannot resolve reference to db-instance.main.endpoint: db-instance-1 has no attribute 'endpoint'",
        ],
      ],
    );
    assert.deepStrictEqual(result.pending, []);
  });
});
