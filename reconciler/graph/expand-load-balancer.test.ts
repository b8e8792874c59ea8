import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskDefinitionProperties } from '../resources/task-definition.ts';
import { withDefaults } from '../spec/defaults.ts';
import type { Stack } from '../spec/types.generated.ts';
import { validateStackValue } from '../spec/validate.ts';
import { expandStack } from './expand.ts';
import { healthCheckCommand } from './expand-ecs.ts';
import { expandLoadBalancer, targetGroupName } from './expand-load-balancer.ts';

const network: Stack['network'] = {
  cidr: '10.0.0.0/16',
  availabilityZones: ['us-west-2a', 'us-west-2b'],
  publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
  privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
};
const tgArn = (service: string) => ({ $ref: `target-group.${service}`, attr: 'arn' });
const lbArn = { $ref: 'load-balancer.main', attr: 'arn' };

function stack(extra: Record<string, unknown>): Stack {
  return { name: 'app', region: 'us-west-2', network, ...extra } as Stack;
}

function service(name: string, loadBalancer?: Record<string, unknown>, extra = {}) {
  return {
    name,
    image: 'app:1',
    port: 3000,
    logGroup: '/app',
    ...(loadBalancer ? { loadBalancer } : {}),
    ...extra,
  };
}

test('expandLoadBalancer', () => {
  const cases: Array<{ reason: string; stack: Stack; expected: Record<string, unknown> }> = [
    {
      reason: 'no loadBalancer, no resources',
      stack: stack({ services: [service('api', {})] }),
      expected: {},
    },
    {
      reason: 'defaults: public subnets, stack name, a 404 default action without services',
      stack: stack({ loadBalancer: { listeners: [{ port: 80, protocol: 'HTTP' }] } }),
      expected: {
        'load-balancer.main': {
          name: 'app',
          scheme: 'internet-facing',
          type: 'application',
          subnets: [
            { $ref: 'subnet.public-a', attr: 'id' },
            { $ref: 'subnet.public-b', attr: 'id' },
          ],
          securityGroups: [{ $ref: 'security-group.load-balancer', attr: 'id' }],
          idleTimeoutSeconds: 60,
        },
        'listener.http-80': {
          loadBalancerArn: lbArn,
          protocol: 'HTTP',
          port: 80,
          defaultAction: { type: 'fixed-response', statusCode: '404', contentType: 'text/plain' },
          rules: [],
        },
      },
    },
    {
      reason: 'internal scheme uses the private subnets; the name comes from the spec',
      stack: stack({
        loadBalancer: {
          name: 'inner',
          scheme: 'internal',
          idleTimeoutSeconds: 30,
          listeners: [{ port: 80, protocol: 'HTTP' }],
        },
      }),
      expected: {
        'load-balancer.main': {
          name: 'inner',
          scheme: 'internal',
          type: 'application',
          subnets: [
            { $ref: 'subnet.private-a', attr: 'id' },
            { $ref: 'subnet.private-b', attr: 'id' },
          ],
          securityGroups: [{ $ref: 'security-group.load-balancer', attr: 'id' }],
          idleTimeoutSeconds: 30,
        },
        'listener.http-80': {
          loadBalancerArn: lbArn,
          protocol: 'HTTP',
          port: 80,
          defaultAction: { type: 'fixed-response', statusCode: '404', contentType: 'text/plain' },
          rules: [],
        },
      },
    },
    {
      reason:
        'target groups per load-balanced service (the service health check path wins over the shared one); default forward, path rules, HTTPS, redirect',
      stack: stack({
        loadBalancer: {
          listeners: [
            { port: 80, protocol: 'HTTP', redirectToHttps: true },
            {
              port: 443,
              protocol: 'HTTPS',
              certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/c',
            },
          ],
          healthCheck: { path: '/status', matcher: '200-299', intervalSeconds: 15 },
          deregistrationDelaySeconds: 30,
        },
        services: [
          service('api', {}, { healthCheckPath: '/healthz' }),
          service('v2', { pathPatterns: ['/v2/*'] }),
          service('v3', { pathPatterns: ['/v3/*', '/three/*'], priority: 5 }),
          service('batch'),
        ],
      }),
      expected: {
        'load-balancer.main': {
          name: 'app',
          scheme: 'internet-facing',
          type: 'application',
          subnets: [
            { $ref: 'subnet.public-a', attr: 'id' },
            { $ref: 'subnet.public-b', attr: 'id' },
          ],
          securityGroups: [{ $ref: 'security-group.load-balancer', attr: 'id' }],
          idleTimeoutSeconds: 60,
        },
        ...Object.fromEntries(
          [
            ['api', '/healthz'],
            ['v2', '/status'],
            ['v3', '/status'],
          ].map(([name, path]) => [
            `target-group.${name}`,
            {
              name: `app-${name}`,
              protocol: 'HTTP',
              port: 3000,
              targetType: 'ip',
              vpcId: { $ref: 'vpc.main', attr: 'id' },
              healthCheck: {
                path,
                matcher: '200-299',
                intervalSeconds: 15,
                timeoutSeconds: 5,
                healthyThreshold: 5,
                unhealthyThreshold: 2,
              },
              deregistrationDelaySeconds: 30,
            },
          ]),
        ),
        'listener.http-80': {
          loadBalancerArn: lbArn,
          protocol: 'HTTP',
          port: 80,
          defaultAction: {
            type: 'redirect',
            protocol: 'HTTPS',
            port: '443',
            statusCode: 'HTTP_301',
          },
          rules: [],
        },
        'listener.https-443': {
          loadBalancerArn: lbArn,
          protocol: 'HTTPS',
          port: 443,
          certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/c',
          sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          defaultAction: { type: 'forward', targetGroupArn: tgArn('api') },
          rules: [
            { priority: 5, pathPatterns: ['/v3/*', '/three/*'], targetGroupArn: tgArn('v3') },
            { priority: 10, pathPatterns: ['/v2/*'], targetGroupArn: tgArn('v2') },
          ],
        },
      },
    },
  ];
  for (const { reason, stack: spec, expected } of cases) {
    const resources = expandLoadBalancer(withDefaults(spec));
    assert.deepStrictEqual(
      Object.fromEntries(resources.map((resource) => [resource.address, resource.properties])),
      expected,
      reason,
    );
  }
});

test('health check path: the service own path, else the load balancer one, else /healthz', () => {
  const cases: Array<{
    reason: string;
    healthCheck?: Record<string, unknown>;
    services: ReturnType<typeof service>[];
    expected: Record<string, { targetGroup?: string; container: string }>;
  }> = [
    {
      reason:
        'the load balancer path applies to a service without its own (it used to be /healthz)',
      healthCheck: { path: '/ping' },
      services: [service('api', {})],
      expected: { api: { targetGroup: '/ping', container: '/ping' } },
    },
    {
      reason: 'a service path wins over the load balancer one',
      healthCheck: { path: '/ping' },
      services: [service('api', {}, { healthCheckPath: '/ready' })],
      expected: { api: { targetGroup: '/ready', container: '/ready' } },
    },
    {
      reason: 'no path anywhere: the documented default /healthz',
      services: [service('api', {})],
      expected: { api: { targetGroup: '/healthz', container: '/healthz' } },
    },
    {
      reason: 'a health check without a path: /healthz, its other fields from the spec',
      healthCheck: { intervalSeconds: 10 },
      services: [service('api', {})],
      expected: { api: { targetGroup: '/healthz', container: '/healthz' } },
    },
    {
      reason: 'a service without load balancer probes /healthz, never the load balancer path',
      healthCheck: { path: '/ping' },
      services: [
        service('api', {}),
        service('worker'),
        service('jobs', undefined, { healthCheckPath: '/up' }),
      ],
      expected: {
        api: { targetGroup: '/ping', container: '/ping' },
        worker: { container: '/healthz' },
        jobs: { container: '/up' },
      },
    },
  ];
  for (const { reason, healthCheck, services, expected } of cases) {
    const spec = stack({
      loadBalancer: {
        listeners: [{ port: 80, protocol: 'HTTP' }],
        ...(healthCheck ? { healthCheck } : {}),
      },
      services,
      logGroups: [{ name: '/app' }],
    });
    const validated = validateStackValue(structuredClone(spec));
    assert.deepStrictEqual(validated.issues, [], reason);
    for (const [how, value] of [
      ['loaded (defaults filled in by the validator)', validated.stack],
      ['as written', spec],
    ] as const) {
      assert.ok(value, reason);
      const resources = new Map(expandStack(value).map((resource) => [resource.address, resource]));
      const actual = Object.fromEntries(
        services.map(({ name }) => {
          const targetGroup = resources.get(`target-group.${name}`)?.properties as
            | { healthCheck: { path: string } }
            | undefined;
          const task = resources.get(`task-definition.${name}`)?.properties as
            | TaskDefinitionProperties
            | undefined;
          return [
            name,
            {
              ...(targetGroup ? { targetGroup: targetGroup.healthCheck.path } : {}),
              container: task?.containerDefinitions[0]?.healthCheck?.command,
            },
          ];
        }),
      );
      const want = Object.fromEntries(
        Object.entries(expected).map(([name, paths]) => [
          name,
          { ...paths, container: healthCheckCommand(3000, paths.container) },
        ]),
      );
      assert.deepStrictEqual(actual, want, `${reason} (${how})`);
    }
  }
});

test('targetGroupName', () => {
  const cases: Array<{ reason: string; stack: string; service: string; expected: RegExp }> = [
    { reason: 'short names are joined', stack: 'app', service: 'api', expected: /^app-api$/ },
    {
      reason: 'a name over 32 characters is cut (no trailing hyphen) and suffixed with a hash',
      stack: 'scalable-logging-prod-eu',
      service: 'ingest-worker',
      expected: /^scalable-logging-prod-eu-[0-9a-f]{6}$/,
    },
  ];
  for (const { reason, stack: stackName, service: serviceName, expected } of cases) {
    const name = targetGroupName(stackName, serviceName);
    assert.match(name, expected, reason);
    assert.ok(name.length <= 32, reason);
  }
  assert.notEqual(
    targetGroupName('scalable-logging-prod-eu', 'ingest-worker'),
    targetGroupName('scalable-logging-prod-eu', 'ingest-reader'),
    'two long names sharing a prefix still differ',
  );
});
