/**
 * apply verifies on the fake cloud: after its last wave it observes again; a replan that is not
 * empty gets at most two more passes, and a field that never sticks ends as an "inconsistent
 * result after apply" failure naming the field, what was sent and what the cloud returns.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconcile } from '../reconciler/engine/reconcile.ts';
import type { ResourceHandler } from '../reconciler/resources/types.ts';
import { desiredOf, FakeCloud, fakeClients, fakeHandler, testStack } from './fakes/fake-cloud.ts';

/** sticky wraps a fake handler so that `field` keeps its old value after `lostWrites` updates. */
function lossy(cloud: FakeCloud, field: string, lostWrites: number): ResourceHandler {
  const handler = fakeHandler(cloud, 'ecs-service', {});
  let lost = 0;
  const revert = (id: string, value: unknown) => {
    if (lost >= lostWrites) return;
    lost += 1;
    const resource = cloud.resources.get(id);
    if (resource) resource.properties[field] = value;
  };
  return {
    ...handler,
    async create(ctx, desired) {
      const created = await handler.create(ctx, desired);
      revert(created.id, 'DISABLED');
      return created;
    },
    async update(ctx, desired, observed, changes) {
      const updated = await handler.update(ctx, desired, observed, changes);
      revert(observed.id, observed.properties[field]);
      return updated;
    },
  };
}

function run(handler: ResourceHandler) {
  return reconcile({
    stacks: [testStack('demo')],
    mode: 'apply',
    handlers: [handler],
    expand: () => [
      desiredOf('demo', 'ecs-service.api', { desiredCount: 2, managedTags: 'SERVICE' }),
    ],
    clientsFor: () => fakeClients,
  });
}

test('apply verifies: a field that never sticks fails after the bounded passes, naming it', async () => {
  const cloud = new FakeCloud();
  const result = await run(lossy(cloud, 'managedTags', Number.POSITIVE_INFINITY));
  assert.equal(result.passes, 3, 'the first pass and two more');
  assert.deepStrictEqual(
    cloud.calls.map((call) => call.split(' ').slice(0, 2).join(' ')),
    ['create ecs-service.api', 'update ecs-service.api', 'update ecs-service.api'],
  );
  assert.equal(result.failures.length, 1);
  const [failure] = result.failures;
  assert.deepStrictEqual(
    [failure?.address, failure?.operation, failure?.disposition],
    ['ecs-service.api', 'verify', 'terminal'],
  );
  assert.match(
    failure?.error ?? '',
    /^inconsistent result after apply: AWS did not keep what 3 passes sent to ecs-service\.api: managedTags: sent "SERVICE", AWS returns "DISABLED"$/,
  );
});

test('apply verifies: a field that sticks on the second pass converges without failure', async () => {
  const cloud = new FakeCloud();
  const result = await run(lossy(cloud, 'managedTags', 1));
  assert.deepStrictEqual([result.passes, result.failures], [2, []]);
  assert.equal([...cloud.resources.values()][0]?.properties.managedTags, 'SERVICE');
});

test('apply verifies: a converged apply costs one more observe and nothing else', async () => {
  const cloud = new FakeCloud();
  const result = await run(fakeHandler(cloud, 'ecs-service', {}));
  assert.deepStrictEqual([result.passes, result.failures], [1, []]);
  assert.equal(cloud.observeCalls.get('ecs-service'), 2, 'the plan and the verification');
});
