import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Logger } from '../resources/types.ts';
import type { Clock, TimerHandle } from './clock.ts';
import {
  isSpecFileName,
  type SourceHealth,
  type SpecFile,
  type SpecSnapshot,
  type SpecSource,
} from './sources.ts';

/** redactUrl strips userinfo (user:token@) from a URL so it can be logged. */
export function redactUrl(url: string): string {
  return redactUrls(url);
}

/** redactUrls strips userinfo from every `scheme://user:pass@host` in a text (git's error output). */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

/** defaultCacheDir is `.data/git-cache/<first 16 hex of sha256(url)>`. */
export function defaultCacheDir(url: string, root = '.data/git-cache'): string {
  return join(root, createHash('sha256').update(url).digest('hex').slice(0, 16));
}

/** GitRunner runs the git binary (execFile, no shell) and returns stdout. */
export type GitRunner = (args: string[], options?: { cwd?: string }) => Promise<string>;

/** execGit is the GitRunner used in production: never prompts, bounded in time and output. */
export const execGit: GitRunner = (args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: process.env.GIT_ASKPASS ?? '',
        },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err) {
          const detail = redactUrls(String(stderr).trim() || err.message);
          reject(new Error(`git ${redactUrls(args[0] ?? '')} failed: ${detail}`));
          return;
        }
        resolve(stdout);
      },
    );
  });

/** GitSourceOptions configures a GitSource. */
export interface GitSourceOptions {
  url: string;
  branch: string;
  /** path is the folder inside the repository holding the specs ('' or '.' for the root). */
  path: string;
  pollMs: number;
  cacheDir: string;
  clock: Clock;
  log: Logger;
  git?: GitRunner;
}

/**
 * GitSource polls one branch of a git remote. It keeps a bare clone in cacheDir, fetches the
 * branch every pollMs, and on a new commit reads the spec files of `path` at that commit (blob
 * ids tell which changed). Authentication is whatever git is configured with; URLs are logged
 * without userinfo.
 */
export class GitSource implements SpecSource {
  readonly description: string;
  readonly #options: GitSourceOptions;
  readonly #git: GitRunner;
  readonly #blobs = new Map<string, string>();
  #commit: string | undefined;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #onSnapshot: ((snapshot: SpecSnapshot) => void) | undefined;
  #health: SourceHealth = { ok: false, message: 'not fetched yet' };

  constructor(options: GitSourceOptions) {
    this.#options = options;
    this.#git = options.git ?? execGit;
    const path = normalizeRepoPath(options.path);
    this.description = `git ${redactUrl(options.url)} branch ${options.branch}${path ? ` path ${path}` : ''}`;
  }

  health(): SourceHealth {
    return this.#health;
  }

  /** revision returns the commit last read. */
  get revision(): string | undefined {
    return this.#commit;
  }

  /** start clones (or reuses) the cache and reads the branch; a failure is retried at each poll. */
  async start(onSnapshot: (snapshot: SpecSnapshot) => void): Promise<void> {
    this.#onSnapshot = onSnapshot;
    await this.poll();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) this.#options.clock.clearTimer(this.#timer);
  }

  /** poll fetches once and emits a snapshot if the branch moved. It never throws. */
  async poll(): Promise<void> {
    try {
      const commit = await this.#fetch();
      const now = new Date(this.#options.clock.now()).toISOString();
      this.#health = { ok: true, message: `at ${commit}`, revision: commit, lastReadAt: now };
      if (commit === this.#commit || this.#stopped) return;
      const snapshot = { revision: commit, files: await this.#readSpecs(commit) };
      this.#commit = commit;
      this.#options.log.info(
        { source: this.description, revision: commit, files: snapshot.files.length },
        'new commit',
      );
      this.#onSnapshot?.(snapshot);
    } catch (err) {
      const message = redactUrls(err instanceof Error ? err.message : String(err));
      this.#health = { ...this.#health, ok: false, message };
      this.#options.log.warn(
        { source: this.description, error: message },
        'cannot read git source',
      );
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#options.clock.setTimer(() => {
      void this.poll().finally(() => this.#schedule());
    }, this.#options.pollMs);
  }

  async #fetch(): Promise<string> {
    const { cacheDir, url, branch } = this.#options;
    const ref = `refs/heads/${branch}`;
    if (!(await isBareRepository(this.#git, cacheDir))) {
      if (!(await isEmptyOrMissing(cacheDir))) {
        throw new Error(`cache folder ${cacheDir} is not empty and not a bare git clone`);
      }
      await rm(cacheDir, { recursive: true, force: true });
      await mkdir(dirname(cacheDir), { recursive: true });
      await this.#git([
        'clone',
        '--bare',
        '--single-branch',
        '--branch',
        branch,
        '--',
        url,
        cacheDir,
      ]);
    } else {
      await this.#git(['remote', 'set-url', 'origin', url], { cwd: cacheDir });
      await this.#git(['fetch', '--prune', '--no-tags', 'origin', `+${ref}:${ref}`], {
        cwd: cacheDir,
      });
    }
    return (
      await this.#git(['rev-parse', '--verify', `${ref}^{commit}`], { cwd: cacheDir })
    ).trim();
  }

  async #readSpecs(commit: string): Promise<SpecFile[]> {
    const path = normalizeRepoPath(this.#options.path);
    const args = ['ls-tree', '-z', commit];
    if (path) args.push('--', `${path}/`);
    const listing = await this.#git(args, { cwd: this.#options.cacheDir });
    const files: SpecFile[] = [];
    for (const entry of listing.split('\0')) {
      const match = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(entry);
      if (!match) continue;
      const [, , type, oid, file] = match as unknown as [string, string, string, string, string];
      if (type !== 'blob' || !isSpecFileName(file)) continue;
      files.push({ file, source: await this.#blob(oid), hash: oid });
    }
    for (const oid of this.#blobs.keys()) {
      if (!files.some((file) => file.hash === oid)) this.#blobs.delete(oid);
    }
    return files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  async #blob(oid: string): Promise<string> {
    let source = this.#blobs.get(oid);
    if (source === undefined) {
      source = await this.#git(['cat-file', 'blob', oid], { cwd: this.#options.cacheDir });
      this.#blobs.set(oid, source);
    }
    return source;
  }
}

/** normalizeRepoPath turns `./specs/`, `specs` and `specs/` into `specs`, and `.` or '' into ''. */
export function normalizeRepoPath(path: string): string {
  const normalized = posix.normalize(path.replaceAll('\\', '/')).replace(/^\.\/?|\/+$/g, '');
  return normalized === '.' ? '' : normalized;
}

async function isBareRepository(git: GitRunner, dir: string): Promise<boolean> {
  try {
    if (!(await stat(dir)).isDirectory()) return false;
    return (await git(['rev-parse', '--is-bare-repository'], { cwd: dir })).trim() === 'true';
  } catch {
    return false;
  }
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
