import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STAGES, parseLoadtestArgs } from './args.ts';

test('defaults: the k6-style ramp, samples every 5 s, results in loadtest-results/', () => {
  const options = parseLoadtestArgs(['--url', 'http://127.0.0.1:3000'], {});
  assert.deepStrictEqual(options, {
    url: 'http://127.0.0.1:3000',
    stagesText: DEFAULT_STAGES,
    stages: [
      { durationMs: 30_000, target: 50 },
      { durationMs: 120_000, target: 400 },
      { durationMs: 60_000, target: 0 },
    ],
    sampleEveryMs: 5000,
    out: 'loadtest-results',
  });
});

test('--stack takes its region from --region or the environment', () => {
  const argv = ['--url', 'http://a:1', '--stack', 'scalable-logging', '--stages', '2s:5'];
  const fromEnv = parseLoadtestArgs(argv, { AWS_REGION: 'us-west-2' });
  assert.ok(fromEnv !== 'help');
  assert.equal(fromEnv.region, 'us-west-2');
  assert.equal(fromEnv.stack, 'scalable-logging');
  const given = parseLoadtestArgs([...argv, '--region', 'eu-west-1'], { AWS_REGION: 'us-west-2' });
  assert.ok(given !== 'help');
  assert.equal(given.region, 'eu-west-1');
  assert.equal(parseLoadtestArgs(['--help'], {}), 'help');
});

test('a bad flag is one line naming the flag and the value', () => {
  const cases: Array<[string[], RegExp, string]> = [
    [[], /^--url is required/, 'no --url'],
    [['--url', 'localhost:3000'], /^--url localhost:3000: not an http/, 'no scheme'],
    [['--url', 'ftp://x'], /^--url ftp:\/\/x: not an http/, 'another scheme'],
    [['--url', 'http://x/?a=1'], /^--url http:\/\/x\/\?a=1: not an http/, 'a query string'],
    [
      ['--url', 'http://x', '--stages', '30s:abc'],
      /^--stages 30s:abc: 'abc' is not a number/,
      'bad stage',
    ],
    [
      ['--url', 'http://x', '--stages', '5s:0'],
      /^--stages 5s:0: every stage has 0 users/,
      'no load',
    ],
    [
      ['--url', 'http://x', '--sample-every', '10'],
      /^--sample-every 10: not a duration/,
      'no unit',
    ],
    [
      ['--url', 'http://x', '--sample-every', '100ms'],
      /^--sample-every 100ms: .*at least 1s/,
      'too often',
    ],
    [['--url', 'http://x', '--stack', 'a b'], /^--stack a b: not a stack name/, 'bad stack'],
    [['--url', 'http://x', '--stack', 'web'], /^--stack web: no region/, 'no region'],
    [['--url', 'http://x', '--bogus'], /^Unknown option '--bogus' \(see --help\)$/, 'unknown flag'],
    [['--url'], /^Option '--url <value>' argument missing \(see --help\)$/, 'flag without value'],
    [['--url', 'http://x', 'extra'], /positional argument/, 'a stray argument'],
  ];
  for (const [argv, pattern, reason] of cases) {
    assert.throws(
      () => parseLoadtestArgs(argv, {}),
      (err: Error) =>
        err.name === 'UsageError' && pattern.test(err.message) && !err.message.includes('\n'),
      reason,
    );
  }
});
