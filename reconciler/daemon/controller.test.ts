import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryLogger } from '../../test/fakes/memory-logger.ts';
import type { ReconcileOptions, ReconcileResult } from '../engine/reconcile.ts';
import type { Action, ResourceChange } from '../plan/types.ts';
import { FakeClock, flushPromises } from './clock.ts';
import { Controller, type ControllerOptions, parseSnapshot } from './controller.ts';
import { LeaseLostError } from './lease.ts';
import { DaemonMetrics } from './metrics.ts';
import type { SpecSnapshot } from './sources.ts';

const RESYNC = 300_000;
const PENDING = 15_000;

function spec(name: string, extra = ''): string {
  return [
    `name: ${name}`,
    'region: us-west-2',
    'network:',
    '  cidr: 10.20.0.0/16',
    '  availabilityZones: [us-west-2a]',
    '  publicSubnets: [10.20.0.0/24]',
    '  privateSubnets: [10.20.10.0/24]',
    '  natGateways: none',
    extra,
  ].join('\n');
}

function snapshot(files: Record<string, string>, revision?: string): SpecSnapshot {
  return {
    revision,
    files: Object.entries(files).map(([file, source]) => ({
      file,
      source,
      hash: `h:${source.length}:${source}`,
    })),
  };
}

function change(
  address: string,
  action: Action,
  fields: ResourceChange['fields'] = [],
): ResourceChange {
  return { address, kind: address.split('.')[0] ?? '', action, reason: 'test', fields };
}

/** outcome builds an engine result for one stack from its changes. */
function outcome(
  changes: ResourceChange[],
  extra: Partial<Omit<ReconcileResult, 'plan'>> = {},
): ReconcileResult {
  const count = (action: Action) => changes.filter((c) => c.action === action).length;
  return {
    plan: {
      formatVersion: '1.0',
      stacks: [{ name: 'web', region: 'us-west-2', changes }],
      summary: {
        add: count('create') + count('replace'),
        change: count('update'),
        destroy: count('delete') + count('replace'),
        replace: count('replace'),
        noOp: count('no-op'),
      },
    },
    applied: changes
      .filter((c) => c.action !== 'no-op')
      .map((c) => ({ address: c.address, action: c.action, elapsedMs: 5 })),
    failures: [],
    skipped: [],
    pending: [],
    ...extra,
  };
}

type Script = (options: ReconcileOptions, call: number) => Promise<ReconcileResult>;

function harness(script: Script, overrides: Partial<ControllerOptions> = {}) {
  const clock = new FakeClock(0);
  const metrics = new DaemonMetrics();
  const log = memoryLogger();
  const calls: ReconcileOptions[] = [];
  const controller = new Controller({
    clock,
    log,
    metrics,
    concurrency: 2,
    resyncMs: RESYNC,
    pendingRequeueMs: PENDING,
    observeOnly: false,
    random: () => 0.5,
    leader: true,
    reconcile: (options) => {
      calls.push(options);
      return script(options, calls.length);
    },
    ...overrides,
  });
  controller.start();
  const stack = (name = 'web') => controller.stacks().find((s) => s.name === name);
  const condition = (type: string, name = 'web') => {
    const found = stack(name)?.conditions.find((c) => c.type === type);
    return found && [found.status, found.reason];
  };
  const metric = async (pattern: RegExp) => {
    const text = await metrics.render();
    return text.split('\n').find((line) => pattern.test(line));
  };
  return { clock, metrics, log, calls, controller, stack, condition, metric };
}

test('a valid spec converges once and is resynced after the interval', async () => {
  const h = harness(async () => outcome([change('vpc.main', 'create')]));
  h.controller.setSpecs(snapshot({ 'specs/web.yaml': spec('web') }, 'sha-1'));
  await h.controller.idle();
  assert.equal(h.calls.length, 1);
  assert.equal(h.calls[0]?.mode, 'apply');
  assert.deepStrictEqual(
    h.calls[0]?.stacks.map((s) => s.name),
    ['web'],
  );
  assert.deepStrictEqual(
    [h.condition('Ready'), h.condition('Synced'), h.stack()?.lastAppliedRevision],
    [['True', 'Available'], ['True', 'ReconcileSuccess'], 'sha-1'],
  );
  assert.equal(h.stack()?.nextRunAt, new Date(RESYNC).toISOString());
  assert.match((await h.metric(/^reconciler_reconciles_total\{/)) ?? '', /result="success"\} 1/);
  const event = h.log.records.find((r) => r.fields.event === 'create');
  assert.deepStrictEqual(
    [event?.fields.address, event?.fields.stack, typeof event?.fields.reconcileId],
    ['vpc.main', 'web', 'string'],
  );
  await h.clock.advance(RESYNC - 1);
  assert.equal(h.calls.length, 1);
  await h.clock.advance(1);
  assert.equal(h.calls.length, 2);
});

test('an unchanged snapshot triggers nothing; a changed file queues only its stack', async () => {
  const h = harness(async () => outcome([]));
  h.controller.setSpecs(snapshot({ 'a.yaml': spec('aa'), 'b.yaml': spec('bb') }, 'sha-1'));
  await h.controller.idle();
  h.controller.setSpecs(snapshot({ 'a.yaml': spec('aa'), 'b.yaml': spec('bb') }, 'sha-2'));
  await h.controller.idle();
  assert.equal(h.calls.length, 2);
  h.controller.setSpecs(
    snapshot({ 'a.yaml': spec('aa', 'paused: true'), 'b.yaml': spec('bb') }, 'sha-3'),
  );
  await h.controller.idle();
  assert.deepStrictEqual(
    h.calls.map((call) => [call.stacks[0]?.name, call.mode]),
    [
      ['aa', 'apply'],
      ['bb', 'apply'],
      ['aa', 'plan'],
    ],
  );
  assert.deepStrictEqual(
    [
      h.stack('aa')?.lastAppliedRevision,
      h.stack('bb')?.lastAppliedRevision,
      h.stack('bb')?.revision,
    ],
    ['sha-1', 'sha-1', 'sha-3'],
  );
  assert.deepStrictEqual(h.condition('Synced', 'aa'), ['False', 'Paused']);
});

test('an invalid spec is reported with its location and never retried until it changes', async () => {
  const h = harness(async () => outcome([]));
  h.controller.setSpecs(
    snapshot({ 'specs/web.yaml': spec('web').replace('10.20.0.0/16', 'not-a-cidr') }, 'sha-bad'),
  );
  await h.controller.idle();
  assert.equal(h.calls.length, 0);
  assert.deepStrictEqual(h.condition('Synced'), ['False', 'InvalidSpec']);
  assert.match(h.stack()?.specErrors[0] ?? '', /^specs\/web\.yaml:4:9: spec\.network\.cidr: /);
  assert.equal(h.stack()?.lastError?.terminal, true);
  assert.equal(h.stack()?.nextRunAt, undefined);
  assert.ok(h.log.records.some((r) => r.level === 'error' && /invalid spec/.test(r.msg ?? '')));
  assert.match((await h.metric(/result="invalid-spec"/)) ?? '', / 1$/);
  await h.clock.advance(3_600_000);
  assert.equal(h.calls.length, 0);
  h.controller.setSpecs(snapshot({ 'specs/web.yaml': spec('web') }, 'sha-fixed'));
  await h.controller.idle();
  assert.equal(h.calls.length, 1);
  assert.deepStrictEqual(
    [h.condition('Synced'), h.stack()?.specErrors, h.stack()?.lastAppliedRevision],
    [['True', 'ReconcileSuccess'], [], 'sha-fixed'],
  );
});

test('a change made out of band is drift: counted, corrected, reported', async () => {
  const plans = [
    [change('vpc.main', 'create')],
    [change('vpc.main', 'no-op')],
    [
      change('vpc.main', 'update', [
        { path: 'tags.team', before: 'x', after: 'y', forcesReplacement: false, sensitive: false },
        {
          path: 'password',
          before: 'old',
          after: 'new',
          forcesReplacement: false,
          sensitive: true,
        },
      ]),
    ],
    [change('vpc.main', 'no-op')],
  ];
  const h = harness(async (_options, call) => outcome(plans[call - 1] ?? []));
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await h.controller.idle();
  const drifted: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    await h.clock.advance(RESYNC);
    drifted.push(h.condition('Drifted'));
  }
  assert.deepStrictEqual(drifted, [
    ['False', 'NoDrift'],
    ['True', 'DriftDetected'],
    ['False', 'NoDrift'],
  ]);
  assert.equal(
    await h.metric(/^reconciler_drift_detected_total\{/),
    'reconciler_drift_detected_total{stack="web"} 1',
  );
  const updated = h.log.records.find((r) => r.fields.event === 'update');
  assert.deepStrictEqual(updated?.fields.changes, [
    { path: 'tags.team', before: 'x', after: 'y' },
    { path: 'password', before: '(sensitive)', after: '(sensitive)' },
  ]);
  assert.equal(JSON.stringify(h.log.records).includes('"new"'), false, 'no secret in logs');
});

test('pending resources requeue after the short delay', async () => {
  const h = harness(async (_o, call) =>
    outcome([change('nat-gateway.a', call === 1 ? 'create' : 'no-op')], {
      pending: call <= 2 ? ['nat-gateway.a'] : [],
    }),
  );
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await h.controller.idle();
  assert.deepStrictEqual(h.condition('Ready'), ['False', 'Pending']);
  assert.equal(h.stack()?.nextRunAt, new Date(PENDING).toISOString());
  await h.clock.advance(PENDING);
  await h.clock.advance(PENDING);
  assert.equal(h.calls.length, 3);
  assert.deepStrictEqual(h.condition('Ready'), ['True', 'Available']);
  assert.match((await h.metric(/result="pending"/)) ?? '', / 2$/);
});

test('changes deferred for a pending resource are made next run without counting as drift', async () => {
  const waiting = [
    {
      stack: 'web',
      address: 'task-definition.api',
      reason: 'waiting for db-instance.main endpoint',
    },
  ];
  const plans = [
    [change('db-instance.main', 'create'), change('task-definition.api', 'create')],
    [change('db-instance.main', 'no-op'), change('task-definition.api', 'create')],
  ];
  const h = harness(async (_o, call) => {
    const changes = plans[call - 1] ?? [];
    return call === 1
      ? outcome(changes, {
          applied: [{ address: 'db-instance.main', action: 'create', elapsedMs: 5 }],
          pending: ['db-instance.main', 'task-definition.api'],
          waiting,
        })
      : outcome(changes);
  });
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await h.controller.idle();
  await h.clock.advance(PENDING);
  assert.equal(h.calls.length, 2);
  assert.equal(await h.metric(/^reconciler_drift_detected_total\{/), undefined);
  assert.deepStrictEqual(h.condition('Ready'), ['True', 'Available']);
});

test('errors back off per stack; terminal AWS errors wait for the resync', async () => {
  const cases = [
    {
      reason: 'throttling is retried with backoff',
      error: Object.assign(new Error('rate exceeded'), { name: 'ThrottlingException' }),
      delays: [5_000, 10_000, 20_000],
      result: 'error',
    },
    {
      reason: 'access denied is terminal',
      error: Object.assign(new Error('not allowed'), { name: 'AccessDenied' }),
      delays: [RESYNC, RESYNC, RESYNC],
      result: 'terminal',
    },
  ];
  for (const { reason, error, delays, result } of cases) {
    const h = harness(async () => {
      throw new Error('cannot observe vpc', { cause: error });
    });
    h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
    await h.controller.idle();
    const seen: number[] = [];
    for (let i = 0; i < delays.length; i++) {
      const next = Date.parse(h.stack()?.nextRunAt ?? '') - h.clock.now();
      seen.push(next);
      await h.clock.advance(next);
    }
    assert.deepStrictEqual(seen, delays, reason);
    assert.deepStrictEqual(h.condition('Synced'), ['False', 'ReconcileError'], reason);
    assert.match((await h.metric(new RegExp(`result="${result}"`))) ?? '', / 4$/, reason);
  }
});

test('operation failures are errors; all-terminal failures are not retried in a loop', async () => {
  const h = harness(async () =>
    outcome([change('subnet.public-a', 'create')], {
      applied: [],
      failures: [
        {
          address: 'subnet.public-a',
          action: 'create',
          error: 'cannot create subnet.public-a: UnauthorizedOperation: not allowed',
          stack: 'web',
          kind: 'subnet',
          operation: 'create',
          code: 'UnauthorizedOperation',
          disposition: 'terminal',
        },
      ],
    }),
  );
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await h.controller.idle();
  assert.deepStrictEqual(
    [h.condition('Ready'), h.condition('Synced'), h.stack()?.lastError?.terminal],
    [['False', 'NotConverged'], ['False', 'ReconcileError'], true],
  );
  assert.equal(h.stack()?.nextRunAt, new Date(RESYNC).toISOString());
});

test('a field AWS does not keep is InconsistentResult, not drift, and not retried in a loop', async () => {
  const h = harness(async () =>
    outcome([change('ecs-service.api', 'update')], {
      applied: [{ address: 'ecs-service.api', action: 'update', elapsedMs: 1 }],
      failures: [
        {
          address: 'ecs-service.api',
          action: 'update',
          error: 'inconsistent result after apply: AWS did not keep what 3 passes sent',
          stack: 'web',
          kind: 'ecs-service',
          operation: 'verify',
          disposition: 'terminal',
        },
      ],
    }),
  );
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await h.controller.idle();
  assert.deepStrictEqual(
    [h.condition('Synced'), h.condition('Drifted')?.[0], h.stack()?.lastError?.failures],
    [
      ['False', 'InconsistentResult'],
      'Unknown',
      [
        {
          address: 'ecs-service.api',
          kind: 'ecs-service',
          operation: 'verify',
          disposition: 'terminal',
        },
      ],
    ],
  );
  assert.equal(h.stack()?.nextRunAt, new Date(RESYNC).toISOString());
});

test('observe-only plans and reports drift but never applies', async () => {
  const h = harness(async () => outcome([change('vpc.main', 'create')], { applied: [] }), {
    observeOnly: true,
  });
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await h.controller.idle();
  assert.deepStrictEqual(
    [h.calls[0]?.mode, h.condition('Ready'), h.condition('Synced'), h.stack()?.lastAppliedRevision],
    ['plan', ['False', 'NotConverged'], ['False', 'ObserveOnly'], undefined],
  );
});

test('a standby replica reconciles nothing until it leads, and stops when it loses the lease', async () => {
  let fenceOk = true;
  const h = harness(
    async (options) => {
      await options.beforeOperation?.('vpc.main');
      return outcome([change('vpc.main', 'create')]);
    },
    {
      leader: false,
      fence: async () => {
        if (!fenceOk) throw new LeaseLostError('taken over');
      },
    },
  );
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web'), 'bad.yaml': 'name: bad\n' }));
  await h.controller.idle();
  assert.equal(h.calls.length, 0, 'standby: no reconcile');
  assert.deepStrictEqual(
    h.condition('Synced', 'bad'),
    ['False', 'InvalidSpec'],
    'specs still checked',
  );
  assert.equal(await h.metric(/^reconciler_lease_holder /), 'reconciler_lease_holder 0');
  h.controller.setLeader(true);
  await h.controller.idle();
  assert.equal(h.calls.length, 1);
  assert.equal(await h.metric(/^reconciler_lease_holder /), 'reconciler_lease_holder 1');
  fenceOk = false;
  await h.clock.advance(RESYNC);
  assert.equal(h.calls.length, 2);
  assert.equal(h.controller.leader, false, 'a failed fence makes the replica stand by');
  await h.clock.advance(RESYNC * 3);
  assert.equal(h.calls.length, 2);
});

test('shared stacks: only the held stacks run, a new one at once, a lost fence drops only its stack', async () => {
  const lost = new Set<string>();
  const fenced: string[] = [];
  const h = harness(
    async (options) => {
      await options.beforeOperation?.('vpc.main');
      return outcome([change('vpc.main', 'create')]);
    },
    {
      shared: true,
      fence: async (stack) => {
        fenced.push(stack);
        if (lost.has(stack)) throw new LeaseLostError('taken over');
      },
    },
  );
  const ran = () => h.calls.map((call) => call.stacks.map((s) => s.name).join());
  h.controller.setSpecs(
    snapshot({
      'app-a.yaml': spec('app-a'),
      'app-b.yaml': spec('app-b'),
      'app-c.yaml': spec('app-c'),
    }),
  );
  await h.controller.idle();
  assert.deepStrictEqual(ran(), [], 'nothing held, nothing run');
  h.controller.setOwned(new Set(['app-a', 'app-b']));
  await h.controller.idle();
  assert.deepStrictEqual(ran().sort(), ['app-a', 'app-b']);
  assert.deepStrictEqual(fenced.sort(), ['app-a', 'app-b'], 'each run fences its own stack');
  lost.add('app-b');
  h.controller.setSpecs(
    snapshot({
      'app-a.yaml': spec('app-a'),
      'app-b.yaml': spec('app-b', 'logGroups: []'),
      'app-c.yaml': spec('app-c'),
    }),
  );
  await h.controller.idle();
  assert.equal(ran().at(-1), 'app-b');
  assert.equal(h.stack('app-b')?.lastReconcile?.result, 'aborted');
  assert.equal(h.controller.leader, true, 'losing one stack is not losing the others');
  h.controller.setOwned(new Set(['app-a', 'app-c']));
  await h.controller.idle();
  assert.equal(ran().at(-1), 'app-c');
  const before = h.calls.length;
  await h.clock.advance(RESYNC * 2);
  const resynced = h.calls.slice(before).flatMap((call) => call.stacks.map((s) => s.name));
  assert.ok(resynced.length > 0);
  assert.ok(!resynced.includes('app-b'), `app-b is not observed once given away: ${resynced}`);
});

test('a spec changed during a run is reconciled again right after, never concurrently', async () => {
  let release: () => void = () => {};
  let active = 0;
  let maxActive = 0;
  const h = harness(async (_o, call) => {
    active++;
    maxActive = Math.max(maxActive, active);
    if (call === 1) await new Promise<void>((resolve) => (release = resolve));
    active--;
    return outcome([]);
  });
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await flushPromises();
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web', 'tags: { team: a }') }));
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web', 'tags: { team: b }') }));
  await flushPromises();
  release();
  await h.controller.idle();
  assert.deepStrictEqual(
    [h.calls.length, maxActive, h.calls[1]?.stacks[0]?.tags],
    [2, 1, { team: 'b' }],
  );
});

test('stop aborts the run in flight and waits for it, within the timeout', async () => {
  let sawAbort = false;
  let finish: () => void = () => {};
  const h = harness(async (options) => {
    await new Promise<void>((resolve) => (finish = resolve));
    sawAbort = options.signal?.aborted === true;
    return outcome([], { skipped: ['subnet.a'] });
  });
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await flushPromises();
  const stopped = h.controller.stop(30_000);
  await flushPromises();
  finish();
  assert.equal(await stopped, true);
  assert.equal(sawAbort, true);
  assert.equal(h.controller.readiness().ok, false);

  const stuck = harness(() => new Promise<ReconcileResult>(() => {}));
  stuck.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await flushPromises();
  const timedOut = stuck.controller.stop(30_000);
  await stuck.clock.advance(30_000);
  assert.equal(await timedOut, false);
});

test('keys: stack name, or the file when the name is unknown or already used', () => {
  const parsed = parseSnapshot(
    snapshot({
      'a.yaml': spec('web'),
      'b.yaml': spec('web'),
      'c.yaml': 'name: [\n',
      'd.yaml': 'name: api\nregion: 42\n',
    }),
  );
  assert.deepStrictEqual(
    parsed.map((p) => [p.key, p.errors.length > 0, p.spec?.name]),
    [
      ['web', false, 'web'],
      ['file:b.yaml', true, undefined],
      ['file:c.yaml', true, undefined],
      ['api', true, undefined],
    ],
  );
  assert.match(parsed[1]?.errors[0]?.message ?? '', /already used by a\.yaml/);
});

test('health follows the heartbeat; readiness needs every check', async () => {
  const h = harness(async () => outcome([]));
  assert.equal(h.controller.readiness().ok, false, 'specs not read');
  h.controller.setSpecs(snapshot({}));
  h.controller.setCheck('aws', true, 'GetCallerIdentity ok');
  assert.equal(h.controller.readiness().ok, true);
  h.controller.setCheck('lease', false, 'unknown');
  assert.equal(h.controller.readiness().ok, false);
  await h.clock.advance(60_000);
  assert.equal(h.controller.liveness().ok, true);
});

test('the status keeps each resource as observed: a pending one shows as pending until AWS is done', async () => {
  const observed = (natStatus: 'pending' | 'ready') =>
    [
      {
        stack: 'web',
        address: 'vpc.main',
        kind: 'vpc',
        id: 'vpc-1',
        status: 'ready',
        attributes: {},
      },
      {
        stack: 'web',
        address: 'nat-gateway.a',
        kind: 'nat-gateway',
        id: 'nat-1',
        status: natStatus,
        attributes: {},
      },
    ] satisfies ReconcileResult['observed'];
  const h = harness(async (_o, call) =>
    call === 1
      ? outcome([change('vpc.main', 'create'), change('nat-gateway.a', 'create')], {
          pending: ['nat-gateway.a'],
          observed: observed('pending'),
        })
      : outcome([change('vpc.main', 'no-op'), change('nat-gateway.a', 'no-op')], {
          observed: observed('ready'),
        }),
  );
  let notified = 0;
  h.controller.subscribe(() => notified++);
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }, 'sha-1'));
  await h.controller.idle();
  const statuses = () =>
    Object.fromEntries(h.stack()?.resources.map((r) => [r.address, [r.status, r.id]]) ?? []);
  assert.deepStrictEqual(statuses(), {
    'vpc.main': ['ready', 'vpc-1'],
    'nat-gateway.a': ['pending', 'nat-1'],
  });
  assert.deepStrictEqual(h.condition('Ready'), ['False', 'Pending']);
  const vpc = h.stack()?.resources.find((r) => r.address === 'vpc.main');
  assert.deepStrictEqual(
    [vpc?.layer, vpc?.lastChange?.action, vpc?.lastChange?.revision, vpc?.lastChange?.drift],
    ['network', 'create', 'sha-1', false],
  );
  assert.deepStrictEqual(
    h.stack()?.history.map((entry) => [entry.result, entry.created, entry.pending]),
    [['pending', ['vpc.main', 'nat-gateway.a'], ['nat-gateway.a']]],
  );
  assert.equal(h.stack()?.plan, undefined, 'applied: nothing left to plan');
  assert.ok(notified >= 2, 'listeners hear of the specs and of the run');
  await h.clock.advance(PENDING);
  assert.deepStrictEqual(statuses(), {
    'vpc.main': ['ready', 'vpc-1'],
    'nat-gateway.a': ['ready', 'nat-1'],
  });
  assert.deepStrictEqual(
    h.stack()?.history.map((entry) => entry.result),
    ['success', 'pending'],
  );
  assert.equal(h.stack()?.resources[0]?.lastChange?.action, 'create', 'kept from the first run');
});

test('a drift correction is a history entry with its fields, secrets redacted, and marks the change', async () => {
  const secret = 'rotated-out-of-band-secret';
  const plans = [
    [change('vpc.main', 'create')],
    [
      change('vpc.main', 'update', [
        { path: 'tags.team', before: 'x', after: 'y', forcesReplacement: false, sensitive: false },
        {
          path: 'password',
          before: secret,
          after: `${secret}-2`,
          forcesReplacement: false,
          sensitive: true,
        },
      ]),
    ],
    [change('vpc.main', 'no-op')],
  ];
  const h = harness(async (_o, call) => outcome(plans[call - 1] ?? []));
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web') }));
  await h.controller.idle();
  await h.clock.advance(RESYNC);
  const expected = [
    {
      address: 'vpc.main',
      action: 'update',
      fields: ['~ tags.team = "x" -> "y"', '~ password  = (sensitive value)'],
    },
  ];
  assert.deepStrictEqual(h.stack()?.drift, expected);
  assert.deepStrictEqual(h.stack()?.history[0]?.drift, expected);
  assert.deepStrictEqual(h.stack()?.resources[0]?.drifted, expected[0]?.fields);
  assert.equal(h.stack()?.resources[0]?.lastChange?.drift, true);
  await h.clock.advance(RESYNC);
  assert.deepStrictEqual([h.condition('Drifted'), h.stack()?.drift], [['False', 'NoDrift'], []]);
  assert.deepStrictEqual(
    h.stack()?.history.map((entry) => [entry.result, entry.drift.length, entry.updated]),
    [
      ['success', 0, []],
      ['success', 1, ['vpc.main']],
      ['success', 0, []],
    ],
  );
  assert.equal(JSON.stringify(h.controller.stacks()).includes(secret), false);
});

test('a stack not in sync shows its plan; a paused stack shows what it would do', async () => {
  const h = harness(async () =>
    outcome(
      [
        change('log-group.api', 'update', [
          {
            path: 'retentionDays',
            before: 7,
            after: 30,
            forcesReplacement: false,
            sensitive: false,
          },
        ]),
      ],
      { applied: [] },
    ),
  );
  h.controller.setSpecs(snapshot({ 'web.yaml': spec('web', 'paused: true') }));
  await h.controller.idle();
  const plan = h.stack()?.plan;
  assert.match(plan?.text ?? '', /# log-group\.api will be updated in place/);
  assert.match(plan?.text ?? '', /retentionDays = 7 -> 30/);
  assert.deepStrictEqual(
    h.stack()?.resources.map((r) => [r.address, r.status, r.planned]),
    [['log-group.api', 'ready', 'update']],
  );
  assert.deepStrictEqual(
    h.stack()?.history.map((entry) => entry.result),
    ['observed'],
  );
});

/** planOf builds a plan-mode result of several stacks, each with its changes. */
function planOf(stacks: Record<string, ResourceChange[]>): ReconcileResult {
  return {
    plan: {
      formatVersion: '1.0',
      stacks: Object.entries(stacks).map(([name, changes]) => ({
        name,
        region: 'us-west-2',
        changes,
      })),
      summary: { add: 0, change: 0, destroy: 0, replace: 0, noOp: 0 },
    },
    applied: [],
    failures: [],
    skipped: [],
    pending: [],
  };
}

test('resyncTogether: stacks in sync are resynced by one plan of all; only a drifted one runs on its own', async () => {
  const names = ['aa', 'bb', 'cc'];
  const h = harness(
    async (options) => {
      if (options.mode === 'apply') return outcome([change('vpc.main', 'no-op')]);
      // at the resync, bb's VPC changed out of band
      return planOf({
        aa: [change('vpc.main', 'no-op')],
        bb: [change('vpc.main', 'update')],
        cc: [change('vpc.main', 'no-op')],
      });
    },
    { resyncTogether: true },
  );
  h.controller.setSpecs(
    snapshot(Object.fromEntries(names.map((name) => [`${name}.yaml`, spec(name)])), 'sha-1'),
  );
  await h.controller.idle();
  assert.equal(h.calls.length, 3);
  assert.equal(h.stack('cc')?.nextRunAt, new Date(RESYNC).toISOString());
  await h.clock.advance(RESYNC);
  await h.controller.idle();
  assert.deepStrictEqual(
    h.calls.slice(3).map((call) => [call.mode, call.stacks.map((s) => s.name)]),
    [
      ['plan', names],
      ['apply', ['bb']],
    ],
  );
  for (const name of names) {
    assert.deepStrictEqual(h.condition('Ready', name), ['True', 'Available'], name);
  }
  assert.equal(h.stack('aa')?.lastReconcile?.result, 'success');
  assert.equal(h.stack('aa')?.lastReconcile?.id, h.stack('cc')?.lastReconcile?.id);
  // the next round again takes all three together
  await h.clock.advance(RESYNC);
  await h.controller.idle();
  assert.deepStrictEqual(
    h.calls.slice(5).map((call) => [call.mode, call.stacks.length]),
    [
      ['plan', 3],
      ['apply', 1],
    ],
  );
});

test('resyncTogether: a failed plan of all queues each stack for a run of its own', async () => {
  const h = harness(
    async (options) => {
      if (options.mode === 'plan') throw new Error('throttled');
      return outcome([]);
    },
    { resyncTogether: true },
  );
  h.controller.setSpecs(snapshot({ 'a.yaml': spec('aa'), 'b.yaml': spec('bb') }, 'sha-1'));
  await h.controller.idle();
  await h.clock.advance(RESYNC);
  await h.controller.idle();
  assert.deepStrictEqual(
    h.calls.map((call) => [call.mode, call.stacks.length]),
    [
      ['apply', 1],
      ['apply', 1],
      ['plan', 2],
      ['apply', 1],
      ['apply', 1],
    ],
  );
});
