/**
 * The daemon's status page in a real browser: Debian's chromium driven by playwright-core
 * against `reconciler run` on the local cloud, converging the reference stack. The stack list
 * shows it Ready; the tree shows every address of the spec with its status; a retention changed
 * out of band shows as Drifted with the field within one resync, without a reload, and clears
 * after the correction, which stays in the history; the keyboard reaches the stack and the
 * layers; a phone-sized window does not scroll sideways; the database's master password never
 * appears in the page's HTML, its event stream or /status. Skipped only when chromium is
 * missing outside CI.
 *
 * DAEMON_PAGE_SCREENSHOT=docs/daemon-page.png writes the screenshot the README shows.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { CloudWatchLogsClient, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expandStack } from '../reconciler/graph/expand.ts';
import { loadStackSource } from '../reconciler/spec/load-stacks.ts';
import {
  condition,
  type DaemonProcess,
  eventually,
  retention,
  spawnDaemon,
  stackOf,
  stopDaemon,
  warmUp,
} from './daemon-harness.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const chromiumPath = '/usr/bin/chromium';
const skip =
  !existsSync(chromiumPath) && !process.env.CI
    ? `${chromiumPath} is missing (apt-get install chromium); CI installs it`
    : false;

const SPEC = 'specs/scalable-logging.yaml';
const STACK = 'scalable-logging';
const RESYNC_MS = 4_000;
const LOG_GROUP = '/scalable-logging/api';

let moto: MotoServer;
let daemon: DaemonProcess;
let browser: Browser;
let logs: CloudWatchLogsClient;
/** streamed is every byte /events sent to a client connected for the whole suite. */
let streamed = '';
const stopStream = new AbortController();

async function collectEvents(url: string): Promise<void> {
  const response = await fetch(`${url}/events`, { signal: stopStream.signal });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return;
      streamed += decoder.decode(chunk.value, { stream: true });
    }
  } catch {
    // aborted at the end of the suite
  }
}

before(async () => {
  if (skip) return;
  moto = await startMoto();
  await warmUp(moto.endpoint);
  logs = new CloudWatchLogsClient({ region: 'us-west-2', endpoint: moto.endpoint });
  daemon = await spawnDaemon(moto.endpoint, [
    SPEC,
    '--resync',
    `${RESYNC_MS / 1000}s`,
    '--pending-requeue',
    '1s',
    '--backoff-base',
    '1s',
    '--aws-rps',
    '200',
  ]);
  await eventually('the status listener', () => daemon.status());
  void collectEvents(daemon.url);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox'],
  });
  await eventually(
    'the reference stack is Ready',
    async () => condition(stackOf(await daemon.status(), STACK), 'Ready') === 'True/Available',
    120_000,
  );
});

after(async () => {
  stopStream.abort();
  await browser?.close();
  if (daemon) assert.equal(await stopDaemon(daemon), 0);
  logs?.destroy();
  await moto?.stop();
});

interface Opened {
  context: BrowserContext;
  page: Page;
  /** problems are console errors and uncaught exceptions (a CSP violation is one). */
  problems: string[];
  /** documents counts page loads: updates must come without one. */
  documents: number;
}

async function open(viewport = { width: 1280, height: 900 }): Promise<Opened> {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  const opened: Opened = { context, page, problems: [], documents: 0 };
  page.on('console', (message) => {
    if (message.type() === 'error') opened.problems.push(message.text());
  });
  page.on('pageerror', (err) => opened.problems.push(err.message));
  page.on('request', (request) => {
    if (request.resourceType() === 'document') opened.documents++;
  });
  await page.goto(`${daemon.url}/`);
  return opened;
}

/** rowStatuses reads each resource row of the tree as [address, status]. */
function rowStatuses(page: Page): Promise<Array<[string, string]>> {
  return page
    .locator('#detail li[data-address]')
    .evaluateAll((rows) =>
      rows.map((row) => [
        row.getAttribute('data-address') ?? '',
        row.getAttribute('data-status') ?? '',
      ]),
    ) as Promise<Array<[string, string]>>;
}

async function expectedAddresses(): Promise<string[]> {
  const { stack, errors } = loadStackSource(SPEC, await readFile(SPEC, 'utf8'));
  assert.deepStrictEqual(errors, []);
  assert.ok(stack);
  return expandStack(stack.spec)
    .map((resource) => resource.address)
    .sort();
}

describe('the daemon status page on the local cloud', { skip }, () => {
  test('lists the reference stack Ready and shows every address in the tree with its status', async () => {
    const { context, page, problems } = await open();
    try {
      await page
        .locator(`[data-stack="${STACK}"] [data-condition="Ready"][data-status="True"]`)
        .waitFor();
      const addresses = await expectedAddresses();
      assert.ok(addresses.length > 25, `${addresses.length} addresses`);
      await page
        .locator('#detail li[data-address]')
        .nth(addresses.length - 1)
        .waitFor();
      const rows = await rowStatuses(page);
      assert.deepStrictEqual(
        rows.sort(([a], [b]) => (a < b ? -1 : 1)),
        addresses.map((address) => [address, 'ready']),
      );
      assert.deepStrictEqual(
        await page
          .locator('#detail details[data-layer]')
          .evaluateAll((groups) => groups.map((group) => group.getAttribute('data-layer'))),
        ['network', 'load balancer', 'compute', 'database', 'logs', 'monitoring'],
      );
      // each row says its kind and physical id; the tree nests subnets under the VPC
      const vpcRow = page.locator('#detail li[data-address="vpc.main"]').first();
      assert.match((await vpcRow.locator(':scope > .row .id').textContent()) ?? '', /^vpc-/);
      assert.equal(
        await vpcRow.locator('li[data-address="subnet.public-a"]').count(),
        1,
        'subnet.public-a hangs under vpc.main',
      );
      assert.match(
        (await page.locator('[data-output="loadBalancerUrl"]').textContent()) ?? '',
        /^http:\/\/scalable-logging-\S+\.elb\.amazonaws\.com\/$/,
      );
      assert.match(
        (await page.locator('[data-output="databaseEndpoint"]').textContent()) ?? '',
        /^scalable-logging-db\.\S+:5432$/,
      );
      const live = stackOf(await daemon.status(), STACK) as unknown as {
        lastAppliedRevision: string;
      };
      assert.match(
        (await page.locator(`[data-stack="${STACK}"] .revision`).getAttribute('title')) ?? '',
        new RegExp(`^${live.lastAppliedRevision}$`),
      );
      assert.deepStrictEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('an out-of-band drift shows as Drifted with its field within one resync, then clears with a history entry', async () => {
    const opened = await open();
    const { context, page, problems } = opened;
    try {
      const drifted = page.locator(
        '#detail > .pills [data-condition="Drifted"][data-status="True"]',
      );
      const clean = page.locator(
        '#detail > .pills [data-condition="Drifted"][data-status="False"]',
      );
      await clean.waitFor();
      const changedAt = Date.now();
      await logs.send(
        new PutRetentionPolicyCommand({ logGroupName: LOG_GROUP, retentionInDays: 7 }),
      );
      await drifted.waitFor({ timeout: RESYNC_MS * 1.1 + 15_000 });
      const shownAfterMs = Date.now() - changedAt;
      const field = page.locator(
        '#drift [data-drift-address="log-group.scalable-logging/api"] .fields',
      );
      assert.match((await field.textContent()) ?? '', /retentionDays = 7 -> 30/);
      if (process.env.DAEMON_PAGE_SCREENSHOT) {
        await page.screenshot({ path: process.env.DAEMON_PAGE_SCREENSHOT, fullPage: true });
      }
      await clean.waitFor({ timeout: RESYNC_MS * 1.1 + 15_000 });
      const clearedAfterMs = Date.now() - changedAt;
      assert.equal(await page.locator('#drift').count(), 0, 'the drift section is gone');
      const entry = page.locator('.history-entry[data-drift="true"]');
      assert.equal(await entry.count(), 1);
      assert.match((await entry.textContent()) ?? '', /drift corrected/);
      assert.match((await entry.textContent()) ?? '', /retentionDays = 7 -> 30/);
      assert.match(
        (await page
          .locator('li[data-address="log-group.scalable-logging/api"] > .row .change')
          .textContent()) ?? '',
        /updated .* \(drift corrected\)/,
      );
      assert.equal(await retention(logs, LOG_GROUP), 30, 'AWS has the spec value again');
      // within one resync: the wait for the next run, that run, and one run in flight at the change
      const history = (
        stackOf(await daemon.status(), STACK) as unknown as {
          history: Array<{ durationMs: number; drift: unknown[] }>;
        }
      ).history;
      const longestRun = Math.max(...history.slice(0, 3).map((run) => run.durationMs));
      const bound = RESYNC_MS * 1.1 + 2 * longestRun + 1_000;
      assert.ok(shownAfterMs <= bound, `shown after ${shownAfterMs} ms, bound ${bound} ms`);
      assert.equal(opened.documents, 1, 'no reload');
      assert.deepStrictEqual(problems, []);
      process.stderr.write(
        `drift shown after ${shownAfterMs} ms (bound ${bound} ms), cleared after ${clearedAfterMs} ms (resync ${RESYNC_MS} ms)\n`,
      );
    } finally {
      await context.close();
    }
  });

  test('the keyboard reaches the stack and folds a layer; a phone does not scroll sideways', async () => {
    const { context, page, problems } = await open();
    try {
      await page.locator('#detail li[data-address]').first().waitFor();
      const focused = async () =>
        String(await page.evaluate("document.activeElement?.getAttribute('data-key') ?? ''"));
      let presses = 0;
      while ((await focused()) !== `stack:${STACK}` && presses++ < 5)
        await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      assert.equal(new URL(page.url()).hash, `#stack=${STACK}`);
      while ((await focused()) !== `layer:${STACK}/compute` && presses++ < 15) {
        await page.keyboard.press('Tab');
      }
      assert.equal(await focused(), `layer:${STACK}/compute`, 'Tab reaches the layer');
      await page.keyboard.press('Enter');
      const compute = page.locator('details[data-layer="compute"]');
      assert.equal(await compute.getAttribute('open'), null, 'Enter folds it');
      // the next update re-renders the page: the layer stays folded and focused
      const before = (await daemon.status())?.stacks[0] as unknown as {
        lastReconcile: { id: string };
      };
      await eventually('another run', async () => {
        const now = (await daemon.status())?.stacks[0] as unknown as {
          lastReconcile: { id: string };
        };
        return now.lastReconcile.id !== before.lastReconcile.id;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepStrictEqual(
        [await compute.getAttribute('open'), await focused()],
        [null, `layer:${STACK}/compute`],
      );
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      assert.equal(overflow, 0, 'no sideways scrolling at 390 px');
      assert.deepStrictEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the database's master password appears nowhere in the page, its events or /status", async () => {
    const rdsClient = new RDSClient({ region: 'us-west-2', endpoint: moto.endpoint });
    const secrets = new SecretsManagerClient({ region: 'us-west-2', endpoint: moto.endpoint });
    const { context, page } = await open();
    try {
      const instances = await rdsClient.send(new DescribeDBInstancesCommand({}));
      const arn = instances.DBInstances?.[0]?.MasterUserSecret?.SecretArn;
      assert.ok(arn, 'the database has a managed master secret');
      const value = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
      const password = (JSON.parse(value.SecretString ?? '{}') as { password?: string }).password;
      assert.ok(password && password.length >= 6, 'the secret holds a password');
      await page.locator('#detail li[data-address]').first().waitFor();
      const html = await page.content();
      const text = (await page.locator('body').textContent()) ?? '';
      const status = await (await fetch(`${daemon.url}/status`)).text();
      assert.ok(streamed.includes('event: status'), 'the stream was read');
      assert.ok(html.includes('db-instance.main') && status.includes('db-instance.main'));
      for (const [where, body] of [
        ['page html', html],
        ['page text', text],
        ['events', streamed],
        ['/status', status],
      ] as const) {
        assert.equal(body.includes(password), false, `the password is in the ${where}`);
      }
    } finally {
      await context.close();
      rdsClient.destroy();
      secrets.destroy();
    }
  });
});
