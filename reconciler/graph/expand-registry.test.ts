import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ref } from '../resources/types.ts';
import { withDefaults } from '../spec/defaults.ts';
import type { Stack } from '../spec/types.generated.ts';
import { expandStack } from './expand.ts';
import { expandRegistry, lifecyclePolicy, serviceImage } from './expand-registry.ts';
import { dependenciesOf } from './order.ts';

const network: Stack['network'] = {
  cidr: '10.0.0.0/16',
  availabilityZones: ['us-west-2a'],
  publicSubnets: ['10.0.0.0/24'],
  privateSubnets: ['10.0.1.0/24'],
};

const untaggedRule = (days: number) => ({
  rulePriority: 1,
  description: `expire untagged images ${days} days after their push`,
  selection: {
    tagStatus: 'untagged',
    countType: 'sinceImagePushed',
    countUnit: 'days',
    countNumber: days,
  },
  action: { type: 'expire' },
});

test('expandRegistry', () => {
  const cases: Array<{
    reason: string;
    registry: Stack['registry'];
    expected: Array<[string, Record<string, unknown>, Record<string, string>]>;
  }> = [
    { reason: 'no registry, no resources', registry: undefined, expected: [] },
    {
      reason: 'named <stack>/<name>; immutable tags, scan on push, AES256 and no policy by default',
      registry: { repositories: [{ name: 'api' }] },
      expected: [
        [
          'ecr-repository.api',
          {
            name: 'app/api',
            tagMutability: 'IMMUTABLE',
            scanOnPush: true,
            encryption: 'AES256',
            lifecyclePolicy: { rules: [] },
          },
          {},
        ],
      ],
    },
    {
      reason: 'KMS with its key, a lifecycle, and force recorded as a tag',
      registry: {
        repositories: [
          {
            name: 'reconciler',
            tagMutability: 'MUTABLE',
            scanOnPush: false,
            encryption: 'KMS',
            kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k',
            lifecycle: { keepLastImages: 10 },
            force: true,
          },
        ],
      },
      expected: [
        [
          'ecr-repository.reconciler',
          {
            name: 'app/reconciler',
            tagMutability: 'MUTABLE',
            scanOnPush: false,
            encryption: 'KMS',
            kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k',
            lifecyclePolicy: lifecyclePolicy({ keepLastImages: 10, expireUntaggedAfterDays: 7 }),
          },
          { 'reconciler:force-delete': 'true' },
        ],
      ],
    },
  ];
  for (const { reason, registry, expected } of cases) {
    const stack = { name: 'app', region: 'us-west-2', network, registry } as Stack;
    const resources = expandRegistry(withDefaults(stack));
    assert.deepStrictEqual(
      resources.map((resource) => {
        const {
          environment: _e,
          'reconciler:stack': _s,
          'reconciler:address': _a,
          'reconciler:managed-by': _m,
          ...extra
        } = resource.tags;
        return [resource.address, resource.properties, extra];
      }),
      expected,
      reason,
    );
  }
});

test('lifecyclePolicy: untagged images first, the count rule last', () => {
  assert.deepStrictEqual(lifecyclePolicy(undefined), { rules: [] });
  assert.deepStrictEqual(lifecyclePolicy({ expireUntaggedAfterDays: 3 }), {
    rules: [untaggedRule(3)],
  });
  assert.deepStrictEqual(lifecyclePolicy({ keepLastImages: 50, expireUntaggedAfterDays: 7 }), {
    rules: [
      untaggedRule(7),
      {
        rulePriority: 2,
        description: 'keep the last 50 images',
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 },
        action: { type: 'expire' },
      },
    ],
  });
});

test('serviceImage: a registry image is the repository URI and the tag, by Ref', () => {
  assert.equal(serviceImage({ image: 'nginx:1.27' }), 'nginx:1.27');
  assert.deepStrictEqual(
    serviceImage({ image: { repository: 'api', tag: '1.2.3' } }),
    ref('ecr-repository.api', 'uri', ':1.2.3'),
  );
});

test('expandStack: the task definition of a service running a registry image refers to the repository', () => {
  const stack: Stack = {
    name: 'app',
    region: 'us-west-2',
    network,
    logGroups: [{ name: '/app/api' }],
    registry: { repositories: [{ name: 'api' }] },
    services: [
      { name: 'api', image: { repository: 'api', tag: '1.2.3' }, port: 3000, logGroup: '/app/api' },
    ],
  };
  const resources = expandStack(stack);
  const taskDefinition = resources.find((resource) => resource.address === 'task-definition.api');
  const containers = taskDefinition?.properties.containerDefinitions as Array<{ image: unknown }>;
  assert.deepStrictEqual(containers[0]?.image, ref('ecr-repository.api', 'uri', ':1.2.3'));
  assert.deepStrictEqual(
    dependenciesOf(taskDefinition!).filter((address) => address.startsWith('ecr-')),
    ['ecr-repository.api'],
    'the repository is created before the task definition',
  );
});
