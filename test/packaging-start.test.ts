/**
 * `npm start` without the whole system: the target decision, the emulator environment, reading
 * the daemon's /status, process-group supervision, and the two refusals (credentials without
 * --target, moto missing) run as real processes.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { findMotoPython, missingMotoMessage } from '../scripts/local/local-cloud.ts';
import { freePort } from '../scripts/local/ports.ts';
import { groupAlive, spawnManaged } from '../scripts/local/processes.ts';
import { allReady, progressLine, readStatus } from '../scripts/local/status.ts';
import { decideTarget, emulatorEnv } from '../scripts/local/target.ts';
import { findExecutable } from '../scripts/local/which.ts';

const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'start-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('decideTarget: explicit target wins, credentials without one are refused', () => {
  const cases = [
    { reason: 'fresh machine', target: undefined, env: {}, expected: 'local' },
    {
      reason: 'empty variables do not count',
      target: undefined,
      env: { AWS_PROFILE: ' ' },
      expected: 'local',
    },
    { reason: 'a profile', target: undefined, env: { AWS_PROFILE: 'prod' }, expected: 'refused' },
    { reason: 'keys', target: undefined, env: { AWS_ACCESS_KEY_ID: 'AKIA' }, expected: 'refused' },
    {
      reason: 'another endpoint',
      target: undefined,
      env: { AWS_ENDPOINT_URL: 'http://localhost:4566' },
      expected: 'refused',
    },
    {
      reason: 'local despite a profile',
      target: 'local',
      env: { AWS_PROFILE: 'prod' },
      expected: 'local',
    },
    { reason: 'aws explicitly', target: 'aws', env: { AWS_PROFILE: 'prod' }, expected: 'aws' },
    { reason: 'aws without credentials (instance role)', target: 'aws', env: {}, expected: 'aws' },
    { reason: 'unknown target', target: 'prod', env: {}, expected: 'refused' },
  ];
  for (const { reason, target, env, expected } of cases) {
    const decision = decideTarget(target, env);
    assert.equal('refusal' in decision ? 'refused' : decision.target, expected, reason);
  }
  const refusal = decideTarget(undefined, { AWS_PROFILE: 'prod', AWS_ENDPOINT_URL: 'http://x' });
  assert.ok('refusal' in refusal);
  assert.match(refusal.refusal, /AWS_PROFILE, AWS_ENDPOINT_URL/);
  assert.match(refusal.refusal, /--target aws/);
  assert.deepStrictEqual(decideTarget('local', { AWS_PROFILE: 'prod' }), {
    target: 'local',
    ignored: ['AWS_PROFILE'],
  });
});

test('emulatorEnv drops every AWS variable of the caller and points at the emulator', () => {
  const env = emulatorEnv(
    {
      PATH: '/bin',
      AWS_PROFILE: 'prod',
      AWS_SESSION_TOKEN: 't',
      AWS_CONFIG_FILE: '/x',
      HOME: '/h',
    },
    'http://127.0.0.1:5000',
  );
  assert.deepStrictEqual(env, {
    PATH: '/bin',
    HOME: '/h',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-west-2',
    AWS_DEFAULT_REGION: 'us-west-2',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
});

function stack(name: string, ready: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    conditions: [
      {
        type: 'Ready',
        status: ready,
        reason: ready === 'True' ? 'Available' : 'Pending',
        message: 'm',
      },
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message: 'ok' },
    ],
    pending: [],
    specErrors: [],
    ...extra,
  };
}

test('readStatus and progressLine follow the daemon /status', () => {
  const cases = [
    { reason: 'not started', body: { stacks: [] }, lines: [], ready: false },
    { reason: 'not JSON we know', body: 'nope', lines: [], ready: false },
    {
      reason: 'bare list, converging',
      body: [stack('shop', 'Unknown')],
      lines: ['shop: converging'],
      ready: false,
    },
    {
      reason: 'pending resources',
      body: {
        stacks: [stack('shop', 'False', { pending: ['nat-gateway.a', 'db-instance.main'] })],
      },
      lines: ['shop: converging, waiting for nat-gateway.a, db-instance.main'],
      ready: false,
    },
    {
      reason: 'one of two ready',
      body: { stacks: [stack('a', 'True'), stack('b', 'False')] },
      lines: ['a: Ready (m)', 'b: Pending: m'],
      ready: false,
    },
    {
      reason: 'reconcile error',
      body: {
        stacks: [
          {
            ...stack('a', 'False'),
            conditions: [
              { type: 'Synced', status: 'False', reason: 'ReconcileError', message: 'x' },
            ],
            lastError: { message: 'cannot create vpc.main: boom', at: 'now', terminal: false },
          },
        ],
      },
      lines: ['a: not synced, ReconcileError: cannot create vpc.main: boom'],
      ready: false,
    },
    {
      reason: 'invalid spec',
      body: { stacks: [stack('a', 'False', { specErrors: ['a.yaml:3:1 bad'] })] },
      lines: ['a: invalid spec: a.yaml:3:1 bad'],
      ready: false,
    },
    {
      reason: 'all ready',
      body: { stacks: [stack('a', 'True'), stack('b', 'True')] },
      lines: ['a: Ready (m)', 'b: Ready (m)'],
      ready: true,
    },
  ];
  for (const { reason, body, lines, ready } of cases) {
    const stacks = readStatus(body);
    assert.deepStrictEqual(
      { lines: stacks.map(progressLine), ready: allReady(stacks) },
      { lines, ready },
      reason,
    );
  }
});

test('findExecutable looks only at executable files on the PATH', () => {
  const dir = join(scratch, 'bin');
  spawnSync('mkdir', ['-p', join(dir, 'moto_dir')]);
  writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
  chmodSync(join(dir, 'tool'), 0o755);
  writeFileSync(join(dir, 'plain'), 'x');
  assert.equal(findExecutable('tool', `/nonexistent:${dir}`), join(dir, 'tool'));
  assert.equal(findExecutable('plain', dir), undefined);
  assert.equal(findExecutable('moto_dir', dir), undefined);
  assert.equal(findExecutable('tool', undefined), undefined);
});

test('a stopped child takes its whole process group, grandchildren included, with it', async () => {
  const child = spawnManaged({
    name: 'tree',
    command: 'sh',
    args: ['-c', 'sleep 300 & sleep 300 & echo started; wait'],
    env: process.env,
    cwd: scratch,
    logFile: join(scratch, 'tree.log'),
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(groupAlive(child.pid));
  await child.stop(1000);
  assert.equal(child.running(), false);
  assert.equal(groupAlive(child.pid), false, 'a grandchild survived');
  assert.match(readFileSync(join(scratch, 'tree.log'), 'utf8'), /started/);
});

test('an early exit is reported with the last lines of output', async () => {
  const child = spawnManaged({
    name: 'dies',
    command: 'sh',
    args: ['-c', 'for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; exit 3'],
    env: process.env,
    cwd: scratch,
    logFile: join(scratch, 'dies.log'),
    tailLines: 3,
  });
  assert.deepStrictEqual(await child.exited, { code: 3, signal: null });
  assert.equal(child.tail(), 'line 4\nline 5\noops');
});

function start(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

function withoutAws(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('AWS_')));
}

test('npm start refuses to run with AWS credentials and no --target', () => {
  const result = start([], { ...withoutAws(process.env), AWS_PROFILE: 'production' });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /AWS credentials are set in the environment \(AWS_PROFILE\)/);
  assert.match(result.stderr, /npm start -- --target aws/);
  assert.equal(result.stdout, '');
});

test('npm start says how to install moto when moto is missing', () => {
  const result = start([], { ...withoutAws(process.env), PATH: dirname(process.execPath) });
  assert.equal(result.status, 1, result.stderr);
  assert.ok(
    result.stderr.includes("pip install 'moto[server]==5.2.1'"),
    `no install hint in: ${result.stderr}`,
  );
});

test('the local cloud runs on the first Python that has moto, and names a wrong version', () => {
  const bin = join(scratch, 'pythons');
  spawnSync('mkdir', ['-p', join(bin, 'none'), join(bin, 'old')]);
  const fake = (dir: string, script: string) => {
    writeFileSync(join(bin, dir, 'python3'), `#!/bin/sh\n${script}\n`);
    chmodSync(join(bin, dir, 'python3'), 0o755);
  };
  fake('none', 'echo "ModuleNotFoundError: No module named moto" >&2; exit 1');
  fake('old', 'echo /opt/py/bin/python3; echo 5.1.0');
  const env = (dir: string) => ({ PATH: `${join(bin, dir)}:${dirname(process.execPath)}` });
  assert.equal(findMotoPython(env('none')), undefined);
  const old = findMotoPython(env('old'));
  assert.deepStrictEqual(old, { executable: '/opt/py/bin/python3', motoVersion: '5.1.0' });
  assert.match(missingMotoMessage(old) ?? '', /moto 5\.1\.0 is installed .*needs 5\.2\.1/);
  assert.match(missingMotoMessage(undefined) ?? '', /pip install 'moto\[server\]==5\.2\.1'/);
  assert.deepStrictEqual(findMotoPython({ ...env('none'), LOCAL_CLOUD_PYTHON: '/x/python' }), {
    executable: '/x/python',
    motoVersion: undefined,
  });
});

test('npm start rejects unknown options and explains itself with --help', () => {
  const help = start(['--help'], withoutAws(process.env));
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--target local\|aws/);
  const bad = start(['--port', 'eighty'], withoutAws(process.env));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--port must be a port number, got 'eighty'/);
});

/** processesWithMarker lists the live processes whose environment holds MARKER=value. */
function processesWithMarker(value: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && environ.split('\0').includes(`START_TEST_MARKER=${value}`)) {
        found.push(
          `${entry} ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')}`,
        );
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

test('processesWithMarker sees a live process by its environment', async () => {
  const marker = `probe-${process.pid}-${Date.now()}`;
  const sleeper = spawn('sleep', ['30'], { env: { ...process.env, START_TEST_MARKER: marker } });
  await new Promise((resolve) => setTimeout(resolve, 100));
  try {
    assert.equal(processesWithMarker(marker).length, 1);
  } finally {
    sleeper.kill('SIGKILL');
  }
});

test('a child that dies early stops the others and fails with its last output', async () => {
  const bin = join(scratch, 'fake-moto');
  spawnSync('mkdir', ['-p', bin]);
  // the Python that runs the local cloud: this one fails as moto does when its port is taken
  writeFileSync(
    join(bin, 'python3'),
    '#!/bin/sh\necho "starting moto"\necho "OSError: [Errno 98] Address already in use" >&2\nexit 3\n',
  );
  chmodSync(join(bin, 'python3'), 0o755);
  const marker = `early-${process.pid}-${Date.now()}`;
  const dataDir = join(scratch, 'early-pg');
  chmodSync(scratch, 0o755);
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts', '--log-dir', join(scratch, 'early-logs')],
      {
        cwd: root,
        env: {
          ...withoutAws(process.env),
          LOCAL_CLOUD_PYTHON: join(bin, 'python3'),
          DATABASE_URL: '',
          DATA_DIR: dataDir,
          START_TEST_MARKER: marker,
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
  assert.equal(result.code, 1, result.output);
  assert.match(result.output, /moto exited unexpectedly \(code 3\)\. Its last output:/);
  assert.match(result.output, /Address already in use/);
  assert.match(result.output, /stopping .*service/);
  assert.deepStrictEqual(processesWithMarker(marker), [], 'processes left behind');
});

test('--target aws runs only the reconciler, with the caller credentials and endpoint', async () => {
  const closedPort = await freePort();
  const marker = `aws-${process.pid}-${Date.now()}`;
  const result = start(['--target', 'aws', '--log-dir', join(scratch, 'aws-logs')], {
    ...withoutAws(process.env),
    AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}`,
    AWS_ACCESS_KEY_ID: 'caller-key',
    AWS_SECRET_ACCESS_KEY: 'caller-secret',
    AWS_REGION: 'us-west-2',
    START_TEST_MARKER: marker,
    NO_COLOR: '1',
  });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 1, output);
  assert.match(output, /Target: the real AWS account/);
  // nothing local was started (the CLI's hint may still name `npm run cloud`)
  assert.doesNotMatch(
    output,
    /local cloud \(moto with fixes|service at |converged on the local cloud/,
  );
  assert.ok(
    output.includes(`127.0.0.1:${closedPort}`),
    `the plan did not use the caller endpoint:\n${output}`,
  );
  assert.deepStrictEqual(processesWithMarker(marker), []);
});
