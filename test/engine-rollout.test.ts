/**
 * `apply --wait` on the fake cloud: waitForRollout waits for pending resources, applies what
 * waited for them only when the plan changes nothing else, then waits for stable rollouts, all
 * within one deadline.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareReconcile, reconcile } from '../reconciler/engine/reconcile.ts';
import { type RolloutDeps, waitForRollout } from '../reconciler/engine/rollout.ts';
import type { WaitResult } from '../reconciler/engine/wait.ts';
import { type DesiredResource, ref } from '../reconciler/resources/types.ts';
import { desiredOf, FakeCloud, fakeClients, fakeHandler, testStack } from './fakes/fake-cloud.ts';

const KINDS = ['log-group', 'task-definition', 'ecs-service', 'db-instance'];

function spec(extra: DesiredResource[] = []): DesiredResource[] {
  return [
    desiredOf('demo', 'db-instance.main', { engine: 'postgres' }),
    desiredOf('demo', 'task-definition.api', { dbHost: ref('db-instance.main', 'endpoint') }),
    desiredOf('demo', 'ecs-service.api', { taskDefinition: ref('task-definition.api', 'arn') }),
    ...extra,
  ];
}

/** Harness applies the spec with the database pending, then runs waitForRollout on a fake clock. */
class Harness {
  readonly cloud = new FakeCloud();
  readonly handlers = KINDS.map((kind) => fakeHandler(this.cloud, kind));
  readonly stacks = [testStack('demo')];
  specification = spec();
  clock = 0;
  readonly lines: string[] = [];
  readonly stableCalls: number[] = [];
  /** Runs at each pause of the waiter (AWS moving on). */
  onSleep: (slept: number) => void = () => {};

  async apply() {
    this.cloud.createPending.add('db-instance.main');
    return reconcile(this.options('apply'));
  }

  options(mode: 'plan' | 'apply') {
    return {
      stacks: this.stacks,
      mode,
      handlers: this.handlers,
      expand: () => this.specification,
      clientsFor: () => fakeClients,
    };
  }

  deps(stable: WaitResult = { ok: true, problems: [] }): RolloutDeps {
    let sleeps = 0;
    return {
      prepare: (mode) => prepareReconcile(this.options(mode)),
      waitStable: async (timeoutMs) => {
        this.stableCalls.push(timeoutMs);
        return stable;
      },
      print: (line) => this.lines.push(line),
      now: () => this.clock,
      sleep: async (ms) => {
        this.clock += ms;
        sleeps += 1;
        this.onSleep(sleeps);
      },
    };
  }

  databaseReady(): void {
    const [database] = this.cloud.byAddress('db-instance.main');
    assert.ok(database);
    database.status = 'ready';
    database.attributes.endpoint = 'main.db.example';
  }
}

describe('apply --wait: waitForRollout', () => {
  it('waits for the database, applies what waited for its endpoint, then waits for stability', async () => {
    const harness = new Harness();
    const applied = await harness.apply();
    assert.deepStrictEqual(
      applied.waiting?.map((entry) => entry.address),
      ['task-definition.api', 'ecs-service.api'],
    );
    harness.onSleep = (sleeps) => {
      if (sleeps === 2) harness.databaseReady();
    };
    const result = await waitForRollout(
      { pending: applied.pending, waiting: applied.waiting ?? [] },
      { timeoutMs: 60_000, intervalMs: 10_000 },
      harness.deps(),
    );
    assert.deepStrictEqual(result, { ok: true, problems: [] });
    assert.deepStrictEqual(harness.lines, [
      'waiting for db-instance.main to become ready... (0.0s elapsed)',
      'waiting for db-instance.main to become ready... (10.0s elapsed)',
      'applying what waited for pending resources: task-definition.api, ecs-service.api',
      'all resources ready (20.0s)',
    ]);
    assert.deepStrictEqual(harness.stableCalls, [40_000], 'the time left of one deadline');
    assert.deepStrictEqual(harness.cloud.byAddress('task-definition.api')[0]?.properties, {
      dbHost: 'main.db.example',
    });
    assert.equal(harness.cloud.byAddress('ecs-service.api').length, 1);
  });

  it('applies nothing the confirmed plan did not show: a changed plan stops the wait', async () => {
    const harness = new Harness();
    const applied = await harness.apply();
    harness.onSleep = () => {
      harness.databaseReady();
      harness.specification = spec([desiredOf('demo', 'log-group.extra', { retentionDays: 1 })]);
    };
    const result = await waitForRollout(
      { pending: applied.pending, waiting: applied.waiting ?? [] },
      { timeoutMs: 60_000, intervalMs: 10_000 },
      harness.deps(),
    );
    assert.deepStrictEqual(result, {
      ok: false,
      problems: ['the plan changed while waiting (log-group.extra); run apply again'],
    });
    assert.deepStrictEqual(harness.cloud.byAddress('task-definition.api'), []);
    assert.deepStrictEqual(harness.cloud.byAddress('log-group.extra'), []);
    assert.deepStrictEqual(harness.stableCalls, []);
  });

  it('gives up at the deadline while something is still pending', async () => {
    const harness = new Harness();
    const applied = await harness.apply();
    const result = await waitForRollout(
      { pending: applied.pending, waiting: applied.waiting ?? [] },
      { timeoutMs: 25_000, intervalMs: 10_000 },
      harness.deps(),
    );
    assert.deepStrictEqual(result, {
      ok: false,
      problems: [
        'timed out after 25.0s waiting for: db-instance.main, task-definition.api, ecs-service.api',
      ],
    });
    assert.deepStrictEqual(harness.stableCalls, []);
  });

  it('with nothing pending, it is the stability wait with the whole timeout', async () => {
    const harness = new Harness();
    const failed: WaitResult = {
      ok: false,
      problems: ['demo/ecs-service.api: the circuit breaker rolled back: tasks failed'],
    };
    const result = await waitForRollout(
      { pending: [], waiting: [] },
      { timeoutMs: 60_000, intervalMs: 10_000 },
      harness.deps(failed),
    );
    assert.deepStrictEqual(result, failed);
    assert.deepStrictEqual(harness.stableCalls, [60_000]);
    assert.deepStrictEqual(harness.lines, []);
  });
});
