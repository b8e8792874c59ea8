import {
  CreateSubnetCommand,
  DeleteSubnetCommand,
  type Filter,
  ModifySubnetAttributeCommand,
  paginateDescribeSubnets,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { tagListToMap } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { collect } from './kit/paginate.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule, ResourceContext } from './types.ts';

/** SubnetProperties: where the subnet lives and whether instances get a public IP. */
export type SubnetProperties = {
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  mapPublicIpOnLaunch: boolean;
};

/** SUBNET_FIELDS: only mapPublicIpOnLaunch changes in place (ModifySubnetAttribute). */
export const SUBNET_FIELDS: Record<keyof SubnetProperties, FieldRule> = {
  vpcId: 'replace',
  cidrBlock: 'replace',
  availabilityZone: 'replace',
  mapPublicIpOnLaunch: 'update',
};

/** subnetHandler manages subnets: one paginated, tag-filtered DescribeSubnets per observe. */
export const subnetHandler = defineKind<SubnetProperties, Subnet>({
  kind: 'subnet',
  fields: SUBNET_FIELDS,
  after: ['vpc'],
  tagging: ec2Tagging,
  notFound: ['InvalidSubnetID.NotFound'],
  // a CIDR is unique in its VPC: the holder of ours, tagged for the address, is ours
  alreadyExists: ['InvalidSubnet.Conflict'],
  iamActions: {
    read: ['ec2:DescribeSubnets'],
    write: ['ec2:CreateSubnet', 'ec2:ModifySubnetAttribute', 'ec2:DeleteSubnet'],
    scope: {
      arn: 'arn:aws:ec2:*:{account}:subnet/*',
      create: ['ec2:CreateSubnet'],
    },
  },

  list: (ctx) => describeSubnets(ctx, stackFilters(ctx)),

  /** The subnets holding the desired CIDRs in their VPCs, owned or not (a VPC still unknown holds none). */
  async findByName(ctx, desired) {
    const known = desired.filter((resource) => typeof resource.properties.vpcId === 'string');
    if (known.length === 0) return [];
    const subnets = await describeSubnets(ctx, [
      { Name: 'vpc-id', Values: [...new Set(known.map((resource) => resource.properties.vpcId))] },
      { Name: 'cidr-block', Values: known.map((resource) => resource.properties.cidrBlock) },
    ]);
    return subnets.flatMap((subnet) => {
      const wanted = known.find(
        (resource) =>
          resource.properties.vpcId === subnet.VpcId &&
          resource.properties.cidrBlock === subnet.CidrBlock,
      );
      return wanted ? [{ ...toObserved(subnet), address: wanted.address }] : [];
    });
  },

  toObserved,

  async create(ctx, desired) {
    const properties = desired.properties;
    const created = await ctx.clients.ec2.send(
      new CreateSubnetCommand({
        VpcId: properties.vpcId,
        CidrBlock: properties.cidrBlock,
        AvailabilityZone: properties.availabilityZone,
        TagSpecifications: tagSpecifications('subnet', desired.tags),
      }),
    );
    const subnetId = created.Subnet?.SubnetId;
    if (!subnetId) throw new Error('CreateSubnet returned no SubnetId');
    if (properties.mapPublicIpOnLaunch) await setMapPublicIp(ctx.clients.ec2, subnetId, true);
    return {
      id: subnetId,
      properties: { ...properties },
      tags: { ...desired.tags },
      attributes: { availabilityZone: properties.availabilityZone },
    };
  },

  updaters: {
    mapPublicIpOnLaunch: (ctx, desired, observed) =>
      setMapPublicIp(ctx.clients.ec2, observed.id, desired.properties.mapPublicIpOnLaunch),
  },

  async destroy(ctx, observed) {
    await ctx.clients.ec2.send(new DeleteSubnetCommand({ SubnetId: observed.id }));
  },
});

function describeSubnets(ctx: ResourceContext, Filters: Filter[]): Promise<Subnet[]> {
  return collect(
    paginateDescribeSubnets({ client: ctx.clients.ec2 }, { Filters }),
    (page) => page.Subnets,
  );
}

function toObserved(subnet: Subnet): Live<SubnetProperties> {
  return {
    id: subnet.SubnetId ?? '',
    properties: {
      vpcId: subnet.VpcId ?? '',
      cidrBlock: subnet.CidrBlock ?? '',
      availabilityZone: subnet.AvailabilityZone ?? '',
      mapPublicIpOnLaunch: subnet.MapPublicIpOnLaunch ?? false,
    },
    tags: tagListToMap(subnet.Tags),
    status: subnet.State === 'pending' ? 'pending' : 'ready',
    attributes: { availabilityZone: subnet.AvailabilityZone ?? '' },
  };
}

async function setMapPublicIp(
  ec2: { send(command: ModifySubnetAttributeCommand): Promise<unknown> },
  subnetId: string,
  value: boolean,
): Promise<void> {
  await ec2.send(
    new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: value } }),
  );
}
