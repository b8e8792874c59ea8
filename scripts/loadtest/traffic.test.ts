import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateEvents } from '../../service/validate-events.ts';
import { eventBatch, MIX, type RequestKind, VirtualUser } from './traffic.ts';

function seeded(seed: number): () => number {
  // mulberry32: small, and without the correlated low bits of a plain LCG
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('a batch is valid for the service, with unique ids, several levels and trace ids', () => {
  const body = eventBatch(seeded(1), 'vu1-1', 100, Date.parse('2026-12-01T10:00:00Z'));
  const events = JSON.parse(body) as Array<Record<string, unknown>>;
  const { problems } = validateEvents(events, new Date().toISOString());
  assert.deepStrictEqual(problems, []);
  assert.equal(events.length, 100);
  assert.equal(new Set(events.map((event) => event.id)).size, 100, 'idempotency keys are unique');
  assert.ok(new Set(events.map((event) => event.level)).size >= 3, 'a mix of levels');
  assert.ok(
    events.some((event) => event.traceId),
    'some events carry a trace id',
  );
  assert.equal(new Set(events.map((event) => event.service)).size, 1, 'one service per batch');
});

test('the requests follow the weights of MIX', () => {
  const user = new VirtualUser('vu1', seeded(7));
  const counts = new Map<RequestKind, number>();
  for (let n = 0; n < 10_000; n++) {
    const { kind } = user.next();
    const choice = kind === 'next-page' ? 'page' : kind;
    counts.set(choice, (counts.get(choice) ?? 0) + 1);
  }
  for (const [kind, weight] of MIX) {
    const share = ((counts.get(kind) ?? 0) / 10_000) * 100;
    assert.ok(Math.abs(share - weight) < 2, `${kind}: ${share}% for weight ${weight}`);
  }
});

test('a page answer with a cursor makes the next page request follow it, at most five times', () => {
  const user = new VirtualUser('vu1', seeded(3));
  const pages: string[] = [];
  while (pages.length < 8) {
    const request = user.next();
    if (request.kind !== 'page' && request.kind !== 'next-page') continue;
    pages.push(
      request.kind === 'next-page'
        ? new URL(request.path, 'http://x').searchParams.get('cursor')!
        : 'first',
    );
    user.onResponse(200, `{"events":[],"nextCursor":"c${pages.length}"}`);
  }
  assert.deepStrictEqual(pages, ['first', 'c1', 'c2', 'c3', 'c4', 'c5', 'first', 'c7']);
  const last = user.last!;
  user.onResponse(200, '{"events":[],"nextCursor":null}');
  let next = user.next();
  while (next.kind !== 'page' && next.kind !== 'next-page') next = user.next();
  assert.equal(next.kind, 'page', `after the last page (${last.path}) a new listing starts`);
});

test('every query the mix sends is one the service accepts', () => {
  const user = new VirtualUser('vu1', seeded(11));
  for (let n = 0; n < 500; n++) {
    const request = user.next();
    const url = new URL(request.path, 'http://x');
    assert.match(url.pathname, /^\/v1\/(logs|logs\/stats|services)$/);
    for (const [name, value] of url.searchParams) {
      assert.ok(
        ['limit', 'service', 'level', 'since', 'q', 'cursor', 'bucket'].includes(name),
        name,
      );
      assert.notEqual(value, '', `${name} is never empty`);
    }
  }
});
