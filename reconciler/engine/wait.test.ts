import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsClients } from '../aws/clients.ts';
import type {
  ObservedResource,
  ResourceContext,
  ResourceHandler,
  StabilityVerdict,
} from '../resources/types.ts';
import { assessStability, waitForStable } from './wait.ts';

test('assessStability', () => {
  const cases: {
    reason: string;
    verdicts: StabilityVerdict[];
    expected: { waiting: string[]; problems: string[] };
  }[] = [
    {
      reason: 'every resource stable: nothing to wait for',
      verdicts: [
        { stack: 'demo', address: 'ecs-service.api', state: 'stable' },
        { stack: 'demo', address: 'db-instance.main', state: 'stable' },
      ],
      expected: { waiting: [], problems: [] },
    },
    {
      reason: 'database creating is waiting, failed is a problem',
      verdicts: [
        {
          stack: 'demo',
          address: 'db-instance.main',
          state: 'waiting',
          detail: 'demo-db is creating',
        },
        {
          stack: 'other',
          address: 'db-instance.main',
          state: 'failed',
          detail: 'other-db is failed',
        },
      ],
      expected: {
        waiting: ['demo/db-instance.main: demo-db is creating'],
        problems: ['other/db-instance.main: other-db is failed'],
      },
    },
    {
      reason: 'one line per reason, in the order the kinds gave them',
      verdicts: [
        {
          stack: 'demo',
          address: 'ecs-service.api',
          state: 'waiting',
          detail: '1/2 tasks running',
        },
        {
          stack: 'demo',
          address: 'ecs-service.api',
          state: 'waiting',
          detail: 'deployment IN_PROGRESS',
        },
        { stack: 'demo', address: 'nat-gateway.a', state: 'waiting' },
      ],
      expected: {
        waiting: [
          'demo/ecs-service.api: 1/2 tasks running',
          'demo/ecs-service.api: deployment IN_PROGRESS',
          'demo/nat-gateway.a: waiting',
        ],
        problems: [],
      },
    },
  ];
  for (const { reason, verdicts, expected } of cases) {
    assert.deepStrictEqual(assessStability(verdicts), expected, reason);
  }
});

/**
 * fakeKind is a kind whose observe reads the pass's shared parent through ctx.memo and whose
 * stability answers from `states`, one entry per poll (the last one repeats).
 */
function fakeKind(
  kind: string,
  states: StabilityVerdict['state'][],
  calls: { kind: string; memo: boolean }[],
  parentReads: { count: number },
): ResourceHandler {
  let poll = 0;
  return {
    kind,
    fields: {},
    async observeAll(ctx) {
      calls.push({ kind, memo: ctx.memo !== undefined });
      await ctx.memo?.('parent', async () => {
        parentReads.count += 1;
      });
      const resource: ObservedResource = {
        address: `${kind}.main`,
        kind,
        stack: ctx.stacks[0] ?? '',
        id: `${kind}-1`,
        properties: {},
        tags: {},
        status: 'ready',
        attributes: {},
      };
      return [resource];
    },
    async stability(_ctx, observed) {
      const state = states[Math.min(poll, states.length - 1)] ?? 'stable';
      poll += 1;
      return observed.map((resource) => ({
        stack: resource.stack,
        address: resource.address,
        state,
        ...(state === 'stable' ? {} : { detail: `${resource.id} is ${state}` }),
      }));
    },
    diff: () => [],
    create: async () => {
      throw new Error('not in this test');
    },
    update: async () => {
      throw new Error('not in this test');
    },
    delete: async () => {},
  };
}

const ctx: ResourceContext = {
  clients: {} as AwsClients,
  region: 'us-west-2',
  stacks: [],
  log: { info() {}, warn() {}, error() {}, debug() {}, child: () => ctx.log },
};

/** FakeClock's time moves only when the waiter sleeps. */
class FakeClock {
  private current = 0;
  readonly now = () => this.current;
  readonly sleep = async (ms: number) => {
    this.current += ms;
  };
}

test('waitForStable polls each kind through its handler, and a settled kind no more', async () => {
  const calls: { kind: string; memo: boolean }[] = [];
  const parentReads = { count: 0 };
  const handlers = [
    fakeKind('vpc', ['stable'], calls, parentReads),
    fakeKind('ecs-service', ['waiting', 'waiting', 'stable'], calls, parentReads),
  ];
  const lines: string[] = [];
  const result = await waitForStable(ctx, ['demo'], {
    timeoutMs: 60_000,
    intervalMs: 10_000,
    handlers,
    onProgress: (line) => lines.push(line),
    ...new FakeClock(),
  });
  assert.deepStrictEqual(result, { ok: true, problems: [] });
  assert.deepStrictEqual(
    calls.map((call) => call.kind),
    ['vpc', 'ecs-service', 'ecs-service', 'ecs-service'],
    'the vpc settled at the first poll and is not read again',
  );
  assert.ok(
    calls.every((call) => call.memo),
    'every poll observes with a memo',
  );
  assert.equal(parentReads.count, 3, 'one parent read per poll, shared by the kinds');
  assert.deepStrictEqual(lines, [
    'waiting (0s): demo/ecs-service.main: ecs-service-1 is waiting',
    'waiting (10s): demo/ecs-service.main: ecs-service-1 is waiting',
    'stable after 20s',
  ]);
});

test('waitForStable stops at the first failed verdict', async () => {
  const calls: { kind: string; memo: boolean }[] = [];
  const parentReads = { count: 0 };
  const result = await waitForStable(ctx, ['demo'], {
    timeoutMs: 60_000,
    handlers: [
      fakeKind('ecs-service', ['waiting', 'failed'], calls, parentReads),
      fakeKind('db-instance', ['waiting'], calls, parentReads),
    ],
    ...new FakeClock(),
  });
  assert.deepStrictEqual(result, {
    ok: false,
    problems: ['demo/ecs-service.main: ecs-service-1 is failed'],
  });
  assert.equal(calls.length, 4, 'two polls of two kinds');
});

test('waitForStable judges a kind without its own stability check by status', async () => {
  const statuses = ['pending', 'ready'] as const;
  let poll = 0;
  const database: ResourceHandler = {
    ...fakeKind('db-instance', ['stable'], [], { count: 0 }),
    async observeAll(pass) {
      const status = statuses[Math.min(poll, statuses.length - 1)] ?? 'ready';
      poll += 1;
      return [
        {
          address: 'db-instance.main',
          kind: 'db-instance',
          stack: pass.stacks[0] ?? '',
          id: 'demo-db',
          properties: {},
          tags: {},
          status,
          attributes: {},
        },
      ];
    },
  };
  delete database.stability;
  const lines: string[] = [];
  const result = await waitForStable(ctx, ['demo'], {
    timeoutMs: 60_000,
    handlers: [database],
    onProgress: (line) => lines.push(line),
    ...new FakeClock(),
  });
  assert.deepStrictEqual(result, { ok: true, problems: [] });
  assert.deepStrictEqual(lines, [
    'waiting (0s): demo/db-instance.main: demo-db is pending',
    'stable after 10s',
  ]);
});
