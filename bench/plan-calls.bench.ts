/**
 * Plan cost by number of stacks: applies the reference stack once to a moto it starts, then
 * plans 1 and 10 copies of it (the applied one plus nine new names) and prints, per resource
 * kind, the AWS calls observe made, with the wall time of each plan. The calls per kind must not
 * grow with the number of stacks: observe is one batched, tag-filtered read per kind and region.
 */
import { CallStats, createClients } from '../reconciler/aws/clients.ts';
import { reconcile } from '../reconciler/engine/reconcile.ts';
import { HANDLERS } from '../reconciler/resources/registry.ts';
import type { ResourceHandler } from '../reconciler/resources/types.ts';
import { formatSpecError, loadStacks } from '../reconciler/spec/load-stacks.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { startMoto } from '../test/helpers/moto.ts';

interface Measured {
  callsByKind: Map<string, number>;
  wallMs: number;
  changes: number;
}

/** countingHandlers wraps each handler so its observe calls are counted on a CallStats of its own. */
function countingHandlers(perKind: Map<string, CallStats>): ResourceHandler[] {
  return HANDLERS.map((handler) => ({
    ...handler,
    observeAll: (ctx) => {
      const stats = new CallStats();
      perKind.set(handler.kind, stats);
      const clients = createClients({ region: ctx.region, stats });
      return handler.observeAll({ ...ctx, clients }).finally(() => clients.destroy());
    },
  }));
}

async function measurePlan(stacks: Stack[]): Promise<Measured> {
  const perKind = new Map<string, CallStats>();
  const started = performance.now();
  const result = await reconcile({ stacks, mode: 'plan', handlers: countingHandlers(perKind) });
  const wallMs = performance.now() - started;
  const callsByKind = new Map(
    HANDLERS.map((handler) => [handler.kind, perKind.get(handler.kind)?.total() ?? 0]),
  );
  const changes =
    result.plan.summary.add + result.plan.summary.change + result.plan.summary.destroy;
  return { callsByKind, wallMs, changes };
}

async function main(): Promise<void> {
  const { stacks, errors } = await loadStacks(['specs/scalable-logging.yaml']);
  const reference = stacks[0]?.spec;
  if (!reference) {
    throw new Error(`cannot load the reference stack: ${errors.map(formatSpecError).join('; ')}`);
  }
  const moto = await startMoto();
  try {
    const applied = await reconcile({ stacks: [reference], mode: 'apply' });
    if (applied.failures.length > 0) {
      throw new Error(`cannot apply the reference stack: ${JSON.stringify(applied.failures)}`);
    }
    const copies = [
      reference,
      ...Array.from({ length: 9 }, (_, index) => ({ ...reference, name: `copy-${index + 1}` })),
    ];
    const one = await measurePlan([reference]);
    const ten = await measurePlan(copies);
    const rows = HANDLERS.map((handler) => [
      handler.kind,
      String(one.callsByKind.get(handler.kind) ?? 0),
      String(ten.callsByKind.get(handler.kind) ?? 0),
    ]);
    const sum = (measured: Measured) =>
      [...measured.callsByKind.values()].reduce((a, b) => a + b, 0);
    rows.push(['total', String(sum(one)), String(sum(ten))]);
    rows.push(['wall time (ms)', one.wallMs.toFixed(0), ten.wallMs.toFixed(0)]);
    rows.push(['planned changes', String(one.changes), String(ten.changes)]);
    const header = ['kind', '1 stack', '10 stacks'];
    const widths = header.map((_, column) =>
      Math.max(...[header, ...rows].map((row) => row[column]?.length ?? 0)),
    );
    const line = (row: string[]) =>
      `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
    console.log('AWS calls made by observe, per kind (plan of the reference stack, moto):\n');
    console.log(line(header));
    console.log(
      `| ${widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`,
    );
    for (const row of rows) console.log(line(row));
    const grown = HANDLERS.filter(
      (handler) =>
        (ten.callsByKind.get(handler.kind) ?? 0) > (one.callsByKind.get(handler.kind) ?? 0),
    ).map((handler) => handler.kind);
    if (grown.length > 0)
      console.log(`\nkinds whose reads grow with the number of stacks: ${grown.join(', ')}`);
  } finally {
    await moto.stop();
  }
}

await main();
