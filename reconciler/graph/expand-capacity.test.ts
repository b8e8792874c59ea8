import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsServiceProperties } from '../resources/ecs-service.ts';
import type { SecurityGroupProperties } from '../resources/security-group.ts';
import type { TargetGroupProperties } from '../resources/target-group.ts';
import type { TaskDefinitionProperties } from '../resources/task-definition.ts';
import { ref } from '../resources/types.ts';
import type { Stack } from '../spec/types.generated.ts';
import { expandStack } from './expand.ts';
import { ecsUserData } from './expand-capacity.ts';

const AMI_PARAMETER = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';

function stack(overrides: Partial<Stack> = {}, networkMode?: 'awsvpc' | 'bridge'): Stack {
  return {
    name: 'shop',
    region: 'us-west-2',
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b'],
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    },
    loadBalancer: { listeners: [{ port: 80, protocol: 'HTTP' }] },
    capacity: {},
    services: [
      {
        name: 'api',
        image: 'api:1',
        port: 3000,
        logGroup: '/shop/api',
        loadBalancer: {},
        launchType: 'EC2',
        ...(networkMode ? { networkMode } : {}),
      },
    ],
    database: { engineVersion: '16.4', instanceClass: 'db.t4g.micro' },
    logGroups: [{ name: '/shop/api' }],
    ...overrides,
  };
}

function byAddress(spec: Stack) {
  return new Map(expandStack(spec).map((resource) => [resource.address, resource]));
}

test('a capacity section expands to a role, a profile, a launch template, a group and a provider', () => {
  const cases = [
    {
      reason: 'capacity with defaults',
      spec: stack(),
      expected: [
        'auto-scaling-group.main',
        'capacity-provider.main',
        'iam-role.instance',
        'instance-profile.main',
        'launch-template.main',
        'security-group.instances',
      ],
    },
    {
      reason: 'no capacity section: nothing of it',
      spec: stack({ capacity: undefined }),
      expected: [],
    },
  ];
  const capacityKinds =
    /^(auto-scaling-group|capacity-provider|instance-profile|launch-template)\.|^(iam-role\.instance|security-group\.instances)$/;
  for (const { reason, spec, expected } of cases) {
    const addresses = [...byAddress(spec).keys()].filter((address) => capacityKinds.test(address));
    assert.deepStrictEqual(addresses.sort(), expected, reason);
  }
});

test('the schema defaults fill the capacity: AMI by parameter, sizes, volume, scaling', () => {
  const resources = byAddress(stack());
  assert.deepStrictEqual(resources.get('launch-template.main')?.properties, {
    name: 'shop-capacity',
    imageId: { ssmParameter: AMI_PARAMETER },
    instanceType: 't3.small',
    instanceProfileArn: ref('instance-profile.main', 'arn'),
    securityGroupIds: [ref('security-group.instances')],
    userData: ecsUserData('shop'),
    rootVolume: { deviceName: '/dev/xvda', sizeGiB: 30, volumeType: 'gp3', encrypted: true },
    metadata: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
  });
  assert.match(
    ecsUserData('shop'),
    /^#!\/bin\/bash\necho "ECS_CLUSTER=shop" >> \/etc\/ecs\/ecs.config\n$/,
  );
  const group = resources.get('auto-scaling-group.main');
  assert.deepStrictEqual(group?.properties, {
    name: 'shop-capacity',
    launchTemplateId: ref('launch-template.main'),
    launchTemplateVersion: ref('launch-template.main', 'defaultVersion'),
    minSize: 1,
    maxSize: 4,
    desiredCapacity: 2,
    subnetIds: [ref('subnet.private-a'), ref('subnet.private-b')],
    protectFromScaleIn: true,
    instanceRefresh: { minHealthyPercentage: 90, instanceWarmupSeconds: 300 },
  });
  assert.deepStrictEqual(group?.dependsOn, ['ecs-cluster.main']);
  const provider = resources.get('capacity-provider.main')?.properties;
  assert.deepStrictEqual(provider?.cluster, ref('ecs-cluster.main', 'name'));
  assert.deepStrictEqual(provider?.managedTerminationProtection, 'ENABLED');
  assert.deepStrictEqual(resources.get('instance-profile.main')?.properties, {
    name: 'shop-instance',
    path: '/reconciler/shop/',
    roleName: ref('iam-role.instance', 'name'),
  });
  const pinned = byAddress(stack({ capacity: { amiId: 'ami-0123456789abcdef0' } }));
  assert.equal(pinned.get('launch-template.main')?.properties.imageId, 'ami-0123456789abcdef0');
});

test('an EC2 service runs on the capacity provider; the network mode sets targets and groups', () => {
  const cases = [
    {
      reason: 'awsvpc on EC2: own interface and group, IP targets, instances admit nothing',
      networkMode: 'awsvpc' as const,
      expected: {
        network: true,
        targetType: 'ip',
        hostPort: 3000,
        serviceGroup: true,
        instanceIngress: [],
        databaseSources: [ref('security-group.service-api')],
      },
    },
    {
      reason:
        'bridge: dynamic host ports, instance targets, ephemeral ports from the load balancer only',
      networkMode: 'bridge' as const,
      expected: {
        network: false,
        targetType: 'instance',
        hostPort: 0,
        serviceGroup: false,
        instanceIngress: [
          {
            protocol: 'tcp',
            fromPort: 32768,
            toPort: 65535,
            sourceSecurityGroupId: ref('security-group.load-balancer'),
          },
        ],
        databaseSources: [ref('security-group.instances')],
      },
    },
  ];
  for (const { reason, networkMode, expected } of cases) {
    const resources = byAddress(stack({}, networkMode));
    const service = resources.get('ecs-service.api')?.properties as EcsServiceProperties;
    assert.equal(service.launchType, undefined, reason);
    assert.deepStrictEqual(
      service.capacityProviderStrategy,
      [{ capacityProvider: ref('capacity-provider.main', 'name'), weight: 1, base: 0 }],
      reason,
    );
    const task = resources.get('task-definition.api')?.properties as TaskDefinitionProperties;
    const groups = (address: string) =>
      resources.get(address)?.properties as SecurityGroupProperties | undefined;
    assert.deepStrictEqual(
      {
        network: service.networkConfiguration !== undefined,
        targetType: (
          resources.get('target-group.api')?.properties as TargetGroupProperties | undefined
        )?.targetType,
        hostPort: task.containerDefinitions[0]?.portMappings[0]?.hostPort,
        serviceGroup: resources.has('security-group.service-api'),
        instanceIngress: groups('security-group.instances')?.ingress,
        databaseSources: groups('security-group.database')?.ingress.map(
          (rule) => rule.sourceSecurityGroupId,
        ),
      },
      expected,
      reason,
    );
    assert.equal(task.networkMode, networkMode, reason);
    assert.deepStrictEqual(task.requiresCompatibilities, ['EC2'], reason);
  }
});

test('a Fargate service keeps its launch type and the cluster exists for capacity alone', () => {
  const fargate = byAddress(
    stack({
      capacity: undefined,
      services: [{ name: 'api', image: 'api:1', port: 3000, logGroup: '/shop/api' }],
    }),
  );
  const service = fargate.get('ecs-service.api')?.properties as EcsServiceProperties;
  assert.equal(service.launchType, 'FARGATE');
  assert.equal(service.capacityProviderStrategy, undefined);
  const capacityOnly = byAddress(stack({ services: [] }));
  assert.ok(capacityOnly.has('ecs-cluster.main'), 'the instances have a cluster to join');
});
