import { mapBounded } from '../../lib/pool.ts';
import { isGone } from './errors.ts';

/** PER_RESOURCE_READS is how many per-resource reads (attributes, child lists) run at once. */
export const PER_RESOURCE_READS = 8;

/**
 * readEach runs `read` once per item, for the reads AWS has no batch for (a load balancer's
 * attributes, its listeners), at most PER_RESOURCE_READS at once, results in input order. An
 * item deleted between the list and its read (a generic not-found code or one of `notFound`)
 * is dropped: it is gone, not an error.
 */
export async function readEach<T, R>(
  items: readonly T[],
  notFound: readonly string[],
  read: (item: T) => Promise<R>,
): Promise<R[]> {
  const gone = Symbol('gone');
  const results = await mapBounded(items, PER_RESOURCE_READS, async (item) => {
    try {
      return await read(item);
    } catch (err) {
      if (isGone(err, notFound)) return gone;
      throw err;
    }
  });
  return results.filter((result): result is R => result !== gone);
}
