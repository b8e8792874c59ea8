/**
 * The local cloud's fixes for EC2 capacity (Auto Scaling groups and ECS capacity providers),
 * each shown twice over HTTP with the AWS SDK: the same calls against plain moto 5.2.1 (its wrong
 * behaviour) and against the local cloud (what AWS does). docs/local.md has the table of fixes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  EC2Client,
  paginateDescribeLaunchTemplates,
} from '@aws-sdk/client-ec2';
import {
  CreateCapacityProviderCommand,
  DescribeCapacityProvidersCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { type RunningCloud, startLocalCloud } from '../scripts/local/local-cloud.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const region = 'us-west-2';
/** AMI is the ECS-optimized Amazon Linux 2023 AMI moto's SSM parameters name in us-west-2. */
const AMI = 'ami-09ce4678f4ed66583';

/** Cloud is one emulator and the SDK clients on it. */
interface Cloud {
  name: 'plain moto' | 'local cloud';
  server: RunningCloud;
  ec2: EC2Client;
  ecs: ECSClient;
  autoscaling: AutoScalingClient;
}

function clientsOn(name: Cloud['name'], server: RunningCloud): Cloud {
  const config = { region, endpoint: server.endpoint, credentials, maxAttempts: 1 };
  return {
    name,
    server,
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    autoscaling: new AutoScalingClient(config),
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
    for (const client of [cloud.ec2, cloud.ecs, cloud.autoscaling]) client.destroy();
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

let groups = 0;

/**
 * group makes a VPC with a subnet in zones a and b, a launch template and an Auto Scaling group
 * over both subnets with `desired` instances protected from scale-in; it returns the names.
 */
async function group(cloud: Cloud, desired: number) {
  groups += 1;
  const cidr = `10.${groups}.0.0/16`;
  const vpc = await cloud.ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  const subnets: string[] = [];
  for (const [index, zone] of ['a', 'b'].entries()) {
    const subnet = await cloud.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpc.Vpc?.VpcId,
        CidrBlock: `10.${groups}.${index}.0/24`,
        AvailabilityZone: `${region}${zone}`,
      }),
    );
    subnets.push(subnet.Subnet?.SubnetId as string);
  }
  const name = `capacity-${groups}`;
  const template = await cloud.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: { ImageId: AMI, InstanceType: 't3.small' },
    }),
  );
  const templateId = template.LaunchTemplate?.LaunchTemplateId as string;
  await cloud.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: 0,
      MaxSize: 4,
      DesiredCapacity: desired,
      VPCZoneIdentifier: subnets.join(','),
      LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
      NewInstancesProtectedFromScaleIn: true,
    }),
  );
  return { name, templateId };
}

async function described(cloud: Cloud, name: string) {
  const { AutoScalingGroups } = await cloud.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  return AutoScalingGroups?.[0];
}

async function runningInstances(cloud: Cloud, name: string): Promise<string[]> {
  const { Reservations } = await cloud.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:aws:autoscaling:groupName', Values: [name] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    }),
  );
  return (Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? ''));
}

describe('ECS DescribeCapacityProviders without names lists the capacity providers', () => {
  async function listAll(cloud: Cloud) {
    await cloud.ecs.send(
      new CreateCapacityProviderCommand({
        name: 'listed',
        autoScalingGroupProvider: {
          autoScalingGroupArn:
            'arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:1:autoScalingGroupName/listed',
        },
      }),
    );
    const listed = await cloud.ecs.send(new DescribeCapacityProvidersCommand({}));
    return (listed.capacityProviders ?? []).map((provider) => provider.name);
  }

  test('plain moto fails (HTTP 500)', async () => {
    assert.notEqual(await errorCode(listAll(plain)), 'no error');
  });

  test('the local cloud lists it', async () => {
    assert.deepStrictEqual(await listAll(fixed), ['listed']);
  });
});

describe('ECS CreateCapacityProvider refuses a name that is taken', () => {
  async function createTwice(cloud: Cloud) {
    const create = (group: string, owner: string) =>
      cloud.ecs.send(
        new CreateCapacityProviderCommand({
          name: 'taken',
          autoScalingGroupProvider: {
            autoScalingGroupArn: `arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:1:autoScalingGroupName/${group}`,
          },
          tags: [{ key: 'owner', value: owner }],
        }),
      );
    await create('first', 'a person');
    const second = await errorCode(create('second', 'a tool'));
    const { capacityProviders } = await cloud.ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: ['taken'], include: ['TAGS'] }),
    );
    const [kept] = capacityProviders ?? [];
    return {
      second,
      group: kept?.autoScalingGroupProvider?.autoScalingGroupArn?.split('/')[1],
      owner: kept?.tags?.[0]?.value,
    };
  }

  test('plain moto replaces the first provider', async () => {
    assert.deepStrictEqual(await createTwice(plain), {
      second: 'no error',
      group: 'second',
      owner: 'a tool',
    });
  });

  test('the local cloud refuses the second and keeps the first', async () => {
    assert.deepStrictEqual(await createTwice(fixed), {
      second: 'ClientException',
      group: 'first',
      owner: 'a person',
    });
  });
});

describe('an Auto Scaling group over two zones spreads its instances over both', () => {
  async function zones(cloud: Cloud) {
    const { name } = await group(cloud, 4);
    const instances = (await described(cloud, name))?.Instances ?? [];
    return instances.map((instance) => instance.AvailabilityZone).sort();
  }

  test('plain moto puts all of them in the first subnet', async () => {
    assert.deepStrictEqual(await zones(plain), Array(4).fill(`${region}a`));
  });

  test('the local cloud balances them', async () => {
    assert.deepStrictEqual(await zones(fixed), [
      `${region}a`,
      `${region}a`,
      `${region}b`,
      `${region}b`,
    ]);
  });
});

describe('DeleteAutoScalingGroup with ForceDelete terminates the instances, protected ones too', () => {
  async function forceDelete(cloud: Cloud) {
    const { name } = await group(cloud, 2);
    const withoutForce = await errorCode(
      cloud.autoscaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name })),
    );
    if (withoutForce === 'no error')
      return { withoutForce, running: await runningInstances(cloud, name) };
    await cloud.autoscaling.send(
      new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }),
    );
    return { withoutForce, running: await runningInstances(cloud, name) };
  }

  test('plain moto deletes the group without ForceDelete and leaves its instances running', async () => {
    const { withoutForce, running } = await forceDelete(plain);
    assert.equal(withoutForce, 'no error');
    assert.equal(running.length, 2);
  });

  test('the local cloud refuses without ForceDelete and terminates them with it', async () => {
    assert.deepStrictEqual(await forceDelete(fixed), {
      withoutForce: 'ResourceInUseFault',
      running: [],
    });
  });
});

describe('an instance refresh replaces the instances with the desired launch template version', () => {
  async function refresh(cloud: Cloud) {
    const { name, templateId } = await group(cloud, 2);
    const before = await runningInstances(cloud, name);
    await cloud.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        LaunchTemplateData: { ImageId: AMI, InstanceType: 't3.medium' },
      }),
    );
    await cloud.autoscaling.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: name,
        DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: templateId, Version: '2' } },
        Preferences: { MinHealthyPercentage: 90, SkipMatching: true },
      }),
    );
    const refreshes = await cloud.autoscaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name }),
    );
    const after = await described(cloud, name);
    return {
      status: refreshes.InstanceRefreshes?.map((r) => r.Status),
      version: after?.LaunchTemplate?.Version,
      types: after?.Instances?.map((instance) => instance.InstanceType),
      replaced: (await runningInstances(cloud, name)).every((id) => !before.includes(id)),
    };
  }

  test('plain moto has no StartInstanceRefresh', async () => {
    assert.notEqual(await errorCode(refresh(plain)), 'no error');
  });

  test('the local cloud refreshes at once: new instances of version 2, the group on version 2', async () => {
    assert.deepStrictEqual(await refresh(fixed), {
      status: ['Successful'],
      version: '2',
      types: ['t3.medium', 't3.medium'],
      replaced: true,
    });
  });
});

describe('a launch template version with user data made by CreateLaunchTemplateVersion launches instances', () => {
  async function scaleOutOnVersion2(cloud: Cloud) {
    const { name, templateId } = await group(cloud, 1);
    await cloud.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        LaunchTemplateData: {
          ImageId: AMI,
          InstanceType: 't3.medium',
          UserData: Buffer.from('#!/bin/bash\n').toString('base64'),
        },
      }),
    );
    await cloud.autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        LaunchTemplate: { LaunchTemplateId: templateId, Version: '2' },
        DesiredCapacity: 2,
      }),
    );
    return (await described(cloud, name))?.Instances?.map((i) => i.InstanceType).sort();
  }

  test('plain moto fails (HTTP 500) to launch from it', async () => {
    assert.notEqual(await errorCode(scaleOutOnVersion2(plain)), 'no error');
  });

  test('the local cloud launches the new instance from version 2', async () => {
    assert.deepStrictEqual(await scaleOutOnVersion2(fixed), ['t3.medium', 't3.small']);
  });
});

describe('DescribeLaunchTemplates pages its answer', () => {
  /** listed creates 20 tagged templates and lists them: how many came back, in how many pages. */
  async function listed(cloud: Cloud) {
    for (let index = 0; index < 20; index += 1) {
      await cloud.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: `paged-${index}`,
          LaunchTemplateData: { InstanceType: 't3.micro' },
          TagSpecifications: [
            { ResourceType: 'launch-template', Tags: [{ Key: 'probe', Value: 'pages' }] },
          ],
        }),
      );
    }
    let templates = 0;
    let pages = 0;
    const filter = { Filters: [{ Name: 'tag:probe', Values: ['pages'] }] };
    for await (const page of paginateDescribeLaunchTemplates({ client: cloud.ec2 }, filter)) {
      pages += 1;
      templates += page.LaunchTemplates?.length ?? 0;
    }
    return { templates, pages };
  }

  test('plain moto answers 15 and no NextToken', async () => {
    assert.deepStrictEqual(await listed(plain), { templates: 15, pages: 1 });
  });

  test('the local cloud answers all 20 in two pages', async () => {
    assert.deepStrictEqual(await listed(fixed), { templates: 20, pages: 2 });
  });
});
