import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PER_RESOURCE_READS, readEach } from './read-each.ts';

function awsError(name: string): Error {
  return Object.assign(new Error(`${name} message`), { name });
}

test('readEach', async () => {
  const cases: Array<{
    reason: string;
    items: number[];
    notFound: string[];
    fail: Record<number, string>;
    expected: number[] | string;
  }> = [
    {
      reason: 'results keep the input order',
      items: [3, 1, 2],
      notFound: [],
      fail: {},
      expected: [30, 10, 20],
    },
    {
      reason: "an item gone with the kind's own code is dropped",
      items: [1, 2, 3],
      notFound: ['TargetGroupNotFound'],
      fail: { 2: 'TargetGroupNotFound' },
      expected: [10, 30],
    },
    {
      reason: 'an item gone with a generic not-found code is dropped',
      items: [1, 2],
      notFound: [],
      fail: { 1: 'ResourceNotFoundException' },
      expected: [20],
    },
    {
      reason: 'any other error fails the read',
      items: [1, 2],
      notFound: ['TargetGroupNotFound'],
      fail: { 2: 'AccessDenied' },
      expected: 'AccessDenied message',
    },
  ];
  for (const { reason, items, notFound, fail, expected } of cases) {
    const read = async (item: number) => {
      const code = fail[item];
      if (code) throw awsError(code);
      return item * 10;
    };
    const actual = await readEach(items, notFound, read).catch((err: Error) => err.message);
    assert.deepStrictEqual(actual, expected, reason);
  }
});

test('readEach runs at most PER_RESOURCE_READS reads at once', async () => {
  let running = 0;
  let most = 0;
  await readEach([...Array(PER_RESOURCE_READS * 3).keys()], [], async () => {
    running += 1;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
  });
  assert.equal(most, PER_RESOURCE_READS);
});
