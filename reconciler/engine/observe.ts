import { mapBounded } from '../lib/pool.ts';
import { createMemo } from '../resources/kit/memo.ts';
import type { ObservedResource, ResourceContext, ResourceHandler } from '../resources/types.ts';

/** ObservedIndex holds every owned resource by stack, then by address; an address may have several (leaked duplicates). */
export type ObservedIndex = Map<string, Map<string, ObservedResource[]>>;

/**
 * observeStacks reads the world once: for each region, ONE observeAll per kind with ctx.stacks set
 * to every stack of that region, so ten stacks cost the same number of calls as one. Resources of
 * stacks outside `contexts` are dropped. A failed read fails the whole observation: planning on a
 * partial view would mistake unread resources for missing ones. Parent reads shared by several
 * kinds go through a per-pass memo (ctx.memo), so they cost one read per pass.
 */
export async function observeStacks(
  contexts: ReadonlyMap<string, ResourceContext>,
  handlers: readonly ResourceHandler[],
  parallelism: number,
): Promise<ObservedIndex> {
  const reads = [...contexts.values()].flatMap((regionCtx) => {
    // one memo per region and pass (the caller's, if it gives one): a parent read by several kinds is read once
    const ctx: ResourceContext = { ...regionCtx, memo: regionCtx.memo ?? createMemo() };
    return handlers.map((handler) => ({ ctx, handler }));
  });
  const results = await mapBounded(reads, parallelism, async ({ ctx, handler }) => {
    try {
      return await handler.observeAll(ctx);
    } catch (err) {
      throw new Error(
        `cannot observe ${handler.kind} in ${ctx.region}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  });
  const index: ObservedIndex = new Map();
  for (const ctx of contexts.values()) {
    for (const stack of ctx.stacks) index.set(stack, new Map());
  }
  results.forEach((observed, readIndex) => {
    const read = reads[readIndex];
    for (const resource of observed) {
      const byAddress = index.get(resource.stack);
      if (!byAddress || !read?.ctx.stacks.includes(resource.stack)) continue;
      const list = byAddress.get(resource.address) ?? [];
      list.push(resource);
      byAddress.set(resource.address, list);
    }
  });
  return index;
}
