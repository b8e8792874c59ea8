/**
 * `npm run loadtest` end to end: the load test as a user runs it (its own process) against the
 * log service on a real PostgreSQL, with three short stages; it must report every stage with
 * requests and no errors, and write the chart and the summary.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Database } from '../service/db.ts';
import {
  countRows,
  type RunningApp,
  startTestService,
  type TestService,
} from './fixtures/service/harness.ts';
import { runLoadtest } from './helpers/loadtest.ts';

let service: TestService;
let db: Database;
let running: RunningApp;
let out: string;

before(async () => {
  service = await startTestService('loadtest', 8);
  ({ db, running } = service);
  out = await mkdtemp(join(tmpdir(), 'loadtest-'));
});

after(async () => {
  await service?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

interface Results {
  rows: Array<{ label: string; requests: number; errors: number; p50: number; p99: number }>;
  total: { requests: number; errors: number };
  byKind: Array<[string, number]>;
}

test('three short stages against the service: every stage answered, no errors, chart and summary written', {
  timeout: 180_000,
}, async () => {
  const result = await runLoadtest([
    '--url',
    running.baseUrl,
    '--stages',
    '2s:5,3s:20,2s:0',
    '--out',
    out,
  ]);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  // live progress lines and the final table
  assert.match(result.stdout, /^stage 1\/3: 0 → 5 users over 2s$/m);
  assert.match(result.stdout, /^stage 3\/3: 20 → 0 users over 2s$/m);
  assert.match(result.stdout, /^\[0:0\d\] stage \d\/3 {2}users \d+ {2}\d+ req\/s {2}p50 /m);
  assert.match(result.stdout, /^all +3 stages /m);

  const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
  assert.deepStrictEqual(
    results.rows.map((row) => row.label),
    ['1', '2', '3'],
  );
  for (const row of results.rows) {
    assert.ok(row.requests > 0, `stage ${row.label} sent requests`);
    assert.equal(row.errors, 0, `stage ${row.label} had no errors`);
    assert.ok(row.p50 > 0 && row.p99 >= row.p50, `stage ${row.label} percentiles`);
  }
  assert.equal(results.total.errors, 0);
  const kinds = new Set(results.byKind.map(([kind]) => kind));
  for (const kind of ['ingest', 'page', 'search', 'stats'])
    assert.ok(kinds.has(kind), `${kind} in the mix`);
  assert.ok((await countRows(db)) > 0, 'the ingested events are stored');

  const summary = await readFile(join(out, 'summary.md'), 'utf8');
  const stageRows = summary.split('\n').filter((line) => /^\| [123] \| /.test(line));
  assert.equal(stageRows.length, 3, summary);
  assert.match(summary, /!\[[^\]]*\]\(chart\.svg\)/);
  assert.match(summary, /--stages 2s:5,3s:20,2s:0/);

  const svg = await readFile(join(out, 'chart.svg'), 'utf8');
  assert.match(svg, /^<\?xml [^>]+>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const series of ['requests/s', 'virtual users', 'p50', 'p99']) {
    assert.match(svg, new RegExp(`data-series="${series}" d="M`), series);
  }
  assert.match(svg, /task counts are sampled with --stack NAME/);
});

test('a URL where nothing listens fails at once with one line, and nothing is written', {
  timeout: 60_000,
}, async () => {
  const empty = join(out, 'unreachable');
  const result = await runLoadtest([
    '--url',
    'http://127.0.0.1:1',
    '--stages',
    '2s:5',
    '--out',
    empty,
  ]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^loadtest: cannot reach --url http:\/\/127\.0\.0\.1:1: ECONNREFUSED\n$/,
  );
  await assert.rejects(readFile(join(empty, 'summary.md')));
});

test('a bad flag is a one-line error with exit 2', { timeout: 60_000 }, async () => {
  const result = await runLoadtest(['--url', running.baseUrl, '--stages', '30s:abc']);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    "loadtest: --stages 30s:abc: 'abc' is not a number of virtual users (a whole number, 0 or more)\n",
  );
  assert.equal(result.stdout, '');
});
