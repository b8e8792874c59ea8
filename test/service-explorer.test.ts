/**
 * The log explorer page in a real browser: Debian's chromium driven by playwright-core against
 * the service on a real PostgreSQL. The page loads without errors, a search narrows the list,
 * the histogram draws one bar per bucket of the range with the levels stacked, scrolling to the
 * end fetches the next page over the cursor, a click shows an event's attributes and trace id,
 * the keyboard reaches everything, a phone-sized window does not scroll sideways, and live
 * tail shows a newly ingested event within 2 s. Skipped only when chromium is missing outside
 * CI (.ci/run installs it, so CI always runs these).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Database } from '../service/db.ts';
import {
  createTestDatabase,
  openTestDatabase,
  postLogs,
  type RunningApp,
  serveApp,
  type TestDatabase,
} from './fixtures/service/harness.ts';

/**
 * waitForCount polls from the test, not in the page: the page's content security policy forbids
 * the eval that a string predicate of page.waitForFunction needs while it polls.
 */
async function waitForCount(page: Page, selector: string, count: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await page.locator(selector).count();
    if (found === count) return;
    if (Date.now() > deadline) {
      throw new Error(`${selector}: ${found} elements after ${timeoutMs} ms, expected ${count}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const chromiumPath = '/usr/bin/chromium';
const skip =
  !existsSync(chromiumPath) && !process.env.CI
    ? `${chromiumPath} is missing (apt-get install chromium); CI installs it`
    : false;

let database: TestDatabase;
let db: Database;
let running: RunningApp;
let browser: Browser;

before(async () => {
  if (skip) return;
  database = await createTestDatabase('explorer');
  db = await openTestDatabase(database.url);
  running = await serveApp({ db });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox'],
  });
});

after(async () => {
  await browser?.close();
  await running?.close();
  await db?.close();
  await database?.drop();
});

interface Opened {
  context: BrowserContext;
  page: Page;
  /** problems are console errors and uncaught exceptions (a CSP violation is one). */
  problems: string[];
  /** apiPaths are the API requests the page made, path and query. */
  apiPaths: string[];
}

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<Opened> {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  const problems: string[] = [];
  const apiPaths: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/v1/')) apiPaths.push(`${url.pathname}${url.search}`);
  });
  await page.goto(`${running.baseUrl}${path}`);
  return { context, page, problems, apiPaths };
}

const rows = (page: Page) => page.locator('#events .event');

async function messages(page: Page): Promise<string[]> {
  return page.locator('#events .event .message').allTextContents();
}

async function store(events: Array<Record<string, unknown>>): Promise<void> {
  for (let start = 0; start < events.length; start += 1000) {
    const response = await postLogs(running.baseUrl, events.slice(start, start + 1000));
    assert.equal(response.status, 202);
  }
}

/** minutesAgo is an ISO timestamp the given minutes before now. */
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('the log explorer page', { skip }, () => {
  test('loads with the newest events first, the histogram and no errors', async () => {
    await store([
      { service: 'load', level: 'info', message: 'older event', timestamp: minutesAgo(5) },
      { service: 'load', level: 'warn', message: 'newest event', timestamp: minutesAgo(1) },
    ]);
    const { context, page, problems } = await open('/?service=load');
    try {
      await rows(page).nth(1).waitFor();
      assert.equal(await page.title(), 'Logs');
      assert.deepStrictEqual(await messages(page), ['newest event', 'older event']);
      assert.deepStrictEqual(await page.locator('#events .event .level').allTextContents(), [
        'warn',
        'info',
      ]);
      assert.equal(await page.locator('#service').inputValue(), 'load');
      await page.locator('#histogram .bar').first().waitFor();
      assert.match((await page.locator('#chart-summary').textContent()) ?? '', /^2 events/);
      assert.deepStrictEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('a search narrows the list to the matching events', async () => {
    await store(
      Array.from({ length: 30 }, (_, n) => ({
        service: 'search',
        level: n % 3 === 0 ? 'error' : 'info',
        message: n % 3 === 0 ? `payment declined for order ${n}` : `order ${n} shipped`,
        timestamp: minutesAgo(30 - n),
      })),
    );
    const { context, page, apiPaths } = await open('/?service=search');
    try {
      await rows(page).nth(29).waitFor();
      await page.locator('#q').fill('payment declined');
      await page.locator('#q').press('Enter');
      await waitForCount(page, '#events .event', 10);
      const shown = await messages(page);
      assert.equal(shown.length, 10);
      assert.ok(
        shown.every((message) => message.startsWith('payment declined')),
        shown.join(),
      );
      assert.ok(new URL(page.url()).searchParams.get('q') === 'payment declined');
      assert.ok(
        apiPaths.some((path) => path.startsWith('/v1/logs?') && path.includes('q=payment')),
      );
      assert.match((await page.locator('#chart-summary').textContent()) ?? '', /^10 events/);
    } finally {
      await context.close();
    }
  });

  test('the histogram draws one bar per bucket of the range, levels stacked', async () => {
    await store([
      { service: 'chart', level: 'info', message: 'a', timestamp: '2026-11-30T02:10:00Z' },
      { service: 'chart', level: 'info', message: 'b', timestamp: '2026-11-30T02:20:00Z' },
      { service: 'chart', level: 'error', message: 'c', timestamp: '2026-11-30T02:30:00Z' },
      { service: 'chart', level: 'warn', message: 'd', timestamp: '2026-11-30T05:59:59Z' },
    ]);
    const cases = [
      {
        reason: 'six hours in 1h buckets',
        query: 'since=2026-11-30T00:00:00.000Z&until=2026-11-30T06:00:00.000Z',
        bars: 6,
        filled: { 2: ['lvl-info', 'lvl-error'], 5: ['lvl-warn'] },
      },
      {
        reason: 'ninety minutes in 1m buckets',
        query: 'since=2026-11-30T01:30:00.000Z&until=2026-11-30T03:00:00.000Z',
        bars: 90,
        filled: { 40: ['lvl-info'], 50: ['lvl-info'], 60: ['lvl-error'] },
      },
      {
        reason: 'three weeks in 1d buckets',
        query: 'since=2026-11-10T00:00:00.000Z&until=2026-12-01T00:00:00.000Z',
        bars: 21,
        filled: { 20: ['lvl-info', 'lvl-warn', 'lvl-error'] },
      },
    ];
    for (const { reason, query, bars, filled } of cases) {
      const { context, page } = await open(`/?service=chart&range=custom&${query}`);
      try {
        await page.locator('#histogram .bar').first().waitFor();
        assert.equal(await page.locator('#histogram .bar').count(), bars, reason);
        const drawn = await page.locator('#histogram .bar').evaluateAll((groups) =>
          groups
            .map((group, index) => ({
              index,
              levels: [...group.querySelectorAll('rect[class]')].map((rect) =>
                rect.getAttribute('class'),
              ),
            }))
            .filter((bar) => bar.levels.length > 0),
        );
        assert.deepStrictEqual(
          Object.fromEntries(drawn.map((bar) => [bar.index, bar.levels])),
          filled,
          reason,
        );
        if (bars === 6) {
          // a click on a bar zooms into its bucket: one hour in minute bars
          await page.locator('#histogram .bar').nth(2).click();
          await waitForCount(page, '#histogram .bar', 60);
          const params = new URL(page.url()).searchParams;
          assert.deepStrictEqual(
            [params.get('since'), params.get('until')],
            ['2026-11-30T02:00:00.000Z', '2026-11-30T03:00:00.000Z'],
          );
          assert.deepStrictEqual(await messages(page), ['c', 'b', 'a']);
        }
      } finally {
        await context.close();
      }
    }
    const opened = Date.now();
    const { context, page } = await open('/?service=chart&range=24h');
    try {
      await page.locator('#histogram .bar').first().waitFor();
      const hour = 3_600_000;
      const barsUntil = (until: number) =>
        Math.ceil(until / hour) - Math.floor((until - 24 * hour) / hour);
      const expected = new Set([barsUntil(opened), barsUntil(Date.now())]);
      const drawn = await page.locator('#histogram .bar').count();
      assert.ok(
        expected.has(drawn),
        `the last 24 hours in hourly bars, the partial hours at both ends included: ${drawn}`,
      );
    } finally {
      await context.close();
    }
  });

  test('scrolling to the end fetches the next page over the cursor', async () => {
    await store(
      Array.from({ length: 250 }, (_, n) => ({
        service: 'scroll',
        level: 'info',
        message: `event ${String(n).padStart(3, '0')}`,
        timestamp: new Date(Date.now() - (n + 1) * 1000).toISOString(),
      })),
    );
    const { context, page, apiPaths } = await open('/?service=scroll', {
      width: 1280,
      height: 700,
    });
    try {
      await rows(page).nth(99).waitFor();
      assert.equal(await rows(page).count(), 100);
      await page.locator('#more').scrollIntoViewIfNeeded();
      await rows(page).nth(199).waitFor();
      await page.locator('#more').scrollIntoViewIfNeeded();
      await rows(page).nth(249).waitFor();
      await page.locator('#status', { hasText: 'all shown' }).waitFor();
      const shown = await messages(page);
      assert.equal(shown.length, 250);
      assert.equal(new Set(shown).size, 250, 'no event twice');
      assert.deepStrictEqual([shown[0], shown.at(-1)], ['event 000', 'event 249']);
      const pages = apiPaths.filter((path) => path.startsWith('/v1/logs?'));
      assert.equal(pages.length, 3, pages.join('\n'));
      assert.equal(pages.filter((path) => path.includes('cursor=')).length, 2);
    } finally {
      await context.close();
    }
  });

  test("a click shows the event's attributes and trace id, and filters by the trace", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await store([
      {
        service: 'detail',
        level: 'error',
        message: 'payment declined',
        timestamp: minutesAgo(2),
        traceId,
        spanId: '00f067aa0ba902b7',
        attributes: { order: 20417, code: 'expired_card' },
      },
      { service: 'detail', level: 'info', message: 'unrelated', timestamp: minutesAgo(1) },
    ]);
    const { context, page } = await open('/?service=detail');
    try {
      await rows(page).nth(1).waitFor();
      const declined = rows(page).filter({ hasText: 'payment declined' });
      await declined.locator('.row').click();
      const details = declined.locator('.details');
      await details.waitFor();
      assert.equal(await declined.locator('.row').getAttribute('aria-expanded'), 'true');
      assert.equal(await details.locator('.trace-id').textContent(), traceId);
      const text = (await details.textContent()) ?? '';
      assert.ok(text.includes('"order": 20417') && text.includes('"code": "expired_card"'), text);
      assert.ok(text.includes('00f067aa0ba902b7'), text);
      await details.locator('.show-trace').click();
      await waitForCount(page, '#events .event', 1);
      assert.deepStrictEqual(await messages(page), ['payment declined']);
      assert.equal(new URL(page.url()).searchParams.get('traceId'), traceId);
      assert.equal(await page.locator('#trace-filter').isVisible(), true);
    } finally {
      await context.close();
    }
  });

  test('the keyboard reaches the search, the events and their details', async () => {
    await store([
      { service: 'keys', level: 'info', message: 'first', timestamp: minutesAgo(1) },
      { service: 'keys', level: 'info', message: 'second', timestamp: minutesAgo(2) },
    ]);
    const { context, page } = await open('/?service=keys');
    try {
      await rows(page).nth(1).waitFor();
      await page.locator('body').press('/');
      assert.equal(await page.evaluate('document.activeElement?.id'), 'q');
      await page.keyboard.press('Escape');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      const focused = () =>
        page.evaluate("document.activeElement?.querySelector('.message')?.textContent");
      assert.equal(await focused(), 'second');
      await page.keyboard.press('Enter');
      await rows(page).nth(1).locator('.details').waitFor();
      await page.keyboard.press('Escape');
      assert.equal(await rows(page).nth(1).locator('.details').count(), 0);
      assert.equal(await focused(), 'second');
    } finally {
      await context.close();
    }
  });

  test('on a phone-sized window nothing scrolls sideways', async () => {
    await store([
      {
        service: 'phone',
        level: 'warn',
        message: `a long message ${'without-any-break-'.repeat(20)}`,
        timestamp: minutesAgo(1),
      },
    ]);
    const { context, page } = await open('/?service=phone', { width: 390, height: 844 });
    try {
      await rows(page).first().waitFor();
      await rows(page).first().locator('.row').click();
      await rows(page).first().locator('.details').waitFor();
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      assert.equal(overflow, 0);
    } finally {
      await context.close();
    }
  });

  test('live tail shows a newly ingested event within 2 s', async () => {
    await store([
      { service: 'tail', level: 'info', message: 'before tail', timestamp: minutesAgo(1) },
    ]);
    const { context, page, problems } = await open('/?service=tail&range=15m');
    try {
      await rows(page).first().waitFor();
      await page.locator('#tail').click();
      assert.equal(await page.locator('#tail').getAttribute('aria-pressed'), 'true');
      await page.waitForTimeout(1200);
      const ingested = await postLogs(running.baseUrl, {
        service: 'tail',
        level: 'error',
        message: 'arrived while tailing',
      });
      assert.equal(ingested.status, 202);
      const stored = Date.now();
      await rows(page).filter({ hasText: 'arrived while tailing' }).waitFor({ timeout: 2000 });
      const seenAfterMs = Date.now() - stored;
      assert.ok(seenAfterMs <= 2000, `shown after ${seenAfterMs} ms`);
      assert.deepStrictEqual(await messages(page), ['arrived while tailing', 'before tail']);
      assert.deepStrictEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
