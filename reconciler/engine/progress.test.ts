import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatElapsed, formatProgress, type ProgressEvent } from './progress.ts';

describe('formatProgress', () => {
  const base = { stack: 'demo', address: 'subnet.private-a', action: 'create' } as const;
  const cases: Array<{
    reason: string;
    event: ProgressEvent;
    withStack?: boolean;
    expected: string;
  }> = [
    {
      reason: 'a create starts',
      event: { ...base, type: 'start', step: 'create' },
      expected: 'subnet.private-a: creating...',
    },
    {
      reason: 'a create finishes with its id and elapsed time',
      event: { ...base, type: 'finish', step: 'create', id: 'subnet-0abc', elapsedMs: 1234 },
      expected: 'subnet.private-a: created [id=subnet-0abc] (1.2s)',
    },
    {
      reason: 'a pending create says so',
      event: {
        ...base,
        type: 'finish',
        step: 'create',
        id: 'nat-1',
        elapsedMs: 400,
        pending: true,
      },
      expected: 'subnet.private-a: created [id=nat-1] (0.4s), still pending in AWS',
    },
    {
      reason: 'a delete names the id when it starts',
      event: { ...base, action: 'delete', type: 'start', step: 'delete', id: 'subnet-0abc' },
      expected: 'subnet.private-a: destroying... [id=subnet-0abc]',
    },
    {
      reason: 'a retained resource is untagged',
      event: { ...base, action: 'delete', type: 'finish', step: 'untag', id: 'x', elapsedMs: 100 },
      expected: 'subnet.private-a: untagged, left in AWS [id=x] (0.1s)',
    },
    {
      reason: 'a failure carries the message',
      event: { ...base, type: 'fail', step: 'update', elapsedMs: 50, message: 'Boom: no' },
      expected: 'subnet.private-a: update failed (0.1s): Boom: no',
    },
    {
      reason: 'a skip says why, prefixed by the stack when asked',
      event: { ...base, type: 'skip', step: 'create', message: 'vpc.main failed' },
      withStack: true,
      expected: 'demo/subnet.private-a: skipped (vpc.main failed)',
    },
  ];
  for (const testCase of cases) {
    it(testCase.reason, () => {
      assert.deepStrictEqual(
        formatProgress(testCase.event, { withStack: testCase.withStack }),
        testCase.expected,
      );
    });
  }
  it('prints minutes from a minute on', () => {
    assert.deepStrictEqual([formatElapsed(59_940), formatElapsed(123_000)], ['59.9s', '2m3s']);
  });
});
