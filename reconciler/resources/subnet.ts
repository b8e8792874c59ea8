import {
  CreateSubnetCommand,
  DeleteSubnetCommand,
  DescribeSubnetsCommand,
  ModifySubnetAttributeCommand,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { tagListToMap } from '../aws/tags.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  applyTagChanges,
  changedFields,
  describeError,
  ignoreNotFound,
  ownerOf,
  paginate,
  releaseOwnership,
  stackFilters,
  tagSpecifications,
} from './ec2-common.ts';
import type { FieldRule, ObservedResource, ResourceContext, ResourceHandler } from './types.ts';

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

const KIND = 'subnet';

function toObserved(
  ctx: ResourceContext,
  subnet: Subnet,
): ObservedResource<SubnetProperties> | undefined {
  const tags = tagListToMap(subnet.Tags);
  const owner = ownerOf(ctx, KIND, tags);
  if (!owner || !subnet.SubnetId) return undefined;
  const availabilityZone = subnet.AvailabilityZone ?? '';
  return {
    address: owner.address,
    kind: KIND,
    stack: owner.stack,
    id: subnet.SubnetId,
    properties: {
      vpcId: subnet.VpcId ?? '',
      cidrBlock: subnet.CidrBlock ?? '',
      availabilityZone,
      mapPublicIpOnLaunch: subnet.MapPublicIpOnLaunch ?? false,
    },
    tags,
    status: subnet.State === 'pending' ? 'pending' : 'ready',
    attributes: { id: subnet.SubnetId, availabilityZone },
  };
}

async function setMapPublicIp(ctx: ResourceContext, subnetId: string, value: boolean) {
  await ctx.clients.ec2.send(
    new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: value } }),
  );
}

/** subnetHandler manages subnets: one paginated, tag-filtered DescribeSubnets per observe. */
export const subnetHandler: ResourceHandler<SubnetProperties> = {
  kind: KIND,
  fields: SUBNET_FIELDS,

  async observeAll(ctx) {
    if (ctx.stacks.length === 0) return [];
    const subnets = await paginate(async (NextToken) => {
      const page = await ctx.clients.ec2.send(
        new DescribeSubnetsCommand({ Filters: stackFilters(ctx), NextToken }),
      );
      return { items: page.Subnets, nextToken: page.NextToken };
    });
    return subnets.map((subnet) => toObserved(ctx, subnet)).filter((found) => found !== undefined);
  },

  diff(desired, observed, desiredTags, observedTags): FieldChange[] {
    return [
      ...diffProperties(desired, observed, SUBNET_FIELDS),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired) {
    const properties = { ...desired.properties };
    let subnetId: string;
    try {
      const created = await ctx.clients.ec2.send(
        new CreateSubnetCommand({
          VpcId: properties.vpcId,
          CidrBlock: properties.cidrBlock,
          AvailabilityZone: properties.availabilityZone,
          TagSpecifications: tagSpecifications('subnet', desired.tags),
        }),
      );
      subnetId = created.Subnet?.SubnetId ?? '';
      if (!subnetId) throw new Error('CreateSubnet returned no SubnetId');
    } catch (err) {
      throw describeError(
        `cannot create subnet ${desired.address} (${properties.cidrBlock} in ${properties.availabilityZone})`,
        err,
      );
    }
    if (properties.mapPublicIpOnLaunch) {
      try {
        await setMapPublicIp(ctx, subnetId, true);
      } catch (err) {
        throw describeError(`cannot enable public ips on subnet ${subnetId}`, err);
      }
    }
    return {
      address: desired.address,
      kind: KIND,
      stack: desired.stack,
      id: subnetId,
      properties,
      tags: { ...desired.tags },
      status: 'ready',
      attributes: { id: subnetId, availabilityZone: properties.availabilityZone },
    };
  },

  async update(ctx, desired, observed, changes) {
    const properties = { ...observed.properties };
    if (changedFields(changes).has('mapPublicIpOnLaunch')) {
      try {
        await setMapPublicIp(ctx, observed.id, desired.properties.mapPublicIpOnLaunch);
      } catch (err) {
        throw describeError(`cannot update mapPublicIpOnLaunch of subnet ${observed.id}`, err);
      }
      properties.mapPublicIpOnLaunch = desired.properties.mapPublicIpOnLaunch;
    }
    const tags = await applyTagChanges(ctx, observed.id, desired.tags, observed.tags, changes);
    return { ...observed, properties, tags };
  },

  async delete(ctx, observed, { deletionPolicy }) {
    if (deletionPolicy === 'retain') {
      await releaseOwnership(ctx, observed.id, observed.tags);
      return;
    }
    try {
      await ignoreNotFound(() =>
        ctx.clients.ec2.send(new DeleteSubnetCommand({ SubnetId: observed.id })),
      );
    } catch (err) {
      throw describeError(`cannot delete subnet ${observed.id}`, err);
    }
  },
};
