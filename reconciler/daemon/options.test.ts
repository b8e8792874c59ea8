import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseListen, parseRunArgs } from './options.ts';

test('parseDuration', () => {
  const cases = [
    { text: '500ms', ms: 500 },
    { text: '30s', ms: 30_000 },
    { text: '5m', ms: 300_000 },
    { text: '1h', ms: 3_600_000 },
    { text: '1m30s', ms: 90_000 },
    { text: '2', ms: 2_000 },
    { text: '0.5s', ms: 500 },
  ];
  for (const { text, ms } of cases) assert.equal(parseDuration(text), ms, text);
  for (const bad of ['', '5x', 'm', '5 m', '-1s', '1s2']) {
    assert.throws(() => parseDuration(bad, '--resync'), /--resync: cannot read duration/, bad);
  }
});

test('parseListen', () => {
  const cases = [
    { text: '127.0.0.1:9464', want: { host: '127.0.0.1', port: 9464 } },
    { text: ':8080', want: { host: '0.0.0.0', port: 8080 } },
    { text: '[::1]:0', want: { host: '::1', port: 0 } },
  ];
  for (const { text, want } of cases) assert.deepStrictEqual(parseListen(text), want, text);
  assert.throws(() => parseListen('9464'), /expected HOST:PORT/);
});

test('parseRunArgs: defaults, git source, lease, and errors', () => {
  const env = { AWS_REGION: 'eu-west-1' };
  const local = parseRunArgs(['specs/'], env);
  assert.ok(local !== 'help');
  assert.deepStrictEqual(
    [
      local.specPaths,
      local.git,
      local.resyncMs,
      local.pendingRequeueMs,
      local.concurrency,
      local.lease,
      local.listen,
      local.region,
      local.shutdownTimeoutMs,
      local.backoffBaseMs,
      local.backoffCapMs,
    ],
    [
      ['specs/'],
      undefined,
      300_000,
      15_000,
      2,
      undefined,
      { host: '127.0.0.1', port: 9464 },
      'eu-west-1',
      30_000,
      5_000,
      300_000,
    ],
  );
  const git = parseRunArgs(
    [
      '--git-url',
      'https://h/r.git',
      '--git-path',
      'specs',
      '--git-poll',
      '10s',
      '--lease-table',
      'leases',
      '--lease-ttl',
      '6s',
    ],
    env,
  );
  assert.ok(git !== 'help');
  assert.deepStrictEqual(
    [
      git.git?.branch,
      git.git?.path,
      git.git?.pollMs,
      git.git?.cacheDir.startsWith('.data/git-cache/'),
      git.lease,
    ],
    [
      'main',
      'specs',
      10_000,
      true,
      { table: 'leases', name: 'reconciler', ttlMs: 6_000, shared: false },
    ],
  );
  assert.equal(parseRunArgs(['--help']), 'help');
  const errors = [
    { argv: [], message: /no specs/ },
    { argv: ['specs', '--git-url', 'u'], message: /not both/ },
    { argv: ['specs', '--concurrency', '0'], message: /--concurrency/ },
    { argv: ['specs', '--aws-rps', 'fast'], message: /--aws-rps/ },
    { argv: ['specs', '--lease-ttl', '1s', '--lease-table', 't'], message: /--lease-ttl/ },
    { argv: ['specs', '--share-stacks'], message: /--share-stacks: needs --lease-table/ },
    { argv: ['specs', '--bogus'], message: /bogus/ },
  ];
  for (const { argv, message } of errors)
    assert.throws(() => parseRunArgs(argv, env), message, argv.join(' '));
});
