/**
 * What `npm start` prints of the daemon's work, from log lines shaped exactly like the daemon's
 * pino lines (recorded from `reconciler run`): a line per resource, a line per reconcile that
 * changed something saying why and what, and `still ...` lines for long operations and waits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DaemonProgress, describeApplied, showValue } from '../scripts/local/progress.ts';

const T0 = Date.parse('2026-12-01T20:34:46.854Z');

/** log renders one daemon log line at T0 + ms, with the fields every line of a reconcile has. */
function log(ms: number, msg: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    level: 30,
    time: new Date(T0 + ms).toISOString(),
    replica: 'vm-1',
    reconcileId: 'f9901dc0648f',
    stack: 'shop',
    ...fields,
    msg,
  });
}

function progress(ms: number, type: string, address: string, extra: Record<string, unknown> = {}) {
  const step = (extra.step as string) ?? 'create';
  return log(ms, `${address}: ${type} ${step}`, {
    address,
    action: step,
    type,
    step,
    ...extra,
  });
}

function feed(view: DaemonProgress, lines: string[], now = T0): string[] {
  return lines.flatMap((line) => view.line(line, now));
}

test('the first apply: a line per resource, then why it ran, what it did and what it waits for', () => {
  const view = new DaemonProgress();
  const printed = feed(view, [
    log(-5, 'spec added', { file: 'specs/shop.yaml', revision: 'sha256:57bd', valid: true }),
    log(0, 'reconcile started', { revision: 'sha256:57bd', mode: 'apply' }),
    progress(300, 'start', 'vpc.main'),
    progress(600, 'finish', 'vpc.main', { id: 'vpc-29de', elapsedMs: 305, pending: false }),
    progress(610, 'start', 'load-balancer.main'),
    progress(1000, 'finish', 'load-balancer.main', { id: 'arn:lb', elapsedMs: 402, pending: true }),
    log(3150, 'vpc.main created', { address: 'vpc.main', event: 'create', changes: [] }),
    log(3150, 'load-balancer.main created', { address: 'load-balancer.main', event: 'create' }),
    log(3152, 'reconciled; waiting for pending resources', { pending: ['load-balancer.main'] }),
  ]);
  assert.deepStrictEqual(printed, [
    'shop: spec added, reconciling revision sha256:57bd',
    'shop/vpc.main: created [id=vpc-29de] (0.3s)',
    'shop/load-balancer.main: created [id=arn:lb] (0.4s), still pending in AWS',
    'shop: spec added: 2 created ... done in 3.2 s; waiting for load-balancer.main (pending in AWS)',
  ]);
});

test('a spec edit: the field that changed, before and after, and how long it took', () => {
  const view = new DaemonProgress();
  const printed = feed(view, [
    log(0, 'spec changed', { file: 'specs/shop.yaml', revision: 'sha256:6269', valid: true }),
    log(1, 'reconcile started', { revision: 'sha256:6269', mode: 'apply' }),
    progress(500, 'start', 'ecs-service.api', { step: 'update', action: 'update' }),
    progress(545, 'finish', 'ecs-service.api', { step: 'update', action: 'update', elapsedMs: 45 }),
    log(888, 'ecs-service.api updated', {
      address: 'ecs-service.api',
      event: 'update',
      kind: 'ecs-service',
      elapsedMs: 45,
      changes: [{ path: 'desiredCount', before: 2, after: 3 }],
    }),
    log(889, 'reconciled', { summary: { add: 0, change: 1 }, applied: 1 }),
  ]);
  assert.deepStrictEqual(printed, [
    'shop: spec changed, reconciling revision sha256:6269',
    'shop/ecs-service.api: modified (0.0s)',
    'shop: spec changed: ecs-service.api desiredCount 2 -> 3 ... done in 0.9 s',
  ]);
});

test('a drift correction says it was one; a resync with nothing to do prints nothing', () => {
  const view = new DaemonProgress();
  const quiet = feed(view, [
    log(0, 'reconcile started', { mode: 'apply' }),
    log(700, 'reconciled', { applied: 0 }),
  ]);
  assert.deepStrictEqual(quiet, []);
  const printed = feed(view, [
    log(1000, 'reconcile started', { mode: 'apply' }),
    progress(1200, 'finish', 'log-group.api', { step: 'update', action: 'update', elapsedMs: 20 }),
    log(1400, 'drift detected; correcting', {
      drift: [{ address: 'log-group.api', action: 'update', fields: [] }],
    }),
    log(1400, 'log-group.api updated', {
      address: 'log-group.api',
      event: 'update',
      changes: [{ path: 'retentionDays', before: 1, after: 30 }],
    }),
    log(1401, 'reconciled', { applied: 1 }),
  ]);
  assert.deepStrictEqual(printed, [
    'shop/log-group.api: modified (0.0s)',
    'shop: drift corrected: log-group.api retentionDays 1 -> 30 ... done in 0.4 s',
  ]);
});

test('failures: the failed operation, then the reconcile that failed with the error', () => {
  const view = new DaemonProgress();
  const printed = feed(view, [
    log(0, 'spec changed', { valid: true }),
    log(0, 'reconcile started', { mode: 'apply' }),
    progress(100, 'fail', 'subnet.a', { elapsedMs: 90, message: 'InvalidSubnet.Conflict' }),
    progress(100, 'skip', 'route-table.a', { message: 'subnet.a failed' }),
    log(2100, 'reconcile failed', { err: { message: '1 operations failed: subnet.a: ...' } }),
  ]);
  assert.deepStrictEqual(printed, [
    'shop: spec changed, reconciling',
    'shop/subnet.a: create failed (0.1s): InvalidSubnet.Conflict',
    'shop/route-table.a: skipped (subnet.a failed)',
    'shop: spec changed: failed after 2.1 s: 1 operations failed: subnet.a: ...',
  ]);
});

test('long operations and waits are reported every 10 s with what is waited for', () => {
  const view = new DaemonProgress();
  feed(view, [log(0, 'reconcile started', { mode: 'apply' })], T0);
  view.line(progress(10, 'start', 'db-instance.main'), T0);
  assert.deepStrictEqual(view.tick(T0 + 9_000), []);
  assert.deepStrictEqual(view.tick(T0 + 10_000), [
    'shop/db-instance.main: still creating... [10.0s elapsed]',
  ]);
  assert.deepStrictEqual(view.tick(T0 + 15_000), []);
  assert.deepStrictEqual(view.tick(T0 + 20_000), [
    'shop/db-instance.main: still creating... [20.0s elapsed]',
  ]);
  view.line(
    progress(21_000, 'finish', 'db-instance.main', { elapsedMs: 21_000, pending: true }),
    T0 + 21_000,
  );
  view.line(
    log(21_010, 'reconciled; waiting for pending resources', { pending: ['db-instance.main'] }),
    T0 + 21_000,
  );
  assert.deepStrictEqual(view.tick(T0 + 30_000), []);
  assert.deepStrictEqual(view.tick(T0 + 31_000), [
    'shop: still waiting for db-instance.main (pending in AWS) [10.0s elapsed]',
  ]);
  // the follow-up run finds it still pending: the wait goes on, counted from its start
  view.line(log(32_000, 'reconcile started', { mode: 'apply' }), T0 + 32_000);
  view.line(
    log(32_500, 'reconciled; waiting for pending resources', { pending: ['db-instance.main'] }),
    T0 + 32_500,
  );
  assert.deepStrictEqual(view.tick(T0 + 41_000), [
    'shop: still waiting for db-instance.main (pending in AWS) [20.0s elapsed]',
  ]);
  view.line(log(42_000, 'reconciled', { applied: 0 }), T0 + 42_000);
  assert.deepStrictEqual(view.tick(T0 + 60_000), []);
});

test('field values and summaries are short and never show the management tags', () => {
  const cases = [
    { reason: 'a number', value: 3, shown: '3' },
    { reason: 'a string is quoted', value: 'nginx:1.27', shown: '"nginx:1.27"' },
    { reason: 'unknown until apply', value: { $unknown: true }, shown: '(known after apply)' },
    { reason: 'absent', value: undefined, shown: '(none)' },
    { reason: 'long', value: 'x'.repeat(80), shown: `"${'x'.repeat(56)}...` },
  ];
  for (const { reason, value, shown } of cases) assert.equal(showValue(value), shown, reason);
  assert.equal(
    describeApplied([
      {
        address: 'task-definition.api',
        event: 'replace',
        fields: [
          { path: 'image', before: 'a:1', after: 'a:2' },
          { path: 'tags.reconciler:stack', before: undefined, after: 'shop' },
        ],
      },
      { address: 'subnet.c', event: 'create', fields: [] },
      { address: 'subnet.d', event: 'delete', fields: [] },
    ]),
    'task-definition.api (replaced) image "a:1" -> "a:2"; 1 created; 1 deleted',
  );
  assert.equal(describeApplied([]), 'no changes');
});

test('lines that are not the daemon log are ignored', () => {
  const view = new DaemonProgress();
  for (const line of ['listening', '{"no":"msg"}', '{broken', '[1,2]', log(0, 'daemon started')]) {
    assert.deepStrictEqual(view.line(line), [], line);
  }
});
