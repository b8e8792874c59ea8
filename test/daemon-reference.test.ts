/**
 * End to end: `reconciler run` converges the reference stack (specs/scalable-logging.yaml, every
 * resource kind) from an empty moto account, then holds it with no changes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  condition,
  eventually,
  metricValue,
  ownedEc2,
  spawnDaemon,
  stackOf,
  stopDaemon,
  warmUp,
} from './daemon-harness.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

let moto: MotoServer;
let ec2: EC2Client;

before(async () => {
  moto = await startMoto();
  await warmUp(moto.endpoint);
  ec2 = new EC2Client({ region: 'us-west-2', endpoint: moto.endpoint });
});
after(async () => {
  ec2?.destroy();
  await moto?.stop();
});

/** resourceStates sums reconciler_resources by state. */
function resourceStates(metrics: string): Record<string, number> {
  const states: Record<string, number> = {};
  for (const match of metrics.matchAll(
    /^reconciler_resources\{kind="[^"]+",state="([^"]+)"\} (\d+)$/gm,
  )) {
    const [, state = '', count = '0'] = match;
    states[state] = (states[state] ?? 0) + Number(count);
  }
  return states;
}

test('the daemon converges the reference stack from empty and then finds nothing to do', async () => {
  const daemon = await spawnDaemon(moto.endpoint, [
    'specs/scalable-logging.yaml',
    '--resync',
    '3s',
    '--pending-requeue',
    '1s',
    '--backoff-base',
    '1s',
    '--aws-rps',
    '200',
  ]);
  try {
    await eventually(
      'the reference stack is Ready',
      async () => {
        const stack = stackOf(await daemon.status(), 'scalable-logging');
        return condition(stack, 'Ready') === 'True/Available';
      },
      120_000,
    );
    const quiet = await eventually(
      'a resync with no changes',
      async () => {
        const stack = stackOf(await daemon.status(), 'scalable-logging');
        const summary = stack?.lastPlanSummary;
        return summary && summary.add + summary.change + summary.destroy === 0
          ? summary
          : undefined;
      },
      60_000,
    );
    assert.equal(quiet.noOp, 48, 'every resource of the reference stack exists and matches');
    // what the daemon created is what AWS kept: no drift is ever seen on a fresh stack
    const held = stackOf(await daemon.status(), 'scalable-logging');
    assert.equal(condition(held, 'Drifted'), 'False/NoDrift');
    const metrics = await daemon.metrics();
    assert.equal(
      metricValue(metrics, 'reconciler_drift_detected_total{stack="scalable-logging"}'),
      0,
    );
    assert.deepStrictEqual(resourceStates(metrics), { 'in-sync': 48 });
    const ec2Owned = await ownedEc2(ec2, 'scalable-logging');
    assert.deepStrictEqual(
      Object.entries(ec2Owned).filter(([, count]) => count !== 1),
      [],
      'one EC2 resource per address',
    );
    assert.equal(Object.keys(ec2Owned).length, 9, Object.keys(ec2Owned).join(', '));
  } finally {
    assert.equal(await stopDaemon(daemon), 0);
  }
});
