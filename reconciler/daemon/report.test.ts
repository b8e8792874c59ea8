import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReconcileResult } from '../engine/reconcile.ts';
import type { ResourceChange } from '../plan/types.ts';
import { ResourceError } from '../resources/kit/errors.ts';
import { resourceKey } from './metrics.ts';
import { isTerminalFailure, outstandingChanges, redactFields, resourceCounts } from './report.ts';

test('isTerminalFailure', () => {
  const coded = (name: string) => Object.assign(new Error('x'), { name });
  const cases = [
    { reason: 'access denied', error: coded('AccessDeniedException'), terminal: true },
    { reason: 'throttling', error: coded('ThrottlingException'), terminal: false },
    {
      reason: 'in the cause chain',
      error: new Error('observe failed', { cause: coded('UnauthorizedOperation') }),
      terminal: true,
    },
    {
      reason: 'a typed error says so itself',
      error: new ResourceError('cannot create subnet.a: InvalidParameterValue: bad cidr', {
        kind: 'subnet',
        address: 'subnet.a',
        operation: 'create',
        cause: coded('InvalidParameterValue'),
      }),
      terminal: true,
    },
    {
      reason: 'a typed retryable error is not terminal, whatever its cause chain',
      error: new ResourceError('plan is stale', {
        kind: 'subnet',
        address: 'subnet.a',
        operation: 'update',
        disposition: 'retryable',
        cause: coded('InvalidParameterValue'),
      }),
      terminal: false,
    },
    {
      reason: 'a message naming a code is not parsed',
      error: 'cannot create subnet: InvalidParameterValue: bad cidr',
      terminal: false,
    },
    { reason: 'a plain message', error: 'connection reset', terminal: false },
    { reason: 'a word that is no code', error: new Error('Validation pending'), terminal: false },
  ];
  for (const { reason, error, terminal } of cases) {
    assert.equal(isTerminalFailure(error), terminal, reason);
  }
});

test('redactFields hides sensitive values only', () => {
  assert.deepStrictEqual(
    redactFields([
      { path: 'retentionDays', before: 7, after: 14, forcesReplacement: false, sensitive: false },
      { path: 'secrets.DB', before: 'a', after: 'b', forcesReplacement: false, sensitive: true },
    ]),
    [
      { path: 'retentionDays', before: 7, after: 14 },
      { path: 'secrets.DB', before: '(sensitive)', after: '(sensitive)' },
    ],
  );
});

test('resourceCounts: applied changes are in sync, deletes vanish, pending and failures show', () => {
  const change = (address: string, action: ResourceChange['action']): ResourceChange => ({
    address,
    kind: address.split('.')[0] ?? '',
    action,
    reason: 'test',
    fields: [],
  });
  const changes = [
    change('vpc.main', 'no-op'),
    change('subnet.a', 'create'),
    change('subnet.b', 'create'),
    change('nat-gateway.a', 'create'),
    change('log-group.old', 'delete'),
    change('route-table.public', 'update'),
  ];
  const result: ReconcileResult = {
    plan: {
      formatVersion: '1.0',
      stacks: [{ name: 'web', region: 'us-west-2', changes }],
      summary: { add: 3, change: 1, destroy: 1, replace: 0, noOp: 1 },
    },
    applied: ['subnet.a', 'nat-gateway.a', 'log-group.old'].map((address) => ({
      address,
      action: 'create',
      elapsedMs: 1,
    })),
    failures: [
      {
        address: 'subnet.b',
        action: 'create',
        error: 'boom',
        stack: 'web',
        kind: 'subnet',
        operation: 'create',
        disposition: 'retryable',
      },
    ],
    skipped: ['route-table.public'],
    pending: ['nat-gateway.a'],
  };
  assert.deepStrictEqual(
    resourceCounts(result),
    new Map([
      [resourceKey('vpc', 'in-sync'), 1],
      [resourceKey('subnet', 'in-sync'), 1],
      [resourceKey('subnet', 'missing'), 1],
      [resourceKey('nat-gateway', 'pending'), 1],
      [resourceKey('route-table', 'drifted'), 1],
    ]),
  );
});

test('outstandingChanges: a change only a further apply pass made counts too, once per address', () => {
  const change = (address: string, action: ResourceChange['action']): ResourceChange => ({
    address,
    kind: address.split('.')[0] ?? '',
    action,
    reason: 'test',
    fields: [],
  });
  const result: ReconcileResult = {
    plan: {
      formatVersion: '1.0',
      stacks: [
        {
          name: 'web',
          region: 'us-west-2',
          changes: [change('vpc.main', 'no-op'), change('subnet.a', 'update')],
        },
      ],
      summary: { add: 0, change: 1, destroy: 0, replace: 0, noOp: 1 },
    },
    applied: [],
    failures: [],
    skipped: [],
    pending: [],
    furtherChanges: [change('log-group.app', 'update'), change('subnet.a', 'update')],
  };
  assert.deepStrictEqual(
    outstandingChanges(result).map((entry) => entry.address),
    ['subnet.a', 'log-group.app'],
  );
});
