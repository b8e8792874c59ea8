/**
 * `npm start` end to end, as a user runs it: start it in its own process group (a terminal's
 * foreground job), wait for the printed curl, run that curl against the API (202), press Ctrl-C
 * (SIGINT to the group), and check that every process it started, at any depth, is gone.
 * The embedded PostgreSQL, the logs and every port are private to this run.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../scripts/local/ports.ts';
import { findExecutable } from '../scripts/local/which.ts';

const root = new URL('..', import.meta.url).pathname;
const READY_TIMEOUT_MS = 150_000;
const STOP_TIMEOUT_MS = 45_000;

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
      if (stat && !seen.has(pid))
        seen.set(pid, { pid, startTime: stat.startTime, command: commandOf(pid) });
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

const moto = findExecutable('moto_server', process.env.PATH);
const scratch = mkdtempSync(join(tmpdir(), 'start-e2e-'));
// Under root the embedded PostgreSQL runs as the postgres user, who must reach its data directory.
chmodSync(scratch, 0o755);
let started: ChildProcess | undefined;
const seen = new Map<number, ProcessId>();

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
});

test('npm start converges the reference stack on the emulator, the printed curl gets 202, Ctrl-C leaves nothing', {
  skip: moto ? false : "moto_server is not installed (pip install 'moto[server]==5.2.1')",
}, async () => {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('AWS_') && name !== 'DATABASE_URL' && name !== 'NODE_TEST_CONTEXT',
    ),
  );
  env.DATA_DIR = join(scratch, 'postgres');
  env.EMBEDDED_PG_PORT = String(await freePort());
  env.NO_COLOR = '1';
  // Every process of the run inherits this, so one that escaped the tree is found too.
  const marker = `e2e-${process.pid}-${Date.now()}`;
  env.START_TEST_MARKER = marker;
  const args = [
    '--import',
    'tsx',
    'scripts/start.ts',
    '--port',
    String(await freePort()),
    '--status-port',
    String(await freePort()),
    '--log-dir',
    join(scratch, 'logs'),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started = child;
  const startPid = child.pid as number;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const curlLine = /^\s*(curl -sS -X POST (http:\/\/127\.0\.0\.1:\d+)\/v1\/logs .*)$/m;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!curlLine.test(output)) {
    collectDescendants(startPid, seen);
    assert.equal(child.exitCode, null, `npm start exited early:\n${output}`);
    assert.ok(Date.now() < deadline, `no curl line within ${READY_TIMEOUT_MS} ms:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  collectDescendants(startPid, seen);
  assert.match(output, /Plan of specs\//);
  assert.match(output, /scalable-logging: Ready/);

  const [, curl = ''] = curlLine.exec(output) ?? [];
  const sent = spawnSync('sh', ['-c', `${curl} -o /dev/null -w '%{http_code}'`], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(sent.stdout, '202', `the printed curl answered ${sent.stdout}: ${sent.stderr}`);

  // the processes of the whole tree, recorded while it ran: moto, the service, PostgreSQL, the daemon
  const commands = [...seen.values()].map((process_) => process_.command).join('\n');
  for (const expected of [
    /moto_server/,
    /service\/main\.ts/,
    /postgres/,
    /reconciler\/cli\.ts run/,
  ]) {
    assert.match(commands, expected);
  }

  process.kill(-startPid, 'SIGINT');
  const code = await waitExit(child, STOP_TIMEOUT_MS);
  assert.equal(code, 0, `npm start exited ${code} after Ctrl-C:\n${output.slice(-3000)}`);
  const left = survivors(seen);
  assert.deepStrictEqual(
    left.map((process_) => `${process_.pid} ${process_.command}`),
    [],
    'processes left behind',
  );
  assert.deepStrictEqual(withMarker(marker), [], 'processes with the run environment left behind');
});
