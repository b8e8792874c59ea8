import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallStats } from '../aws/clients.ts';
import { startStatusServer } from './http.ts';
import { DaemonMetrics, resourceKey } from './metrics.ts';

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
