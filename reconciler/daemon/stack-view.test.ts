import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ObservedEntry, ReconcileResult } from '../engine/reconcile.ts';
import type { ResourceChange } from '../plan/types.ts';
import type { Stack } from '../spec/types.generated.ts';
import {
  currentPlan,
  driftItems,
  resourceViews,
  stackDependencies,
  stackOutputs,
} from './stack-view.ts';

const SECRET = 'hunter2-must-never-show';

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

function seen(address: string, extra: Partial<ObservedEntry> = {}): ObservedEntry {
  return {
    stack: 'web',
    address,
    kind: address.split('.')[0] ?? '',
    id: `id-${address}`,
    status: 'ready',
    attributes: {},
    ...extra,
  };
}

function result(changes: ResourceChange[], extra: Partial<ReconcileResult> = {}): ReconcileResult {
  return {
    plan: {
      formatVersion: '1.0',
      stacks: [{ name: 'web', region: 'us-west-2', changes }],
      summary: { add: 0, change: 0, destroy: 0, replace: 0, noOp: changes.length },
    },
    applied: [],
    failures: [],
    skipped: [],
    pending: [],
    ...extra,
  };
}

test('resourceViews gives each address its health after the run', () => {
  const run = result(
    [
      change('vpc.main', { id: 'vpc-1' }),
      change('nat-gateway.a', { action: 'create' }),
      change('log-group.api', { action: 'update', id: 'lg-1' }),
      change('security-group.db', { action: 'create', notOwned: 'sg-unowned' }),
      change('subnet.a', { action: 'create' }),
      change('subnet.old', { action: 'delete', id: 'subnet-old' }),
      change('route-table.a', { id: 'rtb-1', pending: true }),
    ],
    {
      applied: [
        { address: 'nat-gateway.a', action: 'create', elapsedMs: 1 },
        { address: 'subnet.old', action: 'delete', elapsedMs: 1 },
      ],
      failures: [
        {
          address: 'log-group.api',
          action: 'update',
          error: 'cannot update log-group.api: AccessDenied',
          stack: 'web',
          kind: 'log-group',
          operation: 'update',
          code: 'AccessDenied',
          disposition: 'terminal',
        },
      ],
      pending: ['nat-gateway.a'],
      observed: [
        seen('vpc.main', { id: 'vpc-1' }),
        seen('nat-gateway.a', { id: 'nat-1', status: 'pending' }),
        seen('log-group.api', { id: 'lg-1' }),
        seen('route-table.a', { id: 'rtb-1', status: 'pending' }),
      ],
    },
  );
  const views = resourceViews({
    stack: 'web',
    result: run,
    dependencies: new Map([['nat-gateway.a', ['vpc.main']]]),
    lastChanges: new Map([
      ['nat-gateway.a', { action: 'create', at: 'then', revision: 'r1', drift: false }],
    ]),
    drift: [],
  });
  assert.deepStrictEqual(
    views.map((view) => [view.address, view.status, view.id, view.planned ?? null]),
    [
      ['vpc.main', 'ready', 'vpc-1', null],
      ['nat-gateway.a', 'pending', 'nat-1', null],
      ['log-group.api', 'failed', 'lg-1', 'update'],
      ['security-group.db', 'not owned', 'sg-unowned', 'create'],
      ['subnet.a', 'missing', undefined, 'create'],
      ['route-table.a', 'pending', 'rtb-1', null],
    ],
    'the deleted subnet.old is gone from the list',
  );
  const nat = views.find((view) => view.address === 'nat-gateway.a');
  assert.deepStrictEqual(
    [nat?.layer, nat?.dependsOn, nat?.parent, nat?.lastChange?.action],
    ['network', ['vpc.main'], 'vpc.main', 'create'],
  );
});

test('stackDependencies follows the references of the expanded spec', () => {
  const spec = {
    name: 'web',
    region: 'us-west-2',
    network: {
      cidr: '10.20.0.0/16',
      availabilityZones: ['us-west-2a'],
      publicSubnets: ['10.20.0.0/24'],
      privateSubnets: ['10.20.10.0/24'],
      natGateways: 'none',
    },
  } as Stack;
  const dependencies = stackDependencies(spec);
  assert.deepStrictEqual(dependencies.get('subnet.public-a'), ['vpc.main']);
  assert.deepStrictEqual(dependencies.get('vpc.main'), []);
});

test('stackOutputs builds the load balancer URL from its listeners and the database endpoint', () => {
  const observed = [
    seen('load-balancer.main', { attributes: { dnsName: 'web-1.elb.example' } }),
    seen('db-instance.main', { attributes: { endpoint: 'web-db.rds.example', port: '5432' } }),
  ];
  const cases: Array<{ reason: string; listeners: object[]; url: string }> = [
    {
      reason: 'plain HTTP on 80',
      listeners: [{ port: 80, protocol: 'HTTP' }],
      url: 'http://web-1.elb.example/',
    },
    {
      reason: 'HTTPS preferred over HTTP',
      listeners: [
        { port: 80, protocol: 'HTTP' },
        { port: 443, protocol: 'HTTPS' },
      ],
      url: 'https://web-1.elb.example/',
    },
    {
      reason: 'a port that is not the default',
      listeners: [{ port: 8080, protocol: 'HTTP' }],
      url: 'http://web-1.elb.example:8080/',
    },
  ];
  for (const { reason, listeners, url } of cases) {
    const spec = { name: 'web', loadBalancer: { listeners } } as unknown as Stack;
    assert.deepStrictEqual(
      stackOutputs(spec, observed),
      { loadBalancerUrl: url, databaseEndpoint: 'web-db.rds.example:5432' },
      reason,
    );
  }
  const spec = { name: 'web' } as Stack;
  assert.deepStrictEqual(stackOutputs(spec, []), {}, 'nothing observed, no outputs');
  assert.deepStrictEqual(
    stackOutputs({ name: 'other' } as Stack, observed),
    {},
    "another stack's resources are not its outputs",
  );
});

test('drift items and the current plan redact sensitive values as the human plan does', () => {
  const changes = [
    change('db-instance.main', {
      action: 'update',
      fields: [
        {
          path: 'masterPassword',
          before: `${SECRET}-old`,
          after: SECRET,
          forcesReplacement: false,
          sensitive: true,
        },
        {
          path: 'allocatedStorage',
          before: 20,
          after: 30,
          forcesReplacement: false,
          sensitive: false,
        },
      ],
    }),
  ];
  const drift = driftItems(changes);
  assert.deepStrictEqual(drift, [
    {
      address: 'db-instance.main',
      action: 'update',
      fields: ['~ masterPassword   = (sensitive value)', '~ allocatedStorage = 20 -> 30'],
    },
  ]);
  const plan = currentPlan(result(changes), 'web');
  assert.match(plan.text, /# db-instance\.main will be updated in place/);
  assert.match(plan.text, /\(sensitive value\)/);
  assert.ok(!JSON.stringify({ drift, plan }).includes(SECRET));
});
