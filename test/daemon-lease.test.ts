import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { FakeClock } from '../reconciler/daemon/clock.ts';
import { DynamoLease, LeaseLostError, runLeaseLoop } from '../reconciler/daemon/lease.ts';
import { memoryLogger } from './fakes/memory-logger.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

let moto: MotoServer;
let clients: AwsClients;
before(async () => {
  moto = await startMoto();
  clients = createClients({ region: 'us-west-2' });
});
after(async () => {
  clients?.destroy();
  await moto?.stop();
});

// Each test uses its own lease name in one table: resetting moto between tests costs seconds.
function lease(holder: string, clock: FakeClock, name: string): DynamoLease {
  return new DynamoLease({
    client: clients.dynamodb,
    table: 'reconciler-leases',
    name,
    holder,
    ttlMs: 15_000,
    clock,
    log: memoryLogger(),
  });
}

test('the lease table is created once and reused', async () => {
  const clock = new FakeClock();
  await lease('a', clock, 't-table').ensureTable();
  await lease('b', clock, 't-table').ensureTable();
  const described = await clients.dynamodb.send(
    new DescribeTableCommand({ TableName: 'reconciler-leases' }),
  );
  assert.deepStrictEqual(described.Table?.KeySchema, [{ AttributeName: 'name', KeyType: 'HASH' }]);
});

test('one holder at a time, takeover after expiry with a new fencing token', async () => {
  const clock = new FakeClock();
  const a = lease('replica-a', clock, 't-takeover');
  const b = lease('replica-b', clock, 't-takeover');
  await a.ensureTable();
  const pick = (l: DynamoLease) => {
    const { known, held, holder, token } = l.state();
    return { known, held, holder, token };
  };
  const steps: Array<{ reason: string; act: () => Promise<unknown>; a: object; b: object }> = [
    {
      reason: 'a takes the absent lease with token 1',
      act: () => a.tryAcquire(),
      a: { known: true, held: true, holder: 'replica-a', token: 1 },
      b: { known: false, held: false, holder: undefined, token: undefined },
    },
    {
      reason: 'b sees it held by a',
      act: () => b.tryAcquire(),
      a: { known: true, held: true, holder: 'replica-a', token: 1 },
      b: { known: true, held: false, holder: 'replica-a', token: 1 },
    },
    {
      reason: 'a renews 10 s later; b still cannot take it at 20 s',
      act: async () => {
        await clock.advance(10_000);
        assert.equal(await a.tryAcquire(), true);
        await clock.advance(10_000);
        assert.equal(await b.tryAcquire(), false);
      },
      a: { known: true, held: true, holder: 'replica-a', token: 1 },
      b: { known: true, held: false, holder: 'replica-a', token: 1 },
    },
    {
      reason: 'a stops renewing; after the ttl b takes over with token 2',
      act: async () => {
        await clock.advance(6_000);
        assert.equal(await b.tryAcquire(), true);
      },
      a: { known: true, held: false, holder: 'replica-a', token: 1 },
      b: { known: true, held: true, holder: 'replica-b', token: 2 },
    },
  ];
  for (const step of steps) {
    await step.act();
    assert.deepStrictEqual(pick(a), step.a, `${step.reason}: a`);
    assert.deepStrictEqual(pick(b), step.b, `${step.reason}: b`);
  }
  await b.checkFence();
  await assert.rejects(a.checkFence(), LeaseLostError);
  assert.equal(await a.renew(), false);
  assert.equal(await a.tryAcquire(), false, 'a cannot take it back while b renews');

  await b.release();
  assert.equal(b.state().held, false);
  await assert.rejects(b.checkFence(), LeaseLostError);
  assert.equal(await a.tryAcquire(), true, 'a released lease is free at once');
  assert.equal(a.state().token, 3);
});

test('a stale holder whose renewal lapsed fails the fence even before it notices', async () => {
  const clock = new FakeClock();
  const a = lease('replica-a', clock, 't-stale');
  const b = lease('replica-b', clock, 't-stale');
  await a.ensureTable();
  await a.tryAcquire();
  await clock.advance(16_000);
  await b.tryAcquire();
  await assert.rejects(a.checkFence(), { name: 'LeaseLostError' });
  await b.checkFence();
});

test('concurrent acquisitions: exactly one replica passes the fence', async () => {
  // DynamoDB makes each conditional write atomic, so exactly one racer wins. moto's threaded
  // server does not (two conditional PutItems can both succeed), so this checks the property
  // the daemon relies on, which holds either way: only the holder named by the item, with its
  // token, passes checkFence, and only checkFence gates AWS-changing operations.
  const clock = new FakeClock();
  const replicas = ['r1', 'r2', 'r3', 'r4'].map((holder) => lease(holder, clock, 't-race'));
  await replicas[0]?.ensureTable();
  for (const round of ['absent lease', 'expired lease']) {
    const won = await Promise.all(replicas.map((replica) => replica.tryAcquire()));
    assert.ok(won.some(Boolean), `${round}: someone acquired it`);
    const fenced = await Promise.allSettled(replicas.map((replica) => replica.checkFence()));
    const passed = fenced.filter((result) => result.status === 'fulfilled').length;
    assert.equal(passed, 1, `${round}: ${JSON.stringify(fenced.map((r) => r.status))}`);
    await clock.advance(20_000);
  }
});

test('the lease loop reports leadership changes', async () => {
  const clock = new FakeClock();
  const a = lease('replica-a', clock, 't-loop');
  await a.ensureTable();
  const changes: boolean[] = [];
  const loop = runLeaseLoop({
    lease: a,
    clock,
    log: memoryLogger(),
    intervalMs: 5_000,
    onChange: (held) => changes.push(held),
  });
  await loop.tick();
  await loop.tick();
  loop.stop();
  assert.deepStrictEqual(changes, [true]);
});
