/**
 * The project's local cloud: moto 5.2.1's own server, started through scripts/local/cloud.py,
 * which first patches moto so that it behaves as AWS does where this project's flows need it
 * (docs/local.md lists each fix). `npm start`, `npm run cloud` and the moto test suites start it
 * from here; `plain: true` starts unpatched moto, for the tests that show each fix.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';
import { findExecutable } from './which.ts';

/** MOTO_VERSION is the moto release the fixes are written for. */
export const MOTO_VERSION = '5.2.1';

/** MOTO_INSTALL is the one command that installs the emulator. */
export const MOTO_INSTALL = `pip install 'moto[server]==${MOTO_VERSION}'`;

/** LAUNCHER is the Python entry point that applies the fixes and runs moto's server. */
export const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'cloud.py');

/** MotoPython is an interpreter that can import moto, and the moto version it has. */
export interface MotoPython {
  executable: string;
  /** undefined when given by LOCAL_CLOUD_PYTHON (not probed: the launcher checks it). */
  motoVersion: string | undefined;
}

const PROBE =
  "import sys, importlib.metadata as m\nprint(sys.executable)\nprint(m.version('moto'))";

function probe(candidate: string, env: NodeJS.ProcessEnv): MotoPython | undefined {
  const result = spawnSync(candidate, ['-c', PROBE], { encoding: 'utf8', env, timeout: 15_000 });
  if (result.status !== 0) return undefined;
  const [executable, motoVersion] = result.stdout.trim().split('\n');
  return executable && motoVersion ? { executable, motoVersion } : undefined;
}

/** shebangInterpreter reads the interpreter of a script (`#!/usr/bin/python3`), if it is one. */
function shebangInterpreter(script: string): string | undefined {
  try {
    const first = readFileSync(script, 'utf8').slice(0, 200).split('\n')[0] ?? '';
    const interpreter = /^#!\s*(\S+)/.exec(first)?.[1];
    return interpreter && /python[\d.]*$/.test(interpreter) ? interpreter : undefined;
  } catch {
    return undefined;
  }
}

/**
 * findMotoPython finds the Python that has moto: LOCAL_CLOUD_PYTHON when set, else the first of
 * python3, python (on the PATH) and moto_server's own interpreter that can import it.
 */
export function findMotoPython(env: NodeJS.ProcessEnv = process.env): MotoPython | undefined {
  const chosen = env.LOCAL_CLOUD_PYTHON?.trim();
  if (chosen) return { executable: chosen, motoVersion: undefined };
  const candidates = [
    findExecutable('python3', env.PATH),
    findExecutable('python', env.PATH),
    shebangInterpreter(findExecutable('moto_server', env.PATH) ?? ''),
  ];
  for (const candidate of new Set(candidates)) {
    if (!candidate) continue;
    const found = probe(candidate, env);
    if (found) return found;
  }
  return undefined;
}

/** missingMotoMessage says what is wrong with the emulator install and how to fix it, if anything is. */
export function missingMotoMessage(python: MotoPython | undefined): string | undefined {
  if (!python) {
    return `moto (the AWS emulator) is not installed for python3. Install it with:\n\n  ${MOTO_INSTALL}\n`;
  }
  if (python.motoVersion !== undefined && python.motoVersion !== MOTO_VERSION) {
    return `moto ${python.motoVersion} is installed (${python.executable}); the local cloud needs ${MOTO_VERSION}:\n\n  ${MOTO_INSTALL}\n`;
  }
  return undefined;
}

/** CloudCommand is how to run the emulator on a port. */
export interface CloudCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** cloudCommand is the command line of the local cloud (or of plain moto) on host:port. */
export function cloudCommand(
  python: MotoPython,
  options: { host?: string; port: number; plain?: boolean; env?: NodeJS.ProcessEnv },
): CloudCommand {
  const where = ['-H', options.host ?? '127.0.0.1', '-p', String(options.port)];
  return {
    command: python.executable,
    args: options.plain ? ['-m', 'moto.server', ...where] : [LAUNCHER, ...where],
    env: {
      ...(options.env ?? process.env),
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      // the local cloud exits when this process is gone, even if killed outright
      LOCAL_CLOUD_PARENT_PID: String(process.pid),
    },
  };
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * waitForCloud polls GET /moto-api/ until it answers, `gone()` says the process died, or the
 * time runs out.
 */
export async function waitForCloud(
  endpoint: string,
  options: { timeoutMs: number; gone?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const death = options.gone?.();
    if (death !== undefined) throw new Error(death);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the local cloud did not answer at ${endpoint} within ${options.timeoutMs} ms`);
}

/** RunningCloud is one emulator process on a loopback port. */
export interface RunningCloud {
  endpoint: string;
  port: number;
  child: ChildProcess;
  /** reset drops every resource in every service (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** stop sends SIGTERM, then SIGKILL after 3 s, and resolves once the process is gone. */
  stop(): Promise<void>;
}

/** StartCloudOptions: where, which flavour, and what to do with its output. */
export interface StartCloudOptions {
  port?: number;
  host?: string;
  /** plain: unpatched moto (for the tests that show what each fix changes). */
  plain?: boolean;
  env?: NodeJS.ProcessEnv;
  onOutput?: (text: string) => void;
  timeoutMs?: number;
}

let cachedPython: MotoPython | undefined;

/** startLocalCloud starts the emulator on a free (or the given) port and resolves once it answers. */
export async function startLocalCloud(options: StartCloudOptions = {}): Promise<RunningCloud> {
  const env = options.env ?? process.env;
  cachedPython ??= findMotoPython(env);
  const python = cachedPython;
  const problem = missingMotoMessage(python);
  if (problem || !python) throw new Error(problem ?? 'moto is not installed');
  const port = options.port ?? (await freePort());
  const host = options.host ?? '127.0.0.1';
  const command = cloudCommand(python, {
    host,
    port,
    env,
    ...(options.plain ? { plain: true } : {}),
  });
  const child = spawn(command.command, command.args, {
    cwd: resolve(dirname(LAUNCHER), '..', '..'),
    env: command.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const endpoint = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  try {
    await waitForCloud(endpoint, {
      timeoutMs: options.timeoutMs ?? 30_000,
      gone: () => {
        if (spawnError) return `cannot run ${command.command}: ${spawnError.message}`;
        if (child.exitCode !== null || child.signalCode !== null) {
          return `the local cloud exited (code ${child.exitCode}, signal ${child.signalCode})`;
        }
        return undefined;
      },
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`cannot start the local cloud: ${(err as Error).message}\n${output}`, {
      cause: err,
    });
  }
  return {
    endpoint,
    port,
    child,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`local cloud reset failed: HTTP ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
