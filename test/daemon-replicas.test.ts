/**
 * End to end: several `reconciler run` replicas on one DynamoDB lease table (moto), a leader
 * killed mid-life, and SIGTERM during an apply followed by a restart.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  condition,
  type DaemonProcess,
  EXPECTED_EC2,
  eventually,
  ownedEc2,
  spawnDaemon,
  spec,
  stackOf,
  stopDaemon,
  useDaemonWorld,
} from './daemon-harness.ts';

const world = useDaemonWorld('replicas');

/** events parses the daemon's JSON log lines that match a filter. */
function events(daemon: DaemonProcess, filter: (entry: Record<string, unknown>) => boolean) {
  return daemon.lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return filter(entry) ? [entry] : [];
    } catch {
      return [];
    }
  });
}

function creates(daemon: DaemonProcess): string[] {
  return events(daemon, (e) => e.event === 'create').map((e) => String(e.address));
}

async function logGroupCount(prefix: string): Promise<number> {
  const found = await world.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix }));
  return found.logGroups?.length ?? 0;
}

function leaseArgs(folder: string, name: string, replica: string): string[] {
  return [
    folder,
    '--lease-table',
    'daemon-e2e-leases',
    '--lease-name',
    name,
    '--lease-ttl',
    '10s',
    '--replica-id',
    replica,
    '--resync',
    '30s',
    '--pending-requeue',
    '2s',
    '--backoff-base',
    '1s',
    '--aws-rps',
    '100',
  ];
}

test('two replicas on one lease: one applies; after the leader dies the other converges a change', async () => {
  const folder = join(world.dir, 'replicas');
  await mkdir(folder);
  const file = join(folder, 'replicas.yaml');
  await writeFile(file, spec('replicas'));
  const replicas = await Promise.all([
    spawnDaemon(world.moto.endpoint, leaseArgs(folder, 'replicas', 'replica-a')),
    spawnDaemon(world.moto.endpoint, leaseArgs(folder, 'replicas', 'replica-b')),
  ]);
  try {
    const [leader, standby] = await eventually(
      'one replica leads, the other stands by',
      async () => {
        const bodies = await Promise.all(replicas.map((replica) => replica.status()));
        if (bodies.some((body) => body === undefined)) return undefined;
        const leading = bodies.map((body) => body?.replica.leader === true);
        if (leading[0] === leading[1]) return undefined;
        return leading[0] ? replicas : [replicas[1], replicas[0]];
      },
    );
    assert.ok(leader && standby);
    await eventually('the leader converged', async () => {
      const stack = stackOf(await leader.status(), 'replicas');
      return condition(stack, 'Ready') === 'True/Available';
    });
    assert.equal((await standby.status())?.replica.leader, false, 'the other still stands by');
    assert.deepStrictEqual(await ownedEc2(world.ec2, 'replicas'), EXPECTED_EC2);
    assert.ok(creates(leader).length >= Object.keys(EXPECTED_EC2).length, creates(leader).join());
    assert.deepStrictEqual(creates(standby), [], 'the standby created nothing');

    leader.child.kill('SIGKILL');
    await leader.exit;
    await writeFile(file, spec('replicas', { extraLogGroup: true }));
    await eventually(
      'the standby took over and converged the change',
      async () => {
        const body = await standby.status();
        const stack = stackOf(body, 'replicas');
        return (
          body?.replica.leader === true &&
          condition(stack, 'Ready') === 'True/Available' &&
          stack?.lastAppliedRevision === stack?.revision &&
          (await logGroupCount('/replicas/audit')) === 1
        );
      },
      90_000,
    );
    assert.deepStrictEqual(creates(standby), ['log-group.replicas/audit']);
    assert.deepStrictEqual(await ownedEc2(world.ec2, 'replicas'), EXPECTED_EC2);
  } finally {
    const codes = await Promise.all(replicas.map((replica) => stopDaemon(replica)));
    assert.ok(codes.includes(0), `the survivor exits 0: ${codes}`);
  }
});

test('SIGTERM during an apply finishes the operation in flight, exits 0; a restart converges without duplicates', async () => {
  const folder = join(world.dir, 'shutdown');
  await mkdir(folder);
  await writeFile(join(folder, 'shutdown.yaml'), spec('shutdown', { extraLogGroup: true }));
  const args = [...leaseArgs(folder, 'shutdown', 'replica-c'), '--parallelism', '1'];
  const first = await spawnDaemon(world.moto.endpoint, args);
  await eventually(
    'an operation finished',
    async () => events(first, (e) => e.type === 'finish' && typeof e.step === 'string').length > 0,
  );
  first.child.kill('SIGTERM');
  assert.equal(await first.exit, 0);
  // the engine logs each operation's progress: type start, then finish or fail; skip if never started
  const progress = (type: string) =>
    events(first, (e) => e.type === type && typeof e.step === 'string').length;
  assert.ok(progress('skip') > 0, 'the apply stopped before the end');
  assert.equal(
    progress('start'),
    progress('finish') + progress('fail'),
    'every started operation ended',
  );
  assert.equal(events(first, (e) => e.msg === 'released lease').length, 1);

  const second = await spawnDaemon(world.moto.endpoint, args);
  try {
    const body = await eventually('the restart converged', async () => {
      const status = await second.status();
      return condition(stackOf(status, 'shutdown'), 'Ready') === 'True/Available'
        ? status
        : undefined;
    });
    assert.equal(body.replica.lease?.token, 2, 'the released lease was taken with the next token');
    assert.deepStrictEqual(await ownedEc2(world.ec2, 'shutdown'), EXPECTED_EC2);
    assert.equal(await logGroupCount('/shutdown/'), 2);
  } finally {
    assert.equal(await stopDaemon(second), 0);
  }
});
