/**
 * The local cloud's fixes, each shown twice over HTTP with the AWS SDK: the same calls against
 * plain moto 5.2.1 (its wrong behaviour) and against the local cloud (what AWS does).
 * docs/local.md has the table of fixes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  ListTagsForResourceCommand as ListScalableTargetTagsCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand as TagScalableTargetCommand,
  UntagResourceCommand as UntagScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchClient,
  DeleteDashboardsCommand,
  ListDashboardsCommand,
  ListTagsForResourceCommand,
  PutDashboardCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  AllocateAddressCommand,
  CreateNatGatewayCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNatGatewayCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateDBInstanceCommand,
  CreateDBSubnetGroupCommand,
  DescribeDBInstancesCommand,
  DescribeDBSubnetGroupsCommand,
  ModifyDBSubnetGroupCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  findMotoPython,
  LAUNCHER,
  type RunningCloud,
  startLocalCloud,
} from '../scripts/local/local-cloud.ts';
import { freePort } from '../scripts/local/ports.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const region = 'us-west-2';

/** Cloud is one emulator and the SDK clients on it. */
interface Cloud {
  name: 'plain moto' | 'local cloud';
  server: RunningCloud;
  ec2: EC2Client;
  ecs: ECSClient;
  rds: RDSClient;
  elbv2: ElasticLoadBalancingV2Client;
}

function clientsOn(name: Cloud['name'], server: RunningCloud, inRegion = region): Cloud {
  const config = { region: inRegion, endpoint: server.endpoint, credentials };
  return {
    name,
    server,
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    rds: new RDSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
  };
}

let plain: Cloud;
let fixed: Cloud;

before(async () => {
  const [plainServer, fixedServer] = await Promise.all([
    startLocalCloud({ plain: true }),
    startLocalCloud(),
  ]);
  plain = clientsOn('plain moto', plainServer);
  fixed = clientsOn('local cloud', fixedServer);
});

after(async () => {
  for (const cloud of [plain, fixed]) {
    if (!cloud) continue;
    for (const client of [cloud.ec2, cloud.ecs, cloud.rds, cloud.elbv2]) client.destroy();
    await cloud.server.stop();
  }
});

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { name?: string }).name ?? String(err);
  }
  return 'no error';
}

/** network makes a VPC with one subnet. */
async function network(cloud: Cloud, cidr: string) {
  const vpc = await cloud.ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  const vpcId = vpc.Vpc?.VpcId as string;
  const subnet = await cloud.ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: cidr.replace('/16', '/24'),
      AvailabilityZone: `${region}a`,
    }),
  );
  const second = await cloud.ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: cidr.replace('.0.0/16', '.1.0/24'),
      AvailabilityZone: `${region}b`,
    }),
  );
  return {
    vpcId,
    subnetId: subnet.Subnet?.SubnetId as string,
    secondSubnetId: second.Subnet?.SubnetId as string,
  };
}

describe('ECS CreateService keeps deploymentConfiguration, grace period and managed tags', () => {
  const settings = {
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 50,
    },
    healthCheckGracePeriodSeconds: 60,
    enableECSManagedTags: true,
  };
  async function createAndDescribe(cloud: Cloud) {
    await cloud.ecs.send(new CreateClusterCommand({ clusterName: 'settings' }));
    await cloud.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        containerDefinitions: [{ name: 'api', image: 'nginx', memory: 512 }],
      }),
    );
    await cloud.ecs.send(
      new CreateServiceCommand({
        cluster: 'settings',
        serviceName: 'api',
        taskDefinition: 'api',
        desiredCount: 1,
        ...settings,
      }),
    );
    const described = await cloud.ecs.send(
      new DescribeServicesCommand({ cluster: 'settings', services: ['api'] }),
    );
    const service = described.services?.[0];
    return {
      deploymentConfiguration: service?.deploymentConfiguration,
      healthCheckGracePeriodSeconds: service?.healthCheckGracePeriodSeconds,
      enableECSManagedTags: service?.enableECSManagedTags,
    };
  }

  test('plain moto forgets them', async () => {
    const kept = await createAndDescribe(plain);
    assert.equal(kept.deploymentConfiguration, undefined);
    assert.equal(kept.healthCheckGracePeriodSeconds, undefined);
    assert.notEqual(kept.enableECSManagedTags, true);
  });

  test('the local cloud keeps them', async () => {
    assert.deepStrictEqual(await createAndDescribe(fixed), settings);
  });
});

describe('deleting a NAT gateway releases its Elastic IP', () => {
  async function deleteNat(cloud: Cloud) {
    const { subnetId } = await network(cloud, '10.1.0.0/16');
    const address = await cloud.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const allocationId = address.AllocationId as string;
    const created = await cloud.ec2.send(
      new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId }),
    );
    const natId = created.NatGateway?.NatGatewayId as string;
    const eni = created.NatGateway?.NatGatewayAddresses?.[0]?.NetworkInterfaceId as string;
    await cloud.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    const after = await cloud.ec2.send(
      new DescribeAddressesCommand({ AllocationIds: [allocationId] }),
    );
    const interfaces = await cloud.ec2.send(new DescribeNetworkInterfacesCommand({}));
    return {
      allocationId,
      associationId: after.Addresses?.[0]?.AssociationId,
      eniLeft: (interfaces.NetworkInterfaces ?? []).some((i) => i.NetworkInterfaceId === eni),
    };
  }

  test('plain moto keeps it associated with the deleted gateway', async () => {
    const { associationId, eniLeft } = await deleteNat(plain);
    assert.ok(associationId, 'the address is still associated');
    assert.equal(eniLeft, true);
  });

  test('the local cloud frees it: it can be released, and an unknown gateway is NatGatewayNotFound', async () => {
    const { allocationId, associationId, eniLeft } = await deleteNat(fixed);
    assert.equal(associationId, undefined);
    assert.equal(eniLeft, false, 'the gateway network interface is deleted');
    await fixed.ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId }));
    assert.equal(
      await errorCode(
        fixed.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: 'nat-0000000000000000' })),
      ),
      'NatGatewayNotFound',
    );
  });
});

describe('every RDS instance gets its own DbiResourceId', () => {
  async function twoInstances(cloud: Cloud): Promise<string[]> {
    const ids: string[] = [];
    for (const name of ['first', 'second']) {
      await cloud.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: `resource-id-${name}`,
          Engine: 'postgres',
          DBInstanceClass: 'db.t4g.micro',
          AllocatedStorage: 20,
          MasterUsername: 'admin_user',
          MasterUserPassword: 'not-a-real-password-1',
        }),
      );
      const described = await cloud.rds.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: `resource-id-${name}` }),
      );
      ids.push(described.DBInstances?.[0]?.DbiResourceId as string);
    }
    return ids;
  }

  test('plain moto gives both the same', async () => {
    const [first, second] = await twoInstances(plain);
    assert.equal(first, second);
  });

  test('the local cloud gives each its own, shaped like AWS ids', async () => {
    const [first, second] = await twoInstances(fixed);
    assert.notEqual(first, second);
    for (const id of [first, second]) assert.match(id ?? '', /^db-[A-Z0-9]{26}$/);
  });
});

describe('concurrent ECS DescribeServices keep their tags', () => {
  const ROUNDS = 20;
  const PAIRS = 10;
  // ten services of forty tags each: answers big enough to take a while to write
  const names = Array.from({ length: 10 }, (_, index) => `tagged-${index}`);
  const tags = Array.from({ length: 40 }, (_, index) => ({ key: `k${index}`, value: `v${index}` }));

  async function taggedServices(cloud: Cloud): Promise<void> {
    await cloud.ecs.send(new CreateClusterCommand({ clusterName: 'tags' }));
    for (const serviceName of names) {
      await cloud.ecs.send(
        new CreateServiceCommand({ cluster: 'tags', serviceName, desiredCount: 0, tags }),
      );
    }
  }

  /**
   * untaggedAnswers sends DescribeServices with include [TAGS], each together with one without,
   * and counts the answers to the former in which a service has no tags.
   */
  async function untaggedAnswers(cloud: Cloud, stopAtFirst: boolean): Promise<number> {
    let untagged = 0;
    for (let round = 0; round < ROUNDS && !(stopAtFirst && untagged > 0); round++) {
      const answers = await Promise.all(
        Array.from({ length: PAIRS }, () =>
          Promise.all([
            cloud.ecs.send(
              new DescribeServicesCommand({ cluster: 'tags', services: names, include: ['TAGS'] }),
            ),
            cloud.ecs.send(new DescribeServicesCommand({ cluster: 'tags', services: names })),
          ]).then(([withTags]) => withTags),
        ),
      );
      untagged += answers.filter((answer) =>
        (answer.services ?? []).some((service) => (service.tags ?? []).length === 0),
      ).length;
    }
    return untagged;
  }

  test('plain moto sometimes answers include [TAGS] without the tags', async () => {
    await taggedServices(plain);
    assert.ok((await untaggedAnswers(plain, true)) > 0, 'every answer had its tags');
  });

  test(`the local cloud answers all ${ROUNDS * PAIRS} with their tags`, async () => {
    await taggedServices(fixed);
    assert.equal(await untaggedAnswers(fixed, false), 0);
  });
});

describe('ModifyDBSubnetGroup keeps the group', () => {
  async function modify(cloud: Cloud, cidr: string) {
    const { subnetId, secondSubnetId } = await network(cloud, cidr);
    const name = `group-${cidr.split('.')[1]}`;
    await cloud.rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: name,
        DBSubnetGroupDescription: 'before',
        SubnetIds: [subnetId],
      }),
    );
    await cloud.rds.send(
      new ModifyDBSubnetGroupCommand({
        DBSubnetGroupName: name,
        DBSubnetGroupDescription: 'after',
        SubnetIds: [subnetId, secondSubnetId],
      }),
    );
    return {
      name,
      expected: [subnetId, secondSubnetId],
      described: cloud.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name })),
    };
  }

  test('plain moto drops it from its store', async () => {
    const { described } = await modify(plain, '10.2.0.0/16');
    assert.equal(await errorCode(described), 'DBSubnetGroupNotFoundFault');
  });

  test('the local cloud changes it in place', async () => {
    const { described, expected } = await modify(fixed, '10.3.0.0/16');
    const group = (await described).DBSubnetGroups?.[0];
    assert.equal(group?.DBSubnetGroupDescription, 'after');
    assert.deepStrictEqual(
      (group?.Subnets ?? []).map((subnet) => subnet.SubnetIdentifier),
      expected,
    );
    assert.equal(
      await errorCode(
        fixed.rds.send(
          new ModifyDBSubnetGroupCommand({ DBSubnetGroupName: 'missing', SubnetIds: expected }),
        ),
      ),
      'DBSubnetGroupNotFoundFault',
    );
  });
});

describe('the tagging API lists tagged DB subnet groups', () => {
  async function taggedGroupArns(cloud: Cloud, cidr: string) {
    const { subnetId } = await network(cloud, cidr);
    const name = `tagged-${cidr.split('.')[1]}`;
    const created = await cloud.rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: name,
        DBSubnetGroupDescription: 'tagged',
        SubnetIds: [subnetId],
        Tags: [{ Key: 'reconciler:stack', Value: name }],
      }),
    );
    const tagging = new ResourceGroupsTaggingAPIClient({
      region,
      endpoint: cloud.server.endpoint,
      credentials,
    });
    try {
      const found = await tagging.send(
        new GetResourcesCommand({
          TagFilters: [{ Key: 'reconciler:stack', Values: [name] }],
          ResourceTypeFilters: ['rds:subgrp'],
        }),
      );
      return {
        arn: created.DBSubnetGroup?.DBSubnetGroupArn,
        found: (found.ResourceTagMappingList ?? []).map((mapping) => mapping.ResourceARN),
      };
    } finally {
      tagging.destroy();
    }
  }

  test('plain moto answers none', async () => {
    const { found } = await taggedGroupArns(plain, '10.4.0.0/16');
    assert.deepStrictEqual(found, []);
  });

  test('the local cloud answers the group', async () => {
    const { arn, found } = await taggedGroupArns(fixed, '10.5.0.0/16');
    assert.ok(arn);
    assert.deepStrictEqual(found, [arn]);
  });
});

describe('CloudWatch dashboards take tags', () => {
  const body = JSON.stringify({ widgets: [{ type: 'text', properties: { markdown: '# ops' } }] });
  const tags = [{ Key: 'reconciler:stack', Value: 'shop' }];

  /** tagged puts a dashboard with tags, adds one, and reads them back, with the error of each step. */
  async function tagged(cloud: Cloud, name: string) {
    const cloudwatch = new CloudWatchClient({
      region,
      endpoint: cloud.server.endpoint,
      credentials,
    });
    try {
      await cloudwatch.send(
        new PutDashboardCommand({ DashboardName: name, DashboardBody: body, Tags: tags }),
      );
      const listed = await cloudwatch.send(
        new ListDashboardsCommand({ DashboardNamePrefix: name }),
      );
      const arn = listed.DashboardEntries?.[0]?.DashboardArn ?? '';
      const read = async () =>
        (await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags ?? [];
      const atCreate = await read();
      const tagError = await errorCode(
        cloudwatch.send(
          new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'ops' }] }),
        ),
      );
      const afterTag = await read();
      await cloudwatch.send(new DeleteDashboardsCommand({ DashboardNames: [name] }));
      await cloudwatch.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: body }));
      const afterDeleteAndPut = await read();
      return { atCreate, tagError, afterTag, afterDeleteAndPut };
    } finally {
      cloudwatch.destroy();
    }
  }

  test('plain moto drops the tags of PutDashboard and refuses TagResource on a dashboard', async () => {
    const result = await tagged(plain, 'plain-dashboard');
    assert.deepStrictEqual(result.atCreate, []);
    assert.equal(result.tagError, 'ResourceNotFoundException');
  });

  test('the local cloud tags at creation, tags later, and drops the tags with the dashboard', async () => {
    const result = await tagged(fixed, 'fixed-dashboard');
    assert.deepStrictEqual(result.atCreate, tags);
    assert.equal(result.tagError, 'no error');
    assert.deepStrictEqual(result.afterTag, [...tags, { Key: 'team', Value: 'ops' }]);
    assert.deepStrictEqual(result.afterDeleteAndPut, []);
  });
});

describe('the examples ACM certificate exists', () => {
  const exampleRegion = 'us-east-1';
  const arn = `arn:aws:acm:${exampleRegion}:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;

  /** describeCertificate calls ACM over its JSON protocol (no ACM client is installed). */
  async function describeCertificate(cloud: Cloud) {
    const response = await fetch(`${cloud.server.endpoint}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'CertificateManager.DescribeCertificate',
        Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${exampleRegion}/acm/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ CertificateArn: arn }),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        __type?: string;
        Certificate?: { DomainName?: string; Type?: string; Status?: string };
      },
    };
  }

  /** httpsListener creates an ALB with an HTTPS listener on the certificate. */
  async function httpsListener(cloud: Cloud) {
    const inRegion = clientsOn(cloud.name, cloud.server, exampleRegion);
    try {
      const vpc = await inRegion.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
      const vpcId = vpc.Vpc?.VpcId as string;
      const subnets = [];
      for (const [index, zone] of ['a', 'b'].entries()) {
        const subnet = await inRegion.ec2.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: `10.9.${index}.0/24`,
            AvailabilityZone: `${exampleRegion}${zone}`,
          }),
        );
        subnets.push(subnet.Subnet?.SubnetId as string);
      }
      const balancer = await inRegion.elbv2.send(
        new CreateLoadBalancerCommand({ Name: 'https', Subnets: subnets }),
      );
      const group = await inRegion.elbv2.send(
        new CreateTargetGroupCommand({ Name: 'https', Protocol: 'HTTP', Port: 80, VpcId: vpcId }),
      );
      return await errorCode(
        inRegion.elbv2.send(
          new CreateListenerCommand({
            LoadBalancerArn: balancer.LoadBalancers?.[0]?.LoadBalancerArn,
            Protocol: 'HTTPS',
            Port: 443,
            Certificates: [{ CertificateArn: arn }],
            DefaultActions: [
              { Type: 'forward', TargetGroupArn: group.TargetGroups?.[0]?.TargetGroupArn },
            ],
          }),
        ),
      );
    } finally {
      for (const client of [inRegion.ec2, inRegion.ecs, inRegion.rds, inRegion.elbv2]) {
        client.destroy();
      }
    }
  }

  test('plain moto has no such certificate: the HTTPS listener is refused', async () => {
    const { status, body } = await describeCertificate(plain);
    assert.equal(status, 400);
    assert.equal(body.__type, 'ResourceNotFoundException');
    assert.equal(await httpsListener(plain), 'CertificateNotFoundException');
  });

  test('the local cloud has it, imported and issued, also after a reset, and the listener is created', async () => {
    for (const round of ['at start', 'after a reset']) {
      if (round === 'after a reset') await fixed.server.reset();
      const { status, body } = await describeCertificate(fixed);
      assert.equal(status, 200, round);
      assert.equal(body.Certificate?.DomainName, 'logging.example.com', round);
      assert.equal(body.Certificate?.Type, 'IMPORTED', round);
      assert.equal(body.Certificate?.Status, 'ISSUED', round);
    }
    assert.equal(await httpsListener(fixed), 'no error');
  });
});

test('the local cloud exits when the process that started it is gone', async () => {
  const python = findMotoPython()?.executable;
  assert.ok(python);
  // a shell starts it in the background, prints its pid and exits at once
  const started = spawnSync(
    'sh',
    [
      '-c',
      `"$0" "$1" -p "$2" >/dev/null 2>&1 & echo $!`,
      python,
      LAUNCHER,
      String(await freePort()),
    ],
    { encoding: 'utf8' },
  );
  const pid = Number(started.stdout.trim());
  assert.ok(pid > 0, started.stderr);
  // a zombie not reaped yet is gone too
  const alive = () => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 15_000;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  if (alive()) process.kill(pid, 'SIGKILL');
  assert.equal(alive(), false, 'the orphaned local cloud is still running');
});

describe('Application Auto Scaling keeps the tags of a scalable target and deregisters it whole', () => {
  /** scaled registers an ECS service as a scalable target (tagged), with a policy and a schedule. */
  async function scaled(cloud: Cloud, name: string) {
    await cloud.ecs.send(new CreateClusterCommand({ clusterName: name }));
    const task = await cloud.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [{ name: 'app', image: 'nginx:1', memory: 128 }],
      }),
    );
    await cloud.ecs.send(
      new CreateServiceCommand({
        cluster: name,
        serviceName: 'api',
        taskDefinition: task.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
      }),
    );
    const scaling = new ApplicationAutoScalingClient({
      region,
      endpoint: cloud.server.endpoint,
      credentials,
    });
    const target = {
      ServiceNamespace: 'ecs',
      ResourceId: `service/${name}/api`,
      ScalableDimension: 'ecs:service:DesiredCount',
    } as const;
    // the service runs 1 task: registering the range 2..4 raises it to 2
    const { ScalableTargetARN: arn } = await scaling.send(
      new RegisterScalableTargetCommand({
        ...target,
        MinCapacity: 2,
        MaxCapacity: 4,
        Tags: { 'reconciler:stack': name },
      }),
    );
    await scaling.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 60,
          PredefinedMetricSpecification: {
            PredefinedMetricType: 'ECSServiceAverageCPUUtilization',
          },
        },
      }),
    );
    await scaling.send(
      new PutScheduledActionCommand({
        ...target,
        ScheduledActionName: 'night',
        Schedule: 'rate(1 day)',
        ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 2 },
      }),
    );
    const count = async () =>
      (await cloud.ecs.send(new DescribeServicesCommand({ cluster: name, services: ['api'] })))
        .services?.[0]?.desiredCount;
    const leftOver = async () => {
      await scaling.send(new DeregisterScalableTargetCommand(target));
      const policies = await scaling.send(new DescribeScalingPoliciesCommand(target));
      const actions = await scaling.send(new DescribeScheduledActionsCommand(target));
      return [policies.ScalingPolicies?.length, actions.ScheduledActions?.length];
    };
    return { scaling, target, arn: arn ?? '', count, leftOver };
  }

  test('plain moto drops the tags, leaves the count below the range and the policy and the schedule behind', async () => {
    const { scaling, arn, count, leftOver } = await scaled(plain, 'scaled-plain');
    assert.equal(await count(), 1);
    assert.notEqual(
      await errorCode(scaling.send(new ListScalableTargetTagsCommand({ ResourceARN: arn }))),
      'no error',
    );
    assert.deepStrictEqual(await leftOver(), [1, 1]);
    scaling.destroy();
  });

  test('the local cloud keeps and changes the tags, clamps the count, and a deregistration takes everything', async () => {
    const { scaling, target, arn, count, leftOver } = await scaled(fixed, 'scaled-fixed');
    assert.equal(await count(), 2, 'the count is inside the range');
    const tags = async () =>
      (await scaling.send(new ListScalableTargetTagsCommand({ ResourceARN: arn }))).Tags;
    assert.deepStrictEqual(await tags(), { 'reconciler:stack': 'scaled-fixed' });
    await scaling.send(new TagScalableTargetCommand({ ResourceARN: arn, Tags: { team: 'a' } }));
    await scaling.send(
      new UntagScalableTargetCommand({ ResourceARN: arn, TagKeys: ['reconciler:stack'] }),
    );
    assert.deepStrictEqual(await tags(), { team: 'a' });
    assert.deepStrictEqual(await leftOver(), [0, 0]);
    assert.equal(
      await errorCode(scaling.send(new DeregisterScalableTargetCommand(target))),
      'ObjectNotFoundException',
    );
    assert.equal(
      await errorCode(scaling.send(new ListScalableTargetTagsCommand({ ResourceARN: arn }))),
      'ResourceNotFoundException',
    );
    scaling.destroy();
  });
});
