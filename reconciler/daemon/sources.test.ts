import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { memoryLogger } from '../../test/fakes/memory-logger.ts';
import { FakeClock, systemClock } from './clock.ts';
import { contentHash, DirectorySource, type SpecSnapshot } from './sources.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reconciler-sources-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function summary(snapshot: SpecSnapshot | undefined) {
  return snapshot?.files.map((file) => [file.file.slice(dir.length + 1), file.hash]);
}

test('a folder source emits only when some spec content changes', async () => {
  const folder = join(dir, 'specs');
  await mkdir(join(folder, 'nested'), { recursive: true });
  await writeFile(join(folder, 'a.yaml'), 'name: a\n');
  await writeFile(join(folder, 'notes.txt'), 'not a spec\n');
  await writeFile(join(folder, 'nested', 'c.yaml'), 'name: c\n');
  const clock = new FakeClock();
  const source = new DirectorySource({ paths: [folder], clock, log: memoryLogger(), watch: false });
  const snapshots: SpecSnapshot[] = [];
  await source.start((snapshot) => snapshots.push(snapshot));
  const steps = [
    { reason: 'initial read', change: async () => {}, emitted: 1 },
    { reason: 'nothing changed', change: async () => {}, emitted: 1 },
    {
      reason: 'same content rewritten',
      change: () => writeFile(join(folder, 'a.yaml'), 'name: a\n'),
      emitted: 1,
    },
    {
      reason: 'a new file',
      change: () => writeFile(join(folder, 'b.yml'), 'name: b\n'),
      emitted: 2,
    },
    {
      reason: 'an edited file',
      change: () => writeFile(join(folder, 'a.yaml'), 'name: a\npaused: true\n'),
      emitted: 3,
    },
    { reason: 'a removed file', change: () => rm(join(folder, 'b.yml')), emitted: 4 },
  ];
  for (const { reason, change, emitted } of steps) {
    await change();
    await source.scan();
    assert.equal(snapshots.length, emitted, reason);
  }
  assert.deepStrictEqual(summary(snapshots[0]), [['specs/a.yaml', contentHash('name: a\n')]]);
  assert.deepStrictEqual(summary(snapshots[3]), [
    ['specs/a.yaml', contentHash('name: a\npaused: true\n')],
  ]);
  assert.equal(source.health().ok, true);
  source.stop();
});

test('a folder source polls on the clock', async () => {
  const folder = join(dir, 'polled');
  await mkdir(folder);
  const clock = new FakeClock();
  const source = new DirectorySource({
    paths: [folder],
    clock,
    log: memoryLogger(),
    watch: false,
    pollMs: 1_000,
  });
  const snapshots: SpecSnapshot[] = [];
  await source.start((snapshot) => snapshots.push(snapshot));
  await writeFile(join(folder, 'x.yaml'), 'name: x\n');
  assert.equal(snapshots.length, 1);
  for (let i = 0; i < 50 && snapshots.length < 2; i++) await clock.advance(1_000);
  assert.deepStrictEqual(summary(snapshots[1]), [['polled/x.yaml', contentHash('name: x\n')]]);
  source.stop();
});

test('a missing path makes the source unhealthy but still emits the others', async () => {
  await writeFile(join(dir, 'single.yaml'), 'name: single\n');
  const source = new DirectorySource({
    paths: [join(dir, 'single.yaml'), join(dir, 'missing')],
    clock: new FakeClock(),
    log: memoryLogger(),
    watch: false,
  });
  const snapshots: SpecSnapshot[] = [];
  await source.start((snapshot) => snapshots.push(snapshot));
  assert.deepStrictEqual(summary(snapshots[0]), [['single.yaml', contentHash('name: single\n')]]);
  assert.equal(source.health().ok, false);
  assert.match(source.health().message, /cannot read spec path .*missing/);
  source.stop();
});

test('a folder source follows file events, debounced', async () => {
  const folder = join(dir, 'watched');
  await mkdir(folder);
  const source = new DirectorySource({
    paths: [folder],
    clock: systemClock(),
    log: memoryLogger(),
    debounceMs: 50,
    pollMs: 3_600_000,
  });
  const snapshots: SpecSnapshot[] = [];
  await source.start((snapshot) => snapshots.push(snapshot));
  for (let i = 0; i < 5; i++) await writeFile(join(folder, 'w.yaml'), `name: w${i}\n`);
  for (let i = 0; i < 100 && snapshots.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  source.stop();
  assert.deepStrictEqual(summary(snapshots.at(-1)), [
    ['watched/w.yaml', contentHash('name: w4\n')],
  ]);
  assert.ok(snapshots.length <= 3, `a burst of writes is debounced: ${snapshots.length} snapshots`);
});
