/**
 * End to end: `reconciler run` as a child process against moto, following a local bare git
 * repository: converge, apply new commits, correct drift, hold an invalid spec, converge a fix.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  condition,
  EXPECTED_EC2,
  eventually,
  git,
  metricValue,
  ownedEc2,
  retention,
  spawnDaemon,
  spec,
  stackOf,
  stopDaemon,
  useDaemonWorld,
} from './daemon-harness.ts';

const world = useDaemonWorld('e2e');

test('git source: converge, follow commits, correct drift, hold an invalid spec, converge the fix', async () => {
  const remote = join(world.dir, 'specs.git');
  const work = join(world.dir, 'work');
  git(world.dir, 'init', '-q', '--bare', '--initial-branch=main', remote);
  git(world.dir, 'clone', '-q', remote, work);
  git(work, 'checkout', '-q', '-b', 'main');
  await mkdir(join(work, 'specs'));
  const push = async (content: string, message: string): Promise<string> => {
    await writeFile(join(work, 'specs', 'gitops.yaml'), content);
    git(work, 'add', 'specs/gitops.yaml');
    git(work, 'commit', '-q', '-m', message);
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    return git(work, 'rev-parse', 'HEAD');
  };
  const first = await push(spec('gitops'), 'first');
  const daemon = await spawnDaemon(world.moto.endpoint, [
    '--git-url',
    remote,
    '--git-path',
    'specs',
    '--git-poll',
    '1s',
    '--cache-dir',
    join(world.dir, 'git-cache'),
    '--resync',
    '4s',
    '--pending-requeue',
    '2s',
    '--backoff-base',
    '1s',
    '--aws-rps',
    '100',
  ]);
  try {
    const applied = async (sha: string) => {
      const stack = stackOf(await daemon.status(), 'gitops');
      return stack?.lastAppliedRevision === sha && condition(stack, 'Ready') === 'True/Available'
        ? stack
        : undefined;
    };
    await eventually('the first commit converged', () => applied(first));
    assert.deepStrictEqual(await ownedEc2(world.ec2, 'gitops'), EXPECTED_EC2);
    assert.equal(await retention(world.logs, '/gitops/app'), 7);

    const second = await push(spec('gitops', { retention: 14 }), 'keep logs two weeks');
    await eventually('the second commit converged', () => applied(second));
    assert.equal(await retention(world.logs, '/gitops/app'), 14);

    const driftBefore = metricValue(
      await daemon.metrics(),
      'reconciler_drift_detected_total{stack="gitops"}',
    );
    await world.logs.send(
      new PutRetentionPolicyCommand({ logGroupName: '/gitops/app', retentionInDays: 60 }),
    );
    await eventually(
      'the out-of-band change corrected',
      async () => (await retention(world.logs, '/gitops/app')) === 14,
    );
    // the reconcile that corrected it counts the drift when it ends, after apply's verification
    const driftAfter = await eventually('the drift counted', async () => {
      const value = metricValue(
        await daemon.metrics(),
        'reconciler_drift_detected_total{stack="gitops"}',
      );
      return value > driftBefore ? value : undefined;
    });
    assert.ok(driftAfter > driftBefore, `drift counted: ${driftBefore} -> ${driftAfter}`);

    const invalid = await push(spec('gitops', { retention: 30, cidr: 'not-a-cidr' }), 'broken');
    const held = await eventually('the invalid spec reported', async () => {
      const stack = stackOf(await daemon.status(), 'gitops');
      return stack?.revision === invalid && stack.specErrors.length > 0 ? stack : undefined;
    });
    assert.match(held.specErrors[0] ?? '', /^specs\/gitops\.yaml:4:9: spec\.network\.cidr: /);
    assert.equal(condition(held, 'Synced'), 'False/InvalidSpec');
    assert.equal(held.lastAppliedRevision, second);
    await eventually('the error logged with its location', async () =>
      daemon.lines.some(
        (line) => line.includes('invalid spec') && line.includes('specs/gitops.yaml:4:9'),
      ),
    );

    assert.equal(await retention(world.logs, '/gitops/app'), 14, 'nothing changed');

    const fixed = await push(spec('gitops', { retention: 30 }), 'fixed');
    await eventually('the fixed commit converged', () => applied(fixed));
    assert.equal(await retention(world.logs, '/gitops/app'), 30);
    assert.deepStrictEqual(await ownedEc2(world.ec2, 'gitops'), EXPECTED_EC2);
  } finally {
    assert.equal(await stopDaemon(daemon), 0);
  }
});
