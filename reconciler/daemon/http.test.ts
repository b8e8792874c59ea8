import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallStats } from '../aws/clients.ts';
import { startStatusServer } from './http.ts';
import { DaemonMetrics, resourceKey } from './metrics.ts';
import { loadPage } from './page.ts';

test('the status server answers probes, metrics and status', async () => {
  const metrics = new DaemonMetrics();
  const stats = new CallStats();
  metrics.observeCalls(stats);
  stats.record({ service: 'ec2', operation: 'DescribeVpcs', outcome: 'ok' });
  stats.record({ service: 'ec2', operation: 'DescribeVpcs', outcome: 'ok' });
  metrics.driftDetected.inc({ stack: 'web' });
  metrics.setStackResources('web', new Map([[resourceKey('vpc', 'in-sync'), 1]]));
  metrics.setStackResources('api', new Map([[resourceKey('vpc', 'in-sync'), 2]]));
  let ready = false;
  const server = await startStatusServer(
    {
      healthz: () => ({ ok: true, checks: { loop: { ok: true, message: 'ticked' } } }),
      readyz: () => ({ ok: ready, checks: { specs: { ok: ready, message: 'loading' } } }),
      metrics: async () => ({ contentType: metrics.contentType, body: await metrics.render() }),
      status: () => ({ stacks: [{ name: 'web' }] }),
    },
    { host: '127.0.0.1', port: 0 },
  );
  try {
    const cases = [
      { reason: 'alive', path: '/healthz', status: 200, contains: '"ok": true' },
      { reason: 'not ready yet', path: '/readyz', status: 503, contains: 'loading' },
      { reason: 'status json', path: '/status', status: 200, contains: '"name": "web"' },
      {
        reason: 'aws calls counted',
        path: '/metrics',
        status: 200,
        contains:
          'reconciler_aws_calls_total{service="ec2",operation="DescribeVpcs",outcome="ok"} 2',
      },
      {
        reason: 'drift counted',
        path: '/metrics',
        status: 200,
        contains: 'reconciler_drift_detected_total{stack="web"} 1',
      },
      {
        reason: 'resources summed over stacks',
        path: '/metrics',
        status: 200,
        contains: 'reconciler_resources{kind="vpc",state="in-sync"} 3',
      },
      { reason: 'unknown path', path: '/nope', status: 404, contains: 'no route' },
    ];
    for (const { reason, path, status, contains } of cases) {
      const response = await fetch(`${server.url}${path}`);
      const body = await response.text();
      assert.equal(response.status, status, reason);
      assert.ok(body.includes(contains), `${reason}: ${body.slice(0, 400)}`);
    }
    ready = true;
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    assert.equal((await fetch(`${server.url}/status`, { method: 'POST' })).status, 405);
  } finally {
    await server.close();
  }
});

/** readEvents reads server-sent `status` events from /events until `count` arrived. */
async function readEvents(url: string, count: number): Promise<{ events: unknown[]; raw: string }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/events`, { signal: controller.signal });
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = response.body?.getReader();
  assert.ok(reader);
  const decoder = new TextDecoder();
  let raw = '';
  const events: unknown[] = [];
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += decoder.decode(value, { stream: true });
    events.length = 0;
    for (const block of raw.split('\n\n')) {
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (block.startsWith('event: status') && data) events.push(JSON.parse(data.slice(6)));
    }
  }
  controller.abort();
  return { events, raw };
}

test('the page is served at / with a strict content security policy, and /events streams the status', async () => {
  const listeners = new Set<() => void>();
  let generation = 1;
  const server = await startStatusServer(
    {
      healthz: () => ({ ok: true, checks: {} }),
      readyz: () => ({ ok: true, checks: {} }),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      status: () => ({ generation }),
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    { host: '127.0.0.1', port: 0 },
  );
  try {
    const page = await fetch(`${server.url}/`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(html, /<script type="module" src="page\.js"><\/script>/);
    for (const [path, type] of [
      ['/page.js', 'text/javascript; charset=utf-8'],
      ['/page.css', 'text/css; charset=utf-8'],
    ] as const) {
      const file = await fetch(`${server.url}${path}`);
      assert.deepStrictEqual([file.status, file.headers.get('content-type')], [200, type], path);
      const again = await fetch(`${server.url}${path}`, {
        headers: { 'if-none-match': file.headers.get('etag') ?? '' },
      });
      assert.equal(again.status, 304, `${path} revalidates by etag`);
    }
    const reading = readEvents(server.url, 2);
    // the first event is the status at connection time; a change sends the next one
    while (listeners.size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    generation = 2;
    for (const listener of listeners) listener();
    const { events } = await reading;
    assert.deepStrictEqual(events, [{ generation: 1 }, { generation: 2 }]);
    while (listeners.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    await server.close();
  }
});

test('without a subscribe function /events is not served; a missing page answers 404', async () => {
  const server = await startStatusServer(
    {
      healthz: () => ({ ok: true, checks: {} }),
      readyz: () => ({ ok: true, checks: {} }),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      status: () => ({}),
      page: loadPage(undefined),
    },
    { host: '127.0.0.1', port: 0 },
  );
  try {
    assert.equal((await fetch(`${server.url}/events`)).status, 404);
    assert.equal((await fetch(`${server.url}/`)).status, 404);
  } finally {
    await server.close();
  }
});
