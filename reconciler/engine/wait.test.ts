import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessStability, type ServiceSnapshot, type StabilitySnapshot } from './wait.ts';

const TG = 'arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/demo-api/abc';

function service(overrides: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  return {
    stack: 'demo',
    address: 'ecs-service.api',
    desiredCount: 2,
    runningCount: 2,
    deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'COMPLETED' }],
    targetHealth: { [TG]: ['healthy', 'healthy'] },
    ...overrides,
  };
}

test('assessStability', () => {
  const cases: {
    reason: string;
    snapshot: StabilitySnapshot;
    expected: { waiting: string[]; problems: string[] };
  }[] = [
    {
      reason: 'completed deployment, all tasks running and healthy, database available: stable',
      snapshot: {
        services: [service()],
        databases: [
          {
            stack: 'demo',
            address: 'db-instance.main',
            identifier: 'demo-db',
            status: 'available',
          },
        ],
      },
      expected: { waiting: [], problems: [] },
    },
    {
      reason: 'deployment in progress with a draining old one',
      snapshot: {
        services: [
          service({
            runningCount: 1,
            deployments: [
              { id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' },
              { id: 'ecs-svc/1', status: 'ACTIVE', rolloutState: 'COMPLETED' },
            ],
            targetHealth: { [TG]: ['healthy', 'initial'] },
          }),
        ],
        databases: [],
      },
      expected: {
        waiting: [
          'demo/ecs-service.api: deployment IN_PROGRESS',
          'demo/ecs-service.api: 1/2 tasks running',
          'demo/ecs-service.api: 1/2 targets healthy in demo-api',
        ],
        problems: [],
      },
    },
    {
      reason: 'the circuit breaker failed the new deployment and rolled back: a problem',
      snapshot: {
        services: [
          service({
            deployments: [
              {
                id: 'ecs-svc/3',
                status: 'PRIMARY',
                rolloutState: 'IN_PROGRESS',
                rolloutStateReason:
                  'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
              },
              {
                id: 'ecs-svc/2',
                status: 'ACTIVE',
                rolloutState: 'FAILED',
                rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
              },
            ],
          }),
        ],
        databases: [],
      },
      expected: {
        waiting: [],
        problems: [
          'demo/ecs-service.api: deployment ecs-svc/2 failed: ECS deployment circuit breaker: tasks failed to start.',
          'demo/ecs-service.api: the circuit breaker rolled back: ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
        ],
      },
    },
    {
      reason: 'unhealthy target keeps waiting (the circuit breaker decides failure)',
      snapshot: {
        services: [service({ targetHealth: { [TG]: ['healthy', 'healthy', 'unhealthy'] } })],
        databases: [],
      },
      expected: {
        waiting: ['demo/ecs-service.api: 2/2 targets healthy in demo-api'],
        problems: [],
      },
    },
    {
      reason: 'database creating is waiting, failed is a problem',
      snapshot: {
        services: [],
        databases: [
          { stack: 'demo', address: 'db-instance.main', identifier: 'demo-db', status: 'creating' },
          { stack: 'other', address: 'db-instance.main', identifier: 'other-db', status: 'failed' },
        ],
      },
      expected: {
        waiting: ['demo/db-instance.main: demo-db is creating'],
        problems: ['other/db-instance.main: other-db is failed'],
      },
    },
    {
      reason: 'a service scaled to zero without a load balancer is stable',
      snapshot: {
        services: [service({ desiredCount: 0, runningCount: 0, targetHealth: {} })],
        databases: [],
      },
      expected: { waiting: [], problems: [] },
    },
  ];
  for (const { reason, snapshot, expected } of cases) {
    assert.deepStrictEqual(assessStability(snapshot), expected, reason);
  }
});
