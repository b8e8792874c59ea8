import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { FakeClock } from '../reconciler/daemon/clock.ts';
import { DynamoLease, LeaseLostError, runLeaseLoop } from '../reconciler/daemon/lease.ts';
import { memoryLogger } from '../reconciler/daemon/test-logger.ts';
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

test('concurrent acquisitions: exactly one wins', async () => {
  const clock = new FakeClock();
  const replicas = ['r1', 'r2', 'r3', 'r4'].map((holder) => lease(holder, clock, 't-race'));
  await replicas[0]?.ensureTable();
  const won = await Promise.all(replicas.map((replica) => replica.tryAcquire()));
  assert.equal(won.filter(Boolean).length, 1, JSON.stringify(won));
  await clock.advance(20_000);
  const again = await Promise.all(replicas.map((replica) => replica.tryAcquire()));
  assert.equal(again.filter(Boolean).length, 1, JSON.stringify(again));
  const winner = replicas.find((replica) => replica.state().held);
  assert.equal(winner?.state().token, 2);
  await winner?.checkFence();
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
