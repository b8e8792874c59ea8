import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatDuration,
  parseDuration,
  parseStages,
  stageAt,
  targetAt,
  totalDuration,
} from './stages.ts';

test('parseDuration reads single and combined units', () => {
  const cases: Array<[string, number | undefined, string]> = [
    ['500ms', 500, 'milliseconds'],
    ['30s', 30_000, 'seconds'],
    ['2m', 120_000, 'minutes'],
    ['1h', 3_600_000, 'hours'],
    ['1m30s', 90_000, 'combined units'],
    ['1.5s', 1500, 'a fraction'],
    ['30', undefined, 'no unit'],
    ['s', undefined, 'no number'],
    ['30sec', undefined, 'an unknown unit'],
    ['x30s', undefined, 'leading garbage'],
  ];
  for (const [text, expected, reason] of cases) {
    assert.equal(parseDuration(text), expected, reason);
  }
});

test('parseStages reads the k6-style list', () => {
  assert.deepStrictEqual(parseStages('30s:50,2m:400,1m:0'), [
    { durationMs: 30_000, target: 50 },
    { durationMs: 120_000, target: 400 },
    { durationMs: 60_000, target: 0 },
  ]);
  assert.deepStrictEqual(parseStages(' 2s:5 , 3s:20 '), [
    { durationMs: 2000, target: 5 },
    { durationMs: 3000, target: 20 },
  ]);
});

test('parseStages names the flag, the value and the bad part in one line', () => {
  const cases: Array<[string, RegExp, string]> = [
    ['30s:abc', /^--stages 30s:abc: 'abc' is not a number of virtual users/, 'target not a number'],
    ['30s:-5', /'-5' is not a number of virtual users/, 'negative target'],
    ['30s:2.5', /'2.5' is not a number of virtual users/, 'fractional target'],
    ['30x:5', /^--stages 30x:5: '30x' is not a duration/, 'bad unit'],
    ['0s:5', /'0s' is not a duration/, 'zero duration'],
    ['30s', /^--stages 30s: '30s' is not DURATION:USERS/, 'no colon'],
    ['30s:5,,1m:0', /'' is not DURATION:USERS/, 'empty stage'],
    ['', /no stages/, 'empty value'],
    ['1m:999999', /more than 5000/, 'too many users'],
  ];
  for (const [text, pattern, reason] of cases) {
    assert.throws(
      () => parseStages(text),
      (err: Error) =>
        err.name === 'UsageError' && pattern.test(err.message) && !/\n/.test(err.message),
      reason,
    );
  }
});

test('targetAt ramps linearly from the previous target, holds, and ends at 0', () => {
  const stages = parseStages('10s:100,10s:100,10s:0');
  const cases: Array<[number, number, string]> = [
    [0, 0, 'starts from 0'],
    [5000, 50, 'half way up the first ramp'],
    [9999, 100, 'end of the first ramp'],
    [15_000, 100, 'holds in a stage with the same target'],
    [25_000, 50, 'half way down'],
    [30_000, 0, 'past the end'],
    [-5, 0, 'before the start'],
  ];
  for (const [at, expected, reason] of cases) assert.equal(targetAt(stages, at), expected, reason);
});

test('stageAt and totalDuration follow the stage boundaries', () => {
  const stages = parseStages('2s:5,3s:20,2s:0');
  assert.equal(totalDuration(stages), 7000);
  assert.deepStrictEqual(
    [0, 1999, 2000, 4999, 5000, 6999, 9000].map((at) => stageAt(stages, at)),
    [0, 0, 1, 1, 2, 2, 2],
  );
});

test('formatDuration writes what parseDuration reads', () => {
  for (const text of ['500ms', '2s', '1m30s', '2m', '1h', '1h5m']) {
    assert.equal(formatDuration(parseDuration(text)!), text);
  }
});
