import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, compact, sameValue, sortingSets } from './json.ts';

const sameCases: Array<{ reason: string; a: unknown; b: unknown; want: boolean }> = [
  { reason: 'key order does not matter', a: { x: 1, y: 2 }, b: { y: 2, x: 1 }, want: true },
  {
    reason: 'an undefined member equals a missing one',
    a: { x: 1, y: undefined },
    b: { x: 1 },
    want: true,
  },
  { reason: 'array order matters', a: [1, 2], b: [2, 1], want: false },
  { reason: 'null equals undefined', a: null, b: undefined, want: true },
  {
    reason: 'different nested values differ',
    a: { r: [{ p: 1 }] },
    b: { r: [{ p: 2 }] },
    want: false,
  },
];

for (const { reason, a, b, want } of sameCases) {
  test(`sameValue: ${reason}`, () => {
    assert.deepStrictEqual(sameValue(a, b), want);
  });
}

test('canonicalJson: sorted keys at every depth', () => {
  assert.deepStrictEqual(
    canonicalJson({ b: { d: 1, c: 2 }, a: [{ f: 1, e: 2 }] }),
    '{"a":[{"e":2,"f":1}],"b":{"c":2,"d":1}}',
  );
});

test('compact: undefined members go, every other value stays', () => {
  assert.deepStrictEqual(compact({ a: 1, b: undefined, c: null, d: '', e: false, f: 0 }), {
    a: 1,
    c: null,
    d: '',
    e: false,
    f: 0,
  });
});

test('sortingSets: the named set-like fields are sorted, the rest is left alone', () => {
  const normalize = sortingSets<{ ids: string[]; order: string[]; gone?: string[] }>('ids', 'gone');
  assert.deepStrictEqual(normalize({ ids: ['b', 'a'], order: ['b', 'a'] }), {
    ids: ['a', 'b'],
    order: ['b', 'a'],
  });
});
