import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KeyedDelta, keyedDelta } from './keyed-delta.ts';

type Route = { destination: string; target: string };
const route = (destination: string, target: string): Route => ({ destination, target });

test('keyedDelta: what to add, change and remove, matched by key', () => {
  const cases: Array<{
    reason: string;
    desired: Route[];
    live: Route[];
    want: KeyedDelta<Route, Route>;
  }> = [
    {
      reason: 'equal collections need nothing, whatever the order',
      desired: [route('a', '1'), route('b', '2')],
      live: [route('b', '2'), route('a', '1')],
      want: { add: [], change: [], remove: [] },
    },
    {
      reason: 'a new key is added, a changed member is changed, a key no longer wanted is removed',
      desired: [route('a', '1'), route('b', '3'), route('c', '4')],
      live: [route('d', '9'), route('b', '2'), route('a', '1')],
      want: {
        add: [route('c', '4')],
        change: [{ desired: route('b', '3'), live: route('b', '2') }],
        remove: [route('d', '9')],
      },
    },
    {
      reason: 'from nothing everything is added; to nothing everything is removed',
      desired: [route('a', '1')],
      live: [],
      want: { add: [route('a', '1')], change: [], remove: [] },
    },
    {
      reason: 'a key given twice counts once, the first time',
      desired: [route('a', '1'), route('a', '2')],
      live: [route('a', '1'), route('a', '3')],
      want: { add: [], change: [], remove: [] },
    },
  ];
  for (const { reason, desired, live, want } of cases) {
    assert.deepStrictEqual(
      keyedDelta(desired, live, { key: (member) => member.destination }),
      want,
      reason,
    );
  }
});

test('keyedDelta: ids against live objects, matched by the id and compared by `same`', () => {
  const live = [
    { subnetId: 'subnet-1', associationId: 'a-1' },
    { subnetId: 'subnet-2', associationId: 'a-2' },
  ];
  assert.deepStrictEqual(
    keyedDelta(['subnet-2', 'subnet-3'], live, {
      liveKey: (association) => association.subnetId,
      same: () => true,
    }),
    { add: ['subnet-3'], change: [], remove: [{ subnetId: 'subnet-1', associationId: 'a-1' }] },
  );
});

test('keyedDelta: a set of ids needs no key', () => {
  assert.deepStrictEqual(keyedDelta(['a', 'b', 'b'], ['c', 'a']), {
    add: ['b'],
    change: [],
    remove: ['c'],
  });
});
