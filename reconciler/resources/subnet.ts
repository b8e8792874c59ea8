import {
  CreateSubnetCommand,
  DeleteSubnetCommand,
  ModifySubnetAttributeCommand,
  paginateDescribeSubnets,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { tagListToMap } from '../aws/tags.ts';
import { defineKind } from './kit/define-kind.ts';
import { collect } from './kit/paginate.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule } from './types.ts';

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
  iamActions: {
    read: ['ec2:DescribeSubnets'],
    write: ['ec2:CreateSubnet', 'ec2:ModifySubnetAttribute', 'ec2:DeleteSubnet'],
  },

  list: (ctx) =>
    collect(
      paginateDescribeSubnets({ client: ctx.clients.ec2 }, { Filters: stackFilters(ctx) }),
      (page) => page.Subnets,
    ),

  toObserved: (subnet) => ({
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
  }),

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

async function setMapPublicIp(
  ec2: { send(command: ModifySubnetAttributeCommand): Promise<unknown> },
  subnetId: string,
  value: boolean,
): Promise<void> {
  await ec2.send(
    new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: value } }),
  );
}
