/**
 * The status page with states the local cloud never reaches (it makes every resource ready at
 * once): a controller with a fake reconcile, served by the daemon's own status listener, in
 * Debian's chromium. A NAT gateway AWS is still creating shows as pending; a later run finds a
 * secret field of the database changed out of band and cannot correct it: the page shows the
 * failure, the drift and the plan, with `(sensitive value)` where the secret would be, and
 * neither the old nor the new value appears in the page's HTML, its event stream or /status.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { FakeClock } from '../reconciler/daemon/clock.ts';
import { Controller } from '../reconciler/daemon/controller.ts';
import { type StatusServer, startStatusServer } from '../reconciler/daemon/http.ts';
import { DaemonMetrics } from '../reconciler/daemon/metrics.ts';
import type { ObservedEntry, ReconcileResult } from '../reconciler/engine/reconcile.ts';
import type { ResourceChange } from '../reconciler/plan/types.ts';
import { memoryLogger } from './fakes/memory-logger.ts';

const chromiumPath = '/usr/bin/chromium';
const skip =
  !existsSync(chromiumPath) && !process.env.CI
    ? `${chromiumPath} is missing (apt-get install chromium); CI installs it`
    : false;

const PENDING_MS = 15_000;
const OLD_SECRET = 'old-Pa55word-from-the-spec';
const NEW_SECRET = 'new-Pa55word-set-by-hand';

const ADDRESSES = ['vpc.main', 'subnet.public-a', 'nat-gateway.a', 'db-instance.main'];

function change(address: string, extra: Partial<ResourceChange> = {}): ResourceChange {
  return {
    address,
    kind: address.split('.')[0] ?? '',
    action: 'no-op',
    reason: 'up to date',
    fields: [],
    ...extra,
  };
}

function observed(natStatus: ObservedEntry['status']): ObservedEntry[] {
  return ADDRESSES.map((address) => ({
    stack: 'scalable-logging',
    address,
    kind: address.split('.')[0] ?? '',
    id: `${address.split('.')[0]}-0001`,
    status: address === 'nat-gateway.a' ? natStatus : 'ready',
    attributes: {},
  }));
}

function result(changes: ResourceChange[], extra: Partial<ReconcileResult>): ReconcileResult {
  return {
    plan: {
      formatVersion: '1.0',
      stacks: [{ name: 'scalable-logging', region: 'us-west-2', changes }],
      summary: { add: 0, change: 1, destroy: 0, replace: 0, noOp: changes.length - 1 },
    },
    applied: [],
    failures: [],
    skipped: [],
    pending: [],
    ...extra,
  };
}

/** The first run creates everything, the NAT gateway still pending; the second finds the drift. */
const runs: Array<() => ReconcileResult> = [
  () =>
    result(
      ADDRESSES.map((address) => change(address, { action: 'create', reason: 'not found' })),
      {
        applied: ADDRESSES.map((address) => ({ address, action: 'create', elapsedMs: 40 })),
        pending: ['nat-gateway.a'],
        observed: observed('pending'),
      },
    ),
  () =>
    result(
      [
        change('vpc.main'),
        change('subnet.public-a'),
        change('nat-gateway.a', { pending: true, reason: 'up to date (still pending in AWS)' }),
        change('db-instance.main', {
          action: 'update',
          reason: 'drift',
          id: 'db-instance-0001',
          fields: [
            {
              path: 'masterPassword',
              before: NEW_SECRET,
              after: OLD_SECRET,
              forcesReplacement: false,
              sensitive: true,
            },
          ],
        }),
      ],
      {
        failures: [
          {
            address: 'db-instance.main',
            action: 'update',
            error: 'cannot update db-instance.main: AccessDenied',
            stack: 'scalable-logging',
            kind: 'db-instance',
            operation: 'update',
            code: 'AccessDenied',
            disposition: 'terminal',
          },
        ],
        pending: ['nat-gateway.a'],
        observed: observed('pending'),
      },
    ),
];

let clock: FakeClock;
let controller: Controller;
let server: StatusServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  clock = new FakeClock(Date.now());
  let call = 0;
  controller = new Controller({
    clock,
    log: memoryLogger(),
    metrics: new DaemonMetrics(),
    concurrency: 1,
    resyncMs: 300_000,
    pendingRequeueMs: PENDING_MS,
    observeOnly: false,
    leader: true,
    random: () => 0.5,
    reconcile: async () =>
      (runs[call++] ?? runs[runs.length - 1] ?? runs[0])?.() as ReconcileResult,
  });
  server = await startStatusServer(
    {
      healthz: () => controller.liveness(),
      readyz: () => controller.readiness(),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      status: () => ({
        replica: { id: 'test', leader: true, observeOnly: false, lease: null },
        stacks: controller.stacks(),
      }),
      subscribe: (listener) => controller.subscribe(listener),
    },
    { host: '127.0.0.1', port: 0 },
  );
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox'],
  });
});

after(async () => {
  await browser?.close();
  await controller?.stop(1_000);
  await server?.close();
});

describe('the daemon status page with a pending resource and a secret', { skip }, () => {
  test('a pending resource shows as pending; a secret in the drift and the plan never shows', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const events = new AbortController();
    let streamed = '';
    const reading = (async () => {
      const response = await fetch(`${server.url}/events`, { signal: events.signal });
      const reader = response.body?.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) return;
          streamed += decoder.decode(chunk.value, { stream: true });
        }
      } catch {
        // aborted below
      }
    })();
    try {
      await page.goto(`${server.url}/`);
      controller.setSpecs({
        revision: 'sha-test',
        files: [
          {
            file: 'specs/scalable-logging.yaml',
            source: await readFile('specs/scalable-logging.yaml', 'utf8'),
            hash: 'h1',
          },
        ],
      });
      await controller.idle();
      const nat = page.locator('#detail li[data-address="nat-gateway.a"]');
      await page
        .locator('#detail li[data-address="nat-gateway.a"][data-status="pending"]')
        .waitFor();
      assert.match((await nat.locator(':scope > .row').textContent()) ?? '', /^pending/);
      assert.equal(
        await page
          .locator('[data-stack="scalable-logging"] [data-condition="Ready"][data-status="False"]')
          .textContent(),
        'Pending',
      );
      assert.equal(
        await page.locator('#detail li[data-status="ready"]').count(),
        ADDRESSES.length - 1,
      );

      // the next run: the NAT gateway is still pending, the password drifted and cannot be set back
      await clock.advance(PENDING_MS);
      await controller.idle();
      await page
        .locator('#detail li[data-address="db-instance.main"][data-status="failed"]')
        .waitFor();
      await page.locator('#plan pre').waitFor();
      const plan = (await page.locator('#plan pre').textContent()) ?? '';
      assert.match(plan, /# db-instance\.main will be updated in place/);
      assert.match(plan, /masterPassword = \(sensitive value\)/);
      assert.match(
        (await page.locator('#drift [data-drift-address="db-instance.main"]').textContent()) ?? '',
        /masterPassword = \(sensitive value\)/,
      );
      assert.match((await page.locator('#error').textContent()) ?? '', /AccessDenied/);
      assert.equal(
        await page
          .locator('#detail li[data-address="nat-gateway.a"][data-status="pending"]')
          .count(),
        1,
      );
      const html = await page.content();
      const status = await (await fetch(`${server.url}/status`)).text();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(streamed.includes('masterPassword'), 'the stream carried the drift');
      for (const [where, body] of [
        ['page html', html],
        ['events', streamed],
        ['/status', status],
      ] as const) {
        for (const secret of [OLD_SECRET, NEW_SECRET]) {
          assert.equal(body.includes(secret), false, `a secret is in the ${where}`);
        }
      }
      assert.deepStrictEqual(problems, []);
    } finally {
      events.abort();
      await reading;
      await context.close();
    }
  });
});
