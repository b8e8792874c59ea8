/**
 * `npm start` end to end, as a new user runs it: a fresh clone of this repository's HEAD in a
 * folder only its owner may enter (mode 0700, like /root; run as root when the suite runs as
 * root), its node_modules hard-linked from this checkout's (so the PostgreSQL binaries sit under
 * the private folder, exactly as after `npm ci`). `npm start` runs in its own process group (a
 * terminal's foreground job): wait for the printed curl and run it (202), see a line per created
 * resource, edit the spec and see what changed, destroy every local stack with the CLI (nothing
 * owned is left), press Ctrl-C (SIGINT to the group) and check that every process it started, at
 * any depth, is gone; then a second `npm start` in the same clone converges again on the same
 * database. The embedded PostgreSQL, the logs and every port are private to this run.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClients } from '../reconciler/aws/clients.ts';
import { findMotoPython, missingMotoMessage } from '../scripts/local/local-cloud.ts';
import { freePort } from '../scripts/local/ports.ts';
import { clusterDirectory, runAsUser } from '../service/embedded-db-access.ts';
import { taggedResources } from './helpers/count-by-tag.ts';

const root = new URL('..', import.meta.url).pathname;
const READY_TIMEOUT_MS = 150_000;
const STOP_TIMEOUT_MS = 45_000;
const STEP_TIMEOUT_MS = 60_000;

/** ProcessId is a pid with its start time, so a reused pid is not mistaken for a survivor. */
interface ProcessId {
  pid: number;
  startTime: string;
  command: string;
}

function readStat(pid: number): { ppid: number; state: string; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: split after its closing one
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]), startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** collectDescendants adds every live descendant of rootPid to seen (the whole tree, any depth). */
function collectDescendants(rootPid: number, seen: Map<number, ProcessId>): void {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const queue = [rootPid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const pid of children.get(parent) ?? []) {
      const stat = readStat(pid);
      // read the command again while it lives: one first seen between fork and exec still
      // shows its parent's command line
      const known = seen.get(pid);
      if (stat && (!known || known.startTime === stat.startTime)) {
        seen.set(pid, {
          pid,
          startTime: stat.startTime,
          command: commandOf(pid) || known?.command || '',
        });
      }
      queue.push(pid);
    }
  }
}

/** survivors are the recorded processes still alive (a zombie waiting to be reaped is dead). */
function survivors(seen: Map<number, ProcessId>): ProcessId[] {
  return [...seen.values()].filter((process) => {
    const stat = readStat(process.pid);
    return stat !== undefined && stat.startTime === process.startTime && stat.state !== 'Z';
  });
}

/** withMarker lists live processes whose environment holds START_TEST_MARKER=marker. */
function withMarker(marker: string): string[] {
  return readdirSync('/proc').flatMap((entry) => {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) return [];
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const alive = readStat(pid)?.state !== 'Z';
      return alive && environ.includes(`START_TEST_MARKER=${marker}`)
        ? [`${pid} ${commandOf(pid)}`]
        : [];
    } catch {
      return [];
    }
  });
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(
      () => reject(new Error(`npm start did not exit within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const motoMissing = missingMotoMessage(findMotoPython(process.env));
// the clone is of this checkout's HEAD: an export without .git (a source archive) has none
const notACheckout =
  spawnSync('git', ['-C', root, 'rev-parse', '--verify', 'HEAD'], { stdio: 'ignore' }).status === 0
    ? undefined
    : 'not a git checkout: nothing to clone';
// a private folder, as `mktemp -d` makes it: only its owner (root, when the suite runs as root) may enter
const scratch = mkdtempSync(join(tmpdir(), 'start-e2e-'));
const clone = join(scratch, 'aws-reconciler');
let cluster: string | undefined;
let started: ChildProcess | undefined;
const seen = new Map<number, ProcessId>();

before(() => {
  if (motoMissing || notACheckout) return;
  execFileSync('git', ['clone', '--quiet', root, clone]);
  // hard links where possible (same file system), a copy otherwise: either way every file of
  // node_modules, the PostgreSQL binaries included, is under the private folder
  const linked = spawnSync('cp', ['-al', join(root, 'node_modules'), join(clone, 'node_modules')]);
  if (linked.status !== 0) {
    rmSync(join(clone, 'node_modules'), { recursive: true, force: true });
    execFileSync('cp', ['-a', join(root, 'node_modules'), join(clone, 'node_modules')]);
  }
  // where the service will keep the cluster of the clone's .data/postgres (removed after)
  cluster = clusterDirectory(join(clone, '.data', 'postgres'), runAsUser());
});

after(() => {
  if (started?.pid && started.exitCode === null) {
    try {
      process.kill(-started.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const process_ of survivors(seen)) {
    try {
      process.kill(process_.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  if (cluster && !cluster.startsWith(scratch)) rmSync(cluster, { recursive: true, force: true });
});

/** Run is one `npm start` in the clone: its output so far, and how to wait for a line of it. */
interface Run {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpExecArray>;
}

function runEnv(marker: string, pgPort: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('AWS_') &&
        !['DATABASE_URL', 'DATA_DIR', 'NODE_TEST_CONTEXT'].includes(name),
    ),
  );
  env.EMBEDDED_PG_PORT = String(pgPort);
  env.NO_COLOR = '1';
  // Every process of the run inherits this, so one that escaped the tree is found too.
  env.START_TEST_MARKER = marker;
  return env;
}

/** npmStart runs package.json's start script as npm does, without npm in between (exec'ed). */
async function npmStart(env: NodeJS.ProcessEnv): Promise<Run> {
  const manifest = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const args = [
    '--port',
    String(await freePort()),
    '--status-port',
    String(await freePort()),
    '--log-dir',
    join(scratch, 'logs'),
  ];
  const child = spawn('sh', ['-c', `exec ${manifest.scripts.start} "$@"`, 'npm-start', ...args], {
    cwd: clone,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started = child;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return {
    child,
    output: () => output,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        collectDescendants(child.pid as number, seen);
        const found = pattern.exec(output);
        if (found) return found;
        assert.equal(child.exitCode, null, `npm start exited early:\n${output}`);
        assert.ok(Date.now() < deadline, `no ${pattern} within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}

const CURL_LINE = /^\s*(curl -sS -X POST (http:\/\/127\.0\.0\.1:\d+)\/v1\/logs .*)$/m;

function runCurl(run: Run): void {
  const [, curl = ''] = CURL_LINE.exec(run.output()) ?? [];
  const sent = spawnSync('sh', ['-c', `${curl} -o /dev/null -w '%{http_code}'`], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(sent.stdout, '202', `the printed curl answered ${sent.stdout}: ${sent.stderr}`);
}

/** stop presses Ctrl-C and checks that npm start exits 0 and leaves no process behind. */
async function stop(run: Run, marker: string): Promise<void> {
  collectDescendants(run.child.pid as number, seen);
  process.kill(-(run.child.pid as number), 'SIGINT');
  const code = await waitExit(run.child, STOP_TIMEOUT_MS);
  assert.equal(code, 0, `npm start exited ${code} after Ctrl-C:\n${run.output().slice(-3000)}`);
  assert.deepStrictEqual(
    survivors(seen).map((process_) => `${process_.pid} ${process_.command}`),
    [],
    'processes left behind',
  );
  assert.deepStrictEqual(withMarker(marker), [], 'processes with the run environment left behind');
}

test('npm start from a fresh clone in a private folder: Ready, 202, progress, a spec edit, destroy, Ctrl-C, and again', {
  skip: motoMissing ?? notACheckout ?? false,
  timeout: 2 * READY_TIMEOUT_MS + 4 * STEP_TIMEOUT_MS,
}, async () => {
  assert.equal(statSync(scratch).mode & 0o777, 0o700, 'the clone sits in a private folder');
  const marker = `e2e-${process.pid}-${Date.now()}`;
  const env = runEnv(marker, await freePort());
  const first = await npmStart(env);
  await first.waitFor(CURL_LINE, READY_TIMEOUT_MS);
  assert.match(first.output(), /Plan of specs\//);
  assert.match(first.output(), /scalable-logging: Ready/);
  runCurl(first);
  // a line per resource as the daemon creates it, then why it ran and what it did
  assert.match(
    first.output(),
    /^ {2}scalable-logging\/vpc\.main: created \[id=vpc-\w+\] \(\d+\.\ds\)$/m,
  );
  assert.match(
    first.output(),
    /^ {2}scalable-logging: spec added: 48 created \.\.\. done in \d+\.\d s/m,
  );

  // the processes of the whole tree, recorded while it ran: the local cloud, the service,
  // PostgreSQL, the daemon
  const commands = [...seen.values()].map((process_) => process_.command).join('\n');
  for (const expected of [
    /scripts\/local\/cloud\.py/,
    /service\/main\.ts/,
    /postgres/,
    /reconciler\/cli\.ts run/,
  ]) {
    assert.match(commands, expected);
  }

  // a spec edit is applied and shown with what changed
  const specFile = join(clone, 'specs', 'scalable-logging.yaml');
  const spec = readFileSync(specFile, 'utf8');
  assert.match(spec, / {6}maxTasks: 6 /);
  writeFileSync(specFile, spec.replace(/( {6}maxTasks:) 6 /, '$1 8 '));
  await first.waitFor(
    /^ {2}scalable-logging: spec changed: scalable-target\.api maxCapacity 6 -> 8 \.\.\. done in \d+\.\d s$/m,
    STEP_TIMEOUT_MS,
  );

  // every local stack destroyed with the CLI against the printed emulator: nothing owned is left
  const [, endpoint = ''] =
    /AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(first.output()) ?? [];
  const awsEnv = {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-west-2',
  };
  const destroyed = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'reconciler/cli.ts', 'destroy', 'specs/', '--auto-approve'],
    { cwd: clone, env: awsEnv, encoding: 'utf8', timeout: STEP_TIMEOUT_MS },
  );
  assert.equal(destroyed.status, 0, `${destroyed.stdout}\n${destroyed.stderr}`);
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  const clients = createClients({ region: 'us-west-2', endpoint });
  try {
    assert.deepStrictEqual(await taggedResources(clients, 'scalable-logging'), []);
  } finally {
    clients.destroy();
  }
  await stop(first, marker);

  // the second start: a new emulator, the same database, converged again
  const second = await npmStart(env);
  await second.waitFor(CURL_LINE, READY_TIMEOUT_MS);
  assert.match(second.output(), /scalable-logging: Ready/);
  runCurl(second);
  await stop(second, marker);
});
