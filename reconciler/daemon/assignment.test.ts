import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AssignmentInput, assign, type StackLeaseItem } from './assignment.ts';

const NOW = 1_000_000;
const STACKS = Array.from({ length: 10 }, (_, i) => `s${i}`);

function input(over: Partial<AssignmentInput> & { me: string }): AssignmentInput {
  return {
    now: NOW,
    stacks: STACKS,
    replicas: new Map(),
    leases: new Map(),
    held: new Map(),
    busy: new Set(),
    ...over,
  };
}

/** round runs assign for every replica in turn, applying its writes as the table would. */
function round(
  replicas: string[],
  leases: Map<string, StackLeaseItem>,
  held: Map<string, Map<string, number>>,
): void {
  const heartbeats = new Map(replicas.map((id) => [id, NOW + 10_000]));
  for (const me of replicas) {
    const mine = held.get(me) ?? new Map<string, number>();
    held.set(me, mine);
    const plan = assign(input({ me, replicas: heartbeats, leases, held: mine }));
    for (const stack of plan.release) {
      const lease = leases.get(stack);
      if (lease) leases.set(stack, { ...lease, expiresAt: 0 });
      mine.delete(stack);
    }
    for (const stack of plan.claim) {
      const token = (leases.get(stack)?.token ?? 0) + 1;
      leases.set(stack, { holder: me, token, expiresAt: NOW + 10_000 });
      mine.set(stack, token);
    }
  }
}

function counts(leases: Map<string, StackLeaseItem>): Map<string, number> {
  const by = new Map<string, number>();
  for (const lease of leases.values()) by.set(lease.holder, (by.get(lease.holder) ?? 0) + 1);
  return by;
}

test('a lone replica claims every stack', () => {
  const plan = assign(input({ me: 'a' }));
  assert.equal(plan.share, 10);
  assert.deepStrictEqual([...plan.claim].sort(), [...STACKS].sort());
  assert.deepStrictEqual(plan.release, []);
});

test('three replicas starting together hold every stack once, none more than ceil(10 / 3)', () => {
  const leases = new Map<string, StackLeaseItem>();
  const held = new Map<string, Map<string, number>>();
  round(['a', 'b', 'c'], leases, held);
  round(['a', 'b', 'c'], leases, held);
  assert.equal(leases.size, 10);
  const by = counts(leases);
  assert.deepStrictEqual([...by.keys()].sort(), ['a', 'b', 'c'], JSON.stringify([...by]));
  assert.ok(
    [...by.values()].every((n) => n <= 4),
    JSON.stringify([...by]),
  );
});

test('a replica that joins gets a share: the others release their excess, idle stacks first', () => {
  const leases = new Map<string, StackLeaseItem>(
    STACKS.map((stack) => [stack, { holder: 'a', token: 1, expiresAt: NOW + 5_000 }]),
  );
  const mine = new Map(STACKS.map((stack) => [stack, 1]));
  const replicas = new Map([
    ['a', NOW + 5_000],
    ['b', NOW + 5_000],
  ]);
  const plan = assign(input({ me: 'a', replicas, leases, held: mine, busy: new Set(['s3']) }));
  assert.equal(plan.share, 5);
  assert.equal(plan.renew.length, 5);
  assert.equal(plan.release.length, 5);
  assert.ok(plan.renew.includes('s3'), 'the stack being applied is kept');
  assert.deepStrictEqual(plan.claim, []);
  const joined = assign(input({ me: 'b', replicas, leases, held: new Map() }));
  assert.deepStrictEqual(joined.claim, [], 'nothing is free until a releases');
});

test("a dead replica's stacks are claimed once its leases expire, not before", () => {
  const leases = new Map<string, StackLeaseItem>([
    ['s0', { holder: 'dead', token: 3, expiresAt: NOW + 1 }],
    ['s1', { holder: 'dead', token: 3, expiresAt: NOW }],
  ]);
  const replicas = new Map([
    ['dead', NOW - 1],
    ['b', NOW + 5_000],
  ]);
  const plan = assign(input({ me: 'b', stacks: ['s0', 's1'], replicas, leases }));
  assert.deepStrictEqual(plan.live, ['b'], 'an expired heartbeat is not counted');
  assert.deepStrictEqual(plan.claim, ['s1']);
});

test('a lease with another token is not renewed: it was lost and taken again', () => {
  const leases = new Map<string, StackLeaseItem>([
    ['s0', { holder: 'a', token: 5, expiresAt: NOW + 5_000 }],
  ]);
  const plan = assign(input({ me: 'a', stacks: ['s0'], leases, held: new Map([['s0', 4]]) }));
  assert.deepStrictEqual(plan.renew, []);
  assert.deepStrictEqual(plan.claim, []);
});

test('replicas prefer different free stacks', () => {
  const a = assign(input({ me: 'a', replicas: new Map([['b', NOW + 1]]) }));
  const b = assign(input({ me: 'b', replicas: new Map([['a', NOW + 1]]) }));
  assert.equal(a.share, 5);
  assert.notDeepStrictEqual(a.claim, b.claim);
});
