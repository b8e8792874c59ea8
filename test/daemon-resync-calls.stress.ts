/**
 * The daemon resyncs its stacks together: once ten stacks are in sync, a resync round observes
 * them with one plan, so it costs no more AWS calls than `plan` of the same ten (counted by the
 * proxy between the daemon and the local cloud; the lease's DynamoDB calls aside).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { reconcile } from '../reconciler/engine/reconcile.ts';
import { loadStacks } from '../reconciler/spec/load-stacks.ts';
import {
  condition,
  eventually,
  type StackStatus,
  spawnDaemon,
  spec,
  stopDaemon,
  useDaemonWorld,
} from './daemon-harness.ts';
import { type AwsProxy, startAwsProxy } from './helpers/aws-proxy.ts';

const world = useDaemonWorld('resync-calls');
const NAMES = Array.from({ length: 10 }, (_, index) => `together${index + 1}`);
let proxy: AwsProxy;

after(async () => {
  await proxy?.close();
});

type WithRun = StackStatus & { lastReconcile?: { id: string } };

const awsCalls = () => proxy.calls().filter((call) => call.service !== 'dynamodb');

test('a resync of ten stacks costs no more calls than a plan of the ten', {
  timeout: 600_000,
}, async () => {
  proxy = await startAwsProxy(world.moto.endpoint);
  for (const name of NAMES) await writeFile(join(world.dir, `${name}.yaml`), spec(name));
  const daemon = await spawnDaemon(proxy.endpoint, [
    world.dir,
    '--resync',
    '20s',
    '--concurrency',
    '4',
  ]);
  try {
    const converged = await eventually(
      'ten stacks available',
      async () => {
        const stacks = (await daemon.status())?.stacks as WithRun[] | undefined;
        const ready = stacks?.filter((stack) => condition(stack, 'Ready') === 'True/Available');
        return ready?.length === NAMES.length ? ready : undefined;
      },
      420_000,
    );
    const before = new Map(converged.map((stack) => [stack.name, stack.lastReconcile?.id]));
    proxy.reset();
    // one round: every stack's last run is new, and it is the same run for all ten
    const round = await eventually(
      'a resync round',
      async () => {
        const stacks = (await daemon.status())?.stacks as WithRun[] | undefined;
        const ids = new Set(stacks?.map((stack) => stack.lastReconcile?.id));
        const fresh = stacks?.every((stack) => stack.lastReconcile?.id !== before.get(stack.name));
        return fresh && ids.size === 1 ? awsCalls().length : undefined;
      },
      120_000,
    );
    await stopDaemon(daemon);

    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    const { stacks } = await loadStacks([world.dir]);
    proxy.reset();
    const planned = await reconcile({ stacks: stacks.map((s) => s.spec), mode: 'plan' });
    assert.equal(planned.plan.summary.add + planned.plan.summary.change, 0);
    const plan = awsCalls().length;
    assert.ok(round > 0);
    assert.ok(round <= plan, `the resync round made ${round} calls, the plan of ten ${plan}`);
  } finally {
    await stopDaemon(daemon);
  }
});
