/**
 * `reconciler status` against a running daemon on the local cloud: the table shows each stack's
 * conditions, revision, last sync and last error; `--output json` is /status itself, with the
 * stack's outputs.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  condition,
  type DaemonProcess,
  eventually,
  spawnDaemon,
  spec,
  stackOf,
  stopDaemon,
  useDaemonWorld,
} from './daemon-harness.ts';
import { runCli } from './helpers/cli.ts';

describe('reconciler status against a running daemon', { timeout: 300_000 }, () => {
  const world = useDaemonWorld('status');
  let daemon: DaemonProcess | undefined;

  after(async () => {
    if (daemon) await stopDaemon(daemon);
  });

  it('prints one row per stack, and exits 0 once every stack is ready', async () => {
    const file = join(world.dir, 'shop.yaml');
    await writeFile(file, spec('shop'));
    await writeFile(
      join(world.dir, 'broken.yaml'),
      'name: broken\nregion: us-west-2\nnetwork: 7\n',
    );
    daemon = await spawnDaemon(world.moto.endpoint, [world.dir, '--aws-rps', '200']);
    const running = daemon;
    await eventually(
      'shop is Ready',
      async () => condition(stackOf(await running.status(), 'shop'), 'Ready') === 'True/Available',
      120_000,
    );

    const table = await runCli(['status', '--url', running.url]);
    assert.equal(table.code, 2, `the broken stack is not ready:\n${table.stdout}${table.stderr}`);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^STACK\s+CONDITIONS\s+REVISION\s+LAST SYNC\s+LAST ERROR$/);
    const shop = rows.find((row) => row.startsWith('shop '));
    assert.match(
      shop ?? '',
      /^shop\s+Ready, Synced, (not Drifted|Drifted\?)\s+[0-9a-f]{12}\s+\S+T\S+Z \(success\)\s+-$/,
    );
    const broken = rows.find((row) => row.startsWith('broken '));
    assert.match(broken ?? '', /network/, 'the spec error is the last error');

    const json = await runCli(['status', '--url', running.url, '--output', 'json']);
    const body = JSON.parse(json.stdout) as {
      stacks: { name: string; outputs: { resources?: Record<string, Record<string, string>> } }[];
    };
    const outputs = body.stacks.find((stack) => stack.name === 'shop')?.outputs;
    assert.equal(outputs?.resources?.['log-group.shop/app']?.name, '/shop/app');
  });
});
