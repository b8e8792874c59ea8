import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSpecError, loadStacks } from '../../reconciler/spec/load-stacks.ts';
import type { Stack } from '../../reconciler/spec/types.generated.ts';

/** REFERENCE_SPEC is the reference stack every call-count figure is measured on. */
export const REFERENCE_SPEC = fileURLToPath(
  new URL('../../specs/scalable-logging.yaml', import.meta.url),
);

/** copyName names copy `index` of a stack: the stack itself first, then `<name>2`, `<name>3` (no copy's name followed by `-` starts another's), ... */
export function copyName(name: string, index: number): string {
  return index === 0 ? name : `${name}${index + 1}`;
}

/** writeCopies writes `count` copies of a spec into `dir`, one file each, named after the copy. */
export function writeCopies(dir: string, count: number, spec = REFERENCE_SPEC): void {
  const text = readFileSync(spec, 'utf8');
  const name = /^name:\s*(\S+)/m.exec(text)?.[1];
  if (!name) throw new Error(`${spec}: no top-level name`);
  for (let index = 0; index < count; index += 1) {
    const copy = copyName(name, index);
    writeFileSync(join(dir, `${copy}.yaml`), text.replaceAll(name, copy));
  }
}

/**
 * referenceCopies loads `count` copies of a spec (the reference stack by default), each with
 * every occurrence of the stack's name replaced by the copy's, so names the spec spells out (the
 * log group, the image repository) do not collide between copies.
 */
export async function referenceCopies(count: number, spec = REFERENCE_SPEC): Promise<Stack[]> {
  const dir = mkdtempSync(join(tmpdir(), 'reference-copies-'));
  try {
    writeCopies(dir, count, spec);
    const { stacks, errors } = await loadStacks([dir]);
    if (errors.length > 0) throw new Error(errors.map(formatSpecError).join('\n'));
    return stacks.map((loaded) => loaded.spec);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
