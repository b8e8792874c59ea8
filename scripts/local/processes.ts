/**
 * Child processes for `npm start`: each runs in its own process group, so a terminal's Ctrl-C
 * reaches only the supervisor, which then stops the children in order, and a stop can take a
 * child's own children (PostgreSQL under the service) down with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** Exit is how a child ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** ManagedProcessOptions says what to run and where its output goes. */
export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** logFile receives every line of stdout and stderr. */
  logFile: string;
  /** onLine sees each complete output line (stdout and stderr alike). */
  onLine?: (line: string) => void;
  /** tailLines is how many last lines tail() keeps (default 40). */
  tailLines?: number;
  /**
   * signalGroup: stop() sends its SIGTERM to the whole process group, for a command that runs
   * the real program as a child (a pyenv shim in front of moto_server) rather than exec'ing it.
   */
  signalGroup?: boolean;
}

/** ManagedProcess is one running child in its own process group. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** exited settles when the child has exited and its output is flushed to the log. */
  readonly exited: Promise<Exit>;
  running(): boolean;
  /** tail returns the last lines of its output, for the report of an early death. */
  tail(): string;
  /**
   * stop sends SIGTERM to the child (or its group), waits up to graceMs, then SIGKILLs the group;
   * finally anything left in the group (a grandchild) gets SIGTERM then SIGKILL.
   */
  stop(graceMs: number): Promise<void>;
  /** kill SIGKILLs the whole process group at once (a second Ctrl-C). */
  kill(): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** groupAlive tells whether any process is left in the process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** stopGroup ends whatever is left in a process group: SIGTERM, up to graceMs, then SIGKILL. */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
}

function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line.replace(/\r$/, ''));
    if (pending.length > 64 * 1024) {
      onLine(pending);
      pending = '';
    }
  };
}

/** spawnManaged starts a child in a new process group with its output logged and tailed. */
export function spawnManaged(options: ManagedProcessOptions): ManagedProcess {
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'w' });
  const tailLimit = options.tailLines ?? 40;
  const lastLines: string[] = [];
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onLine = (line: string) => {
    log.write(`${line}\n`);
    lastLines.push(line);
    if (lastLines.length > tailLimit) lastLines.shift();
    options.onLine?.(line);
  };
  child.stdout?.on('data', lineSplitter(onLine));
  child.stderr?.on('data', lineSplitter(onLine));
  let exit: Exit | undefined;
  // 'close' waits for the output pipes, which a grandchild may hold open: wait briefly only.
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const exited = new Promise<Exit>((resolve) => {
    const finish = (result: Exit) => {
      if (exit !== undefined) return;
      exit = result;
      Promise.race([closed, sleep(500)]).then(() => log.end(() => resolve(exit as Exit)));
    };
    child.on('error', (err) => {
      onLine(`cannot start ${options.command}: ${err.message}`);
      finish({ code: 127, signal: null });
    });
    child.on('exit', (code, signal) => finish({ code, signal }));
  });
  const pid = child.pid ?? -1;
  return {
    name: options.name,
    pid,
    exited,
    running: () => exit === undefined && child.exitCode === null && child.signalCode === null,
    tail: () => lastLines.join('\n'),
    async stop(graceMs) {
      if (pid <= 0) return;
      if (exit === undefined && child.exitCode === null && child.signalCode === null) {
        if (options.signalGroup) signalGroup(pid, 'SIGTERM');
        else child.kill('SIGTERM');
        const stopped = await Promise.race([
          exited.then(() => true),
          sleep(graceMs).then(() => false),
        ]);
        if (!stopped) {
          signalGroup(pid, 'SIGKILL');
          await exited;
        }
      }
      await stopGroup(pid, 3000);
    },
    kill() {
      if (pid > 0) signalGroup(pid, 'SIGKILL');
    },
  };
}
