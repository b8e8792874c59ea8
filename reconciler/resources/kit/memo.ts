/** Memo caches one read per key for the length of one observe pass. */
export type Memo = <T>(key: string, read: () => Promise<T>) => Promise<T>;

/**
 * createMemo returns a fresh per-pass cache: the first call of a key runs `read`, later calls
 * (also concurrent ones) share its promise, so a parent read by several kinds (the stack's ECS
 * clusters, its load balancers) costs one AWS read per pass. A failed read is not cached.
 */
export function createMemo(): Memo {
  const reads = new Map<string, Promise<unknown>>();
  return <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const cached = reads.get(key);
    if (cached) return cached as Promise<T>;
    const started = read();
    reads.set(key, started);
    started.catch(() => reads.delete(key));
    return started;
  };
}

/** MemoScope is the part of a ResourceContext a memoized read is keyed by (kept here, so types.ts imports this module and not the reverse). */
export interface MemoScope {
  memo?: Memo;
  region: string;
  stacks: readonly string[];
}

/** memoized reads through ctx.memo when the pass has one, directly otherwise (a create outside a pass). */
export function memoized<T>(ctx: MemoScope, key: string, read: () => Promise<T>): Promise<T> {
  return ctx.memo
    ? ctx.memo(`${ctx.region}\u0000${ctx.stacks.join(',')}\u0000${key}`, read)
    : read();
}
