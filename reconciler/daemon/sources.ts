import { createHash } from 'node:crypto';
import { type FSWatcher, statSync, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { Logger } from '../resources/types.ts';
import type { Clock, TimerHandle } from './clock.ts';

/** SpecFile is the text of one spec file at one revision. */
export interface SpecFile {
  /** file labels the spec in errors and status: a local path, or a path inside the git repository. */
  file: string;
  source: string;
  /** hash changes exactly when the content changes (sha256, or the git blob id). */
  hash: string;
}

/** SpecSnapshot is every spec file of a source at one moment. */
export interface SpecSnapshot {
  /** revision is the git commit SHA; undefined for a local folder (each file's hash is its revision). */
  revision: string | undefined;
  files: SpecFile[];
}

/** SourceHealth tells /readyz and /status whether the source is being read. */
export interface SourceHealth {
  ok: boolean;
  message: string;
  revision?: string;
  lastReadAt?: string;
}

/**
 * SpecSource is where desired state comes from. start() reads it once, calls onSnapshot, then
 * keeps watching and calls onSnapshot again only when some file's content changed.
 */
export interface SpecSource {
  /** description says where specs come from, safe to log (no credentials). */
  readonly description: string;
  start(onSnapshot: (snapshot: SpecSnapshot) => void): Promise<void>;
  stop(): void;
  health(): SourceHealth;
}

/** contentHash is the revision of a local spec file: `sha256:` and the first 16 hex digits. */
export function contentHash(source: string): string {
  return `sha256:${createHash('sha256').update(source).digest('hex').slice(0, 16)}`;
}

const SPEC_EXTENSIONS = new Set(['.yaml', '.yml']);

/** isSpecFileName tells whether a folder entry is a spec (*.yaml, *.yml), as loadStacks does. */
export function isSpecFileName(name: string): boolean {
  return SPEC_EXTENSIONS.has(extname(name).toLowerCase());
}

/** snapshotKey identifies a snapshot's content, to skip emitting unchanged snapshots. */
export function snapshotKey(snapshot: SpecSnapshot): string {
  return [snapshot.revision ?? '', ...snapshot.files.map((f) => `${f.file}\u0000${f.hash}`)].join(
    '\n',
  );
}

/** DirectorySourceOptions configures a DirectorySource. */
export interface DirectorySourceOptions {
  /** paths are spec files or folders (a folder contributes its own *.yaml / *.yml, not subfolders). */
  paths: string[];
  clock: Clock;
  log: Logger;
  /** debounceMs waits for a burst of file events (an editor's save) to settle. */
  debounceMs?: number;
  /** pollMs rescans regardless of events, for file systems where fs.watch misses changes. */
  pollMs?: number;
  /** watch turns fs.watch off when false (polling only). */
  watch?: boolean;
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  source: string;
  hash: string;
}

/**
 * DirectorySource watches local spec files and folders: fs.watch events are debounced, and a
 * poll compares modification times as a fallback. Content hashes decide what changed, so
 * spurious events cost one stat per file and never a reconcile.
 */
export class DirectorySource implements SpecSource {
  readonly description: string;
  readonly #options: DirectorySourceOptions;
  readonly #cache = new Map<string, CachedFile>();
  readonly #watchers: FSWatcher[] = [];
  #onSnapshot: ((snapshot: SpecSnapshot) => void) | undefined;
  #lastKey: string | undefined;
  #debounce: TimerHandle | undefined;
  #poll: TimerHandle | undefined;
  #scanning: Promise<void> | undefined;
  #rescan = false;
  #stopped = false;
  #health: SourceHealth = { ok: false, message: 'not read yet' };

  constructor(options: DirectorySourceOptions) {
    this.#options = options;
    this.description = `folder ${options.paths.join(', ')}`;
  }

  health(): SourceHealth {
    return this.#health;
  }

  async start(onSnapshot: (snapshot: SpecSnapshot) => void): Promise<void> {
    this.#onSnapshot = onSnapshot;
    await this.scan();
    if (this.#options.watch !== false) this.#watch();
    this.#schedulePoll();
  }

  stop(): void {
    this.#stopped = true;
    for (const watcher of this.#watchers.splice(0)) watcher.close();
    if (this.#debounce) this.#options.clock.clearTimer(this.#debounce);
    if (this.#poll) this.#options.clock.clearTimer(this.#poll);
  }

  /** scan reads the paths now and emits a snapshot if anything changed; concurrent calls coalesce. */
  scan(): Promise<void> {
    if (this.#scanning) {
      this.#rescan = true;
      return this.#scanning;
    }
    this.#scanning = (async () => {
      try {
        do {
          this.#rescan = false;
          await this.#scanOnce();
        } while (this.#rescan && !this.#stopped);
      } finally {
        this.#scanning = undefined;
      }
    })();
    return this.#scanning;
  }

  async #scanOnce(): Promise<void> {
    const files: SpecFile[] = [];
    const problems: string[] = [];
    for (const file of await this.#listFiles(problems)) {
      try {
        const info = await stat(file);
        let cached = this.#cache.get(file);
        if (!cached || cached.mtimeMs !== info.mtimeMs || cached.size !== info.size) {
          const source = await readFile(file, 'utf8');
          cached = { mtimeMs: info.mtimeMs, size: info.size, source, hash: contentHash(source) };
          this.#cache.set(file, cached);
        }
        files.push({ file, source: cached.source, hash: cached.hash });
      } catch (err) {
        // deleted between listing and reading: the next event or poll settles it
        problems.push(`cannot read ${file}: ${(err as Error).message}`);
      }
    }
    for (const file of this.#cache.keys()) {
      if (!files.some((f) => f.file === file)) this.#cache.delete(file);
    }
    this.#health = {
      ok: problems.length === 0,
      message: problems.length === 0 ? `${files.length} spec files` : problems.join('; '),
      lastReadAt: new Date(this.#options.clock.now()).toISOString(),
    };
    const snapshot: SpecSnapshot = { revision: undefined, files };
    const key = snapshotKey(snapshot);
    if (key === this.#lastKey || this.#stopped) return;
    this.#lastKey = key;
    this.#onSnapshot?.(snapshot);
  }

  async #listFiles(problems: string[]): Promise<string[]> {
    const files: string[] = [];
    for (const path of this.#options.paths) {
      try {
        const info = await stat(path);
        if (!info.isDirectory()) {
          files.push(path);
          continue;
        }
        const entries = await readdir(path, { withFileTypes: true });
        files.push(
          ...entries
            .filter((entry) => entry.isFile() && isSpecFileName(entry.name))
            .map((entry) => join(path, entry.name))
            .sort(),
        );
      } catch (err) {
        problems.push(`cannot read spec path ${path}: ${(err as Error).message}`);
      }
    }
    return [...new Set(files)];
  }

  #watch(): void {
    const folders = new Set<string>();
    for (const path of this.#options.paths) {
      try {
        folders.add(statSync(path).isDirectory() ? path : dirname(path));
      } catch {
        folders.add(dirname(path));
      }
    }
    for (const folder of folders) {
      try {
        const watcher = watch(folder, { persistent: false }, () => this.#changed());
        watcher.on('error', (err) => {
          this.#options.log.warn({ err, folder }, 'spec folder watch failed; polling only');
          watcher.close();
        });
        this.#watchers.push(watcher);
      } catch (err) {
        this.#options.log.warn({ err, folder }, 'cannot watch spec folder; polling only');
      }
    }
  }

  #changed(): void {
    if (this.#stopped) return;
    if (this.#debounce) this.#options.clock.clearTimer(this.#debounce);
    this.#debounce = this.#options.clock.setTimer(() => {
      this.#debounce = undefined;
      this.scan().catch((err: unknown) =>
        this.#options.log.error({ err }, 'cannot scan spec folder'),
      );
    }, this.#options.debounceMs ?? 300);
  }

  #schedulePoll(): void {
    if (this.#stopped) return;
    this.#poll = this.#options.clock.setTimer(() => {
      this.scan()
        .catch((err: unknown) => this.#options.log.error({ err }, 'cannot scan spec folder'))
        .finally(() => this.#schedulePoll());
    }, this.#options.pollMs ?? 5_000);
  }
}
