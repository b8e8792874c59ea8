import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { CreateServiceCommand } from '@aws-sdk/client-ecs';
import { RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { waitForStable } from '../reconciler/engine/wait.ts';
import { addresses } from '../reconciler/graph/addresses.ts';
import { expandDatabase } from '../reconciler/graph/expand-database.ts';
import { expandEcs } from '../reconciler/graph/expand-ecs.ts';
import { handlerFor } from '../reconciler/resources/registry.ts';
import type { DesiredResource, ResourceContext } from '../reconciler/resources/types.ts';
import { withDefaults } from '../reconciler/spec/defaults.ts';
import {
  type Attributes,
  context,
  createNetworkFixtures,
  demoStack,
  resolve,
} from './ecs-fixtures.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

// moto marks a new service's deployment COMPLETED only when MOTO_ECS_SERVICE_RUNNING tasks cover
// its desired count, and never moves it afterwards: two running tasks make the api (2 tasks) settle.
let moto: MotoServer;
let clients: AwsClients;
let ctx: ResourceContext;

before(async () => {
  moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '2' } });
});
after(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  clients?.destroy();
  clients = createClients({ region: 'us-west-2' });
  ctx = context(clients, ['demo']);
});

/** createStack creates the stack's ECS and database resources in dependency order with the handlers. */
async function createStack(): Promise<Attributes> {
  const stack = demoStack('demo');
  const attributes = await createNetworkFixtures(clients, stack);
  const resolved = withDefaults(stack);
  const resources: DesiredResource[] = [
    ...expandDatabase(resolved).filter((resource) => resource.kind !== 'log-group'),
    ...expandEcs(resolved),
  ];
  for (const resource of resources) {
    const created = await handlerFor(resource.kind).create(ctx, resolve(resource, attributes));
    attributes.set(created.address, created.attributes);
  }
  return attributes;
}

function fakeClock() {
  let current = 0;
  return {
    now: () => current,
    sleep: async (ms: number) => {
      current += ms;
    },
  };
}

test('waitForStable: ok once deployments completed, targets healthy and the database available', async () => {
  const attributes = await createStack();
  const targetGroupArn = attributes.get(addresses.targetGroup('api'))?.arn ?? '';
  const lines: string[] = [];
  const clock = fakeClock();

  const waiting = await waitForStable(ctx, ['demo'], {
    timeoutMs: 30_000,
    intervalMs: 10_000,
    onProgress: (line) => lines.push(line),
    ...clock,
  });
  assert.equal(waiting.ok, false, 'no healthy targets yet: the wait times out');
  assert.deepEqual(waiting.problems, [
    'timed out after 30s waiting for: demo/ecs-service.api: 0/2 targets healthy in demo-api',
  ]);
  assert.equal(lines.filter((line) => line.startsWith('waiting (')).length, 3);

  await clients.elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: targetGroupArn,
      Targets: [
        { Id: '10.0.10.5', Port: 3000 },
        { Id: '10.0.11.5', Port: 3000 },
      ],
    }),
  );
  const settled = await waitForStable(ctx, ['demo'], { timeoutMs: 30_000, ...fakeClock() });
  assert.deepEqual(settled, { ok: true, problems: [] });
});

test('waitForStable: a deployment still in progress times out with its reason', async () => {
  const attributes = await createStack();
  // three desired tasks, two running: moto leaves this deployment IN_PROGRESS
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster: 'demo',
      serviceName: 'worker',
      taskDefinition: attributes.get(addresses.taskDefinition('api'))?.arn,
      desiredCount: 3,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [attributes.get('subnet.private-a')?.id ?? ''],
          securityGroups: [attributes.get(addresses.serviceSecurityGroup('api'))?.id ?? ''],
        },
      },
      tags: [{ key: 'reconciler:stack', value: 'demo' }],
    }),
  );
  const result = await waitForStable(ctx, ['demo'], {
    timeoutMs: 20_000,
    intervalMs: 10_000,
    ...fakeClock(),
  });
  assert.equal(result.ok, false);
  assert.equal(result.problems.length, 1);
  assert.match(
    result.problems[0] ?? '',
    /^timed out after 20s waiting for: .*demo\/ecs-service\.worker: deployment IN_PROGRESS/,
  );
  assert.match(result.problems[0] ?? '', /demo\/ecs-service\.worker: 2\/3 tasks running/);
});
