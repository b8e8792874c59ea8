/**
 * Batcher gathers the items asked for in the same moment (one turn of the event loop, such as the
 * parallel deletes of one apply wave) into one call of `send` with at most `max` items; each
 * caller's promise settles with that call.
 */
export type Batcher<S extends object, T> = (scope: S, item: T) => Promise<void>;

/** batcher returns a Batcher over `send`; batches are kept apart per `scope` (one per SDK clients). */
export function batcher<S extends object, T>(
  max: number,
  send: (scope: S, items: T[]) => Promise<unknown>,
): Batcher<S, T> {
  const open = new WeakMap<S, { items: T[]; sent: Promise<void> }>();
  return (scope, item) => {
    let batch = open.get(scope);
    if (!batch || batch.items.length >= max) {
      const items: T[] = [];
      const sent = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          if (open.get(scope)?.items === items) open.delete(scope);
          send(scope, items).then(() => resolve(), reject);
        });
      });
      batch = { items, sent };
      open.set(scope, batch);
    }
    batch.items.push(item);
    return batch.sent;
  };
}
