/**
 * End to end: two and three `reconciler run --share-stacks` replicas on ten small stacks (moto):
 * every stack applied by exactly one replica, a SIGTERMed replica's stacks taken over at once,
 * a SIGKILLed replica's stacks converged by the others once its leases expire.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { chromium } from 'playwright-core';
import {
  condition,
  type DaemonProcess,
  eventually,
  spawnDaemon,
  stackOf,
  stopDaemon,
  useDaemonWorld,
} from './daemon-harness.ts';

const world = useDaemonWorld('shards');
const MINIMAL = new URL('../specs/examples/minimal.yaml', import.meta.url);
const STACKS = 10;
const CHROMIUM = '/usr/bin/chromium';

/**
 * pageOwners reads, in a real browser, who the status page says holds each stack, and which
 * stacks it marks as this replica's last view rather than current.
 */
async function pageOwners(
  url: string,
): Promise<{ owners: Map<string, string>; stale: string[]; detail: string }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.locator('[data-stack] [data-owner]').first().waitFor();
    const rows = await page
      .locator('a[data-stack]')
      .evaluateAll((links) =>
        links.map((link) => [
          link.getAttribute('data-stack') ?? '',
          link.querySelector('[data-owner]')?.getAttribute('data-owner') ?? '',
          link.querySelector('[data-not-current]') ? 'stale' : '',
        ]),
      );
    const typed = rows as Array<[string, string, string]>;
    const stale = typed.filter(([, , mark]) => mark).map(([name]) => name);
    // a stale stack's own view names its holder and says what it shows
    let detail = '';
    const heldElsewhere = typed.find(([, owner, mark]) => mark && owner);
    if (heldElsewhere) {
      await page.goto(`${url}/#stack=${encodeURIComponent(heldElsewhere[0])}`);
      detail = (await page.locator('[data-held-by]').first().textContent()) ?? '';
    }
    return { owners: new Map(typed.map(([name, owner]) => [name, owner])), stale, detail };
  } finally {
    await browser.close();
  }
}

interface SharedStatus {
  replica: { id: string; shared: { replicas: string[]; holds: string[] } | null };
  stacks: Array<{ name: string; owner: { holder: string } | null; current: boolean }>;
}

async function shared(daemon: DaemonProcess): Promise<SharedStatus | undefined> {
  return (await daemon.status()) as unknown as SharedStatus | undefined;
}

/** writeStacks writes copies of the minimal example named PREFIX-0 .. PREFIX-9 into folder. */
async function writeStacks(folder: string, prefix: string, extra?: Set<string>): Promise<string[]> {
  const minimal = await readFile(MINIMAL, 'utf8');
  const names = Array.from({ length: STACKS }, (_, i) => `${prefix}-${i}`);
  for (const name of names) {
    let text = minimal.replaceAll('minimal', name);
    if (extra?.has(name)) text += `  - name: /${name}/audit\n    retentionDays: 30\n`;
    await writeFile(join(folder, `${name}.yaml`), text);
  }
  return names;
}

function args(folder: string, lease: string, replica: string): string[] {
  return [
    folder,
    '--share-stacks',
    '--lease-table',
    'daemon-shard-leases',
    '--lease-name',
    lease,
    '--lease-ttl',
    '6s',
    '--replica-id',
    replica,
    '--resync',
    '20s',
    '--pending-requeue',
    '2s',
    '--backoff-base',
    '1s',
    '--aws-rps',
    '100',
  ];
}

/** stacksCreated are the stacks for which the daemon logged a create. */
function stacksCreated(daemon: DaemonProcess, address?: (stack: string) => string): Set<string> {
  const found = new Set<string>();
  for (const line of daemon.lines) {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.event !== 'create' || typeof entry.stack !== 'string') continue;
      if (address && entry.address !== address(entry.stack)) continue;
      found.add(entry.stack);
    } catch {}
  }
  return found;
}

/**
 * startReplicas starts the replicas on a folder holding only an invalid spec (a folder needs a
 * spec file; an invalid one needs no AWS and is nobody's) and waits until each sees all of them
 * live, so the stacks written next are spread from the first round.
 */
async function startReplicas(folder: string, lease: string, ids: string[]) {
  await writeFile(join(folder, 'placeholder.yaml'), 'name: placeholder\n');
  const replicas = await Promise.all(
    ids.map((id) => spawnDaemon(world.moto.endpoint, args(folder, lease, id))),
  );
  await eventually(
    `${ids.length} replicas see each other`,
    async () => {
      const bodies = await Promise.all(replicas.map(shared));
      return bodies.every((body) => body?.replica.shared?.replicas.length === ids.length);
    },
    120_000,
  );
  return replicas;
}

/** heldTwice collects every moment two replicas' /status claimed the same stack. */
const heldTwice: string[] = [];

/**
 * converged waits until every stack is Ready at its current revision in the status of the
 * replica that holds it, and done() (if given) agrees.
 */
async function converged(
  replicas: DaemonProcess[],
  names: string[],
  what: string,
  done: () => Promise<boolean> = async () => true,
) {
  return eventually(
    what,
    async () => {
      const bodies = await Promise.all(replicas.map(shared));
      if (bodies.some((body) => body === undefined)) return undefined;
      const holder = new Map<string, string>();
      for (const [i, body] of bodies.entries()) {
        for (const name of body?.replica.shared?.holds ?? []) {
          if (holder.has(name)) heldTwice.push(name);
          holder.set(name, replicas[i]?.url ?? '');
        }
      }
      for (const name of names) {
        const i = replicas.findIndex((replica) => replica.url === holder.get(name));
        const body = bodies[i];
        if (!body) return undefined;
        const stack = stackOf(body as never, name);
        if (condition(stack, 'Ready') !== 'True/Available') return undefined;
        if (!stack?.lastAppliedRevision || stack.lastAppliedRevision !== stack.revision) {
          return undefined;
        }
      }
      return (await done()) ? bodies : undefined;
    },
    300_000,
  );
}

function assertEachOnce(
  replicas: DaemonProcess[],
  names: string[],
  address?: (s: string) => string,
) {
  const sets = replicas.map((replica) => stacksCreated(replica, address));
  for (const name of names) {
    const by = sets.flatMap((set, i) => (set.has(name) ? [i] : []));
    assert.equal(by.length, 1, `${name} created by replicas ${by.join(',') || 'none'}`);
  }
  return sets.map((set) => set.size);
}

test('two replicas share ten stacks, each applied by one; SIGTERM hands the stacks over at once', async () => {
  const folder = await mkdtemp(join(world.dir, 'two-'));
  const replicas = await startReplicas(folder, 'two', ['replica-a', 'replica-b']);
  try {
    const names = await writeStacks(folder, 'two');
    const bodies = await converged(replicas, names, 'ten stacks converged over two replicas');
    const counts = assertEachOnce(replicas, names);
    assert.ok(
      counts.every((n) => n >= 1 && n <= 5),
      `applies per replica: ${counts}`,
    );
    const owners = new Map(
      (bodies[0]?.stacks ?? []).map((stack) => [stack.name, stack.owner?.holder ?? '']),
    );
    for (const [i, body] of bodies.entries()) {
      for (const name of body?.replica.shared?.holds ?? []) {
        assert.equal(owners.get(name), `replica-${'ab'[i]}`, `/status owner of ${name}`);
      }
      // each replica calls current exactly the entries of the stacks it holds
      const current = (body?.stacks ?? []).filter((stack) => stack.current).map((s) => s.name);
      assert.deepEqual(current.sort(), [...(body?.replica.shared?.holds ?? [])].sort());
    }
    if (existsSync(CHROMIUM)) {
      const shown = await pageOwners(replicas[0]?.url ?? '');
      for (const name of names) {
        assert.equal(shown.owners.get(name), owners.get(name), `page: ${name}`);
      }
      const heldElsewhere = [...owners]
        .filter(([, holder]) => holder !== 'replica-a')
        .map(([name]) => name);
      assert.deepEqual(shown.stale.sort(), heldElsewhere.sort(), 'page: the stacks held elsewhere');
      assert.match(
        shown.detail,
        /^replica-b \(what this page shows is this replica's last view\)$/,
      );
    }

    const [leaving, staying] = replicas as [DaemonProcess, DaemonProcess];
    assert.equal(await stopDaemon(leaving), 0);
    assert.ok(leaving.lines.some((line) => line.includes('released stack lease')));
    await eventually(
      'the other replica holds all ten',
      async () => (await shared(staying))?.replica.shared?.holds.length === STACKS,
      60_000,
    );
    assert.equal(stacksCreated(staying).size, counts[1], 'taking over created nothing');
  } finally {
    await Promise.all(replicas.map((replica) => stopDaemon(replica)));
  }
  assert.deepStrictEqual(heldTwice, [], 'no stack was held by two replicas at once');
});

test("three replicas share ten stacks; a SIGKILLed replica's stacks are converged by the others", async () => {
  const folder = await mkdtemp(join(world.dir, 'three-'));
  const replicas = await startReplicas(folder, 'three', ['replica-c', 'replica-d', 'replica-e']);
  try {
    const names = await writeStacks(folder, 'three');
    await converged(replicas, names, 'ten stacks converged over three replicas');
    const counts = assertEachOnce(replicas, names);
    assert.ok(
      counts.every((n) => n >= 1 && n <= 4),
      `applies per replica: ${counts}`,
    );

    const [victim, ...survivors] = replicas as [DaemonProcess, ...DaemonProcess[]];
    const orphaned = new Set((await shared(victim))?.replica.shared?.holds ?? []);
    assert.ok(orphaned.size > 0);
    victim.child.kill('SIGKILL');
    await victim.exit;
    // a change to the dead replica's stacks shows they are reconciled again, by someone else
    await writeStacks(folder, 'three', orphaned);
    const audits = async () => {
      const found = await world.logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: '/three-' }),
      );
      return new Set(
        (found.logGroups ?? [])
          .map((group) => group.logGroupName ?? '')
          .filter((name) => name.endsWith('/audit')),
      );
    };
    await converged(survivors, names, 'the survivors hold and converged all ten', async () => {
      const found = await audits();
      return [...orphaned].every((name) => found.has(`/${name}/audit`));
    });
    assert.equal((await audits()).size, orphaned.size, 'only the changed stacks got a new group');
    assertEachOnce(survivors, [...orphaned], (stack) => `log-group.${stack}/audit`);
  } finally {
    await Promise.all(replicas.map((replica) => stopDaemon(replica)));
  }
  assert.deepStrictEqual(heldTwice, [], 'no stack was held by two replicas at once');
});
