/**
 * Where the embedded PostgreSQL can run from. PostgreSQL refuses to run as root, so under root
 * the server runs as the `postgres` user (or `nobody`), who may be unable to reach the project:
 * a clone in a folder only root may enter (mode 0700, like /root or a `mktemp -d` folder) hides
 * both the binaries under node_modules and the data folder. Nothing outside the project's data
 * folder ever changes permissions; instead, when the user cannot reach them, the binaries are
 * copied once into a root-owned, world-readable folder under the system temp directory, and the
 * cluster lives next to them in a folder owned by that user. Not as root, everything stays put.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Binaries are the two PostgreSQL programs the embedded server runs. */
export interface Binaries {
  initdb: string;
  postgres: string;
}

/** RunAs is the account the server runs under: empty when it runs as this process's user. */
export interface RunAs {
  uid?: number;
  gid?: number;
  user?: string;
}

function idOf(user: string): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return { uid, gid, user };
  } catch {
    return undefined;
  }
}

/** runAsUser picks the unprivileged account the server runs under when this process is root. */
export function runAsUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const account = idOf('postgres') ?? idOf('nobody');
  if (!account) {
    throw new Error(
      'cannot run the embedded PostgreSQL as root, and neither a postgres nor a nobody user exists to run it',
    );
  }
  return account;
}

function isOther(owner: RunAs): owner is Required<RunAs> {
  return owner.uid !== undefined && owner.gid !== undefined;
}

/** nearestExisting is path itself, or its closest ancestor that exists. */
function nearestExisting(path: string): string {
  let current = resolve(path);
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/**
 * reachable tells whether owner can enter the folder `dir` (or, if it does not exist yet, its
 * closest existing ancestor; folders made under it are open to all). Asked of the kernel itself:
 * `test -x` runs as that user, with the same groups the server gets.
 */
export function reachable(dir: string, owner: RunAs): boolean {
  if (!isOther(owner)) return true;
  const result = spawnSync('test', ['-x', nearestExisting(dir)], {
    uid: owner.uid,
    gid: owner.gid,
    stdio: 'ignore',
  });
  return result.status === 0;
}

/** runsAs tells whether owner can run the program (every folder above it must be reachable). */
function runsAs(program: string, owner: RunAs): boolean {
  if (!isOther(owner)) return true;
  const result = spawnSync(program, ['--version'], {
    uid: owner.uid,
    gid: owner.gid,
    cwd: dirname(program),
    stdio: 'ignore',
  });
  return result.error === undefined && result.status === 0;
}

/**
 * safeFolder makes (if needed) a folder this process owns that nobody else may write to, or
 * throws: a folder of that name planted by another user is never used.
 */
function safeFolder(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
    throw new Error(
      `cannot use ${dir} for the embedded PostgreSQL: it is not a folder only this user can write`,
    );
  }
  return dir;
}

/** runtimeFolder is the root-owned folder under the system temp directory for copies and clusters. */
export function runtimeFolder(): string {
  return safeFolder(join(tmpdir(), `aws-reconciler-${process.getuid?.() ?? 'user'}`));
}

/**
 * clusterDirectory is where the cluster of `dataDir` lives: dataDir itself when the server's
 * user can reach it, else a folder of its own (named by dataDir's path) in the runtime folder.
 */
export function clusterDirectory(dataDir: string, owner: RunAs): string {
  const wanted = resolve(dataDir);
  if (reachable(dirname(wanted), owner)) return wanted;
  const key = createHash('sha256').update(wanted).digest('hex').slice(0, 16);
  return join(runtimeFolder(), `postgres-data-${key}`);
}

function packageVersion(nativeRoot: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(nativeRoot, '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * usableBinaries returns binaries that owner can run: the installed ones, or a copy of their
 * whole folder (bin, lib, share) made once per package version in the runtime folder.
 */
export function usableBinaries(installed: Binaries, owner: RunAs): Binaries {
  if (runsAs(installed.postgres, owner) && runsAs(installed.initdb, owner)) return installed;
  const nativeRoot = dirname(dirname(installed.postgres));
  const folder = runtimeFolder();
  const copy = join(folder, `postgres-${packageVersion(nativeRoot)}`);
  if (!existsSync(copy)) {
    const staging = mkdtempSync(join(folder, '.copy-'));
    try {
      chmodSync(staging, 0o755);
      cpSync(nativeRoot, staging, { recursive: true, verbatimSymlinks: true });
      renameSync(staging, copy);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      // another process finished the same copy first
      if (!existsSync(copy)) {
        throw new Error(`cannot copy the PostgreSQL binaries to ${copy}`, { cause: err });
      }
    }
  }
  safeFolder(copy);
  const copied = {
    initdb: join(copy, 'bin', 'initdb'),
    postgres: join(copy, 'bin', 'postgres'),
  };
  if (!runsAs(copied.postgres, owner)) {
    throw new Error(
      `cannot run the embedded PostgreSQL as ${owner.user}: ${copied.postgres} does not run for that user`,
    );
  }
  return copied;
}
