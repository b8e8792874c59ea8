import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor, encodeCursor } from './cursor.ts';

test('a cursor round-trips the position with microseconds', () => {
  const position = { timestamp: '2026-11-28T08:00:00.123456Z', id: '9007199254740993' };
  assert.deepStrictEqual(decodeCursor(encodeCursor(position)), position);
});

test('the largest id and the last instant a timestamp takes are a cursor', () => {
  const position = { timestamp: '9999-12-31T23:59:59.999999Z', id: '9223372036854775807' };
  assert.deepStrictEqual(decodeCursor(encodeCursor(position)), position);
});

test('decodeCursor rejects anything encodeCursor did not make', () => {
  const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const cases = [
    { reason: 'not base64url', cursor: 'a b' },
    { reason: 'not JSON', cursor: Buffer.from('nope').toString('base64url') },
    {
      reason: 'SQL in the timestamp',
      cursor: forged(["2026-01-01'; drop table log_event; --", '1']),
    },
    { reason: 'id not a number', cursor: forged(['2026-01-01T00:00:00Z', '1 or 1=1']) },
    { reason: 'wrong shape', cursor: forged({ timestamp: '2026-01-01T00:00:00Z', id: '1' }) },
    { reason: 'month 13', cursor: forged(['2026-13-01T00:00:00Z', '1']) },
    { reason: 'February 30', cursor: forged(['2026-02-30T00:00:00Z', '1']) },
    { reason: 'year 0', cursor: forged(['0000-12-31T00:00:00Z', '1']) },
    { reason: 'id above bigint', cursor: forged(['2026-01-01T00:00:00Z', '9223372036854775808']) },
  ];
  for (const { reason, cursor } of cases) {
    assert.throws(() => decodeCursor(cursor), { code: 'invalid_cursor', status: 400 }, reason);
  }
});
