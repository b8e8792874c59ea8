import {
  CreateNatGatewayCommand,
  DeleteNatGatewayCommand,
  DescribeNatGatewaysCommand,
  type NatGateway,
} from '@aws-sdk/client-ec2';
import { errorCode } from '../aws/errors.ts';
import { tagListToMap } from '../aws/tags.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  applyTagChanges,
  describeError,
  ignoreNotFound,
  ownerOf,
  paginate,
  releaseOwnership,
  stackFilters,
  tagSpecifications,
} from './ec2-common.ts';
import type {
  FieldRule,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
  ResourceStatus,
} from './types.ts';

/** NatGatewayProperties: a public NAT gateway in a public subnet with one elastic IP. */
export type NatGatewayProperties = {
  subnetId: string;
  allocationId: string;
  connectivityType: 'public' | 'private';
};

/** NAT_GATEWAY_FIELDS: nothing of a NAT gateway changes in place. */
export const NAT_GATEWAY_FIELDS: Record<keyof NatGatewayProperties, FieldRule> = {
  subnetId: 'replace',
  allocationId: 'replace',
  connectivityType: 'replace',
};

const KIND = 'nat-gateway';

/** LIVE_STATES excludes `deleted`: AWS (and moto) keep listing deleted NAT gateways for a while. */
const LIVE_STATES = ['pending', 'available', 'deleting', 'failed'];

/** natGatewayStatus maps a NAT gateway state to the engine's status (pending is requeued, never awaited). */
export function natGatewayStatus(state: string | undefined): ResourceStatus {
  switch (state) {
    case 'available':
      return 'ready';
    case 'deleting':
    case 'deleted':
      return 'deleting';
    case 'failed':
      return 'failed';
    default:
      return 'pending';
  }
}

function toObserved(
  ctx: ResourceContext,
  gateway: NatGateway,
): ObservedResource<NatGatewayProperties> | undefined {
  const tags = tagListToMap(gateway.Tags);
  const owner = ownerOf(ctx, KIND, tags);
  if (!owner || !gateway.NatGatewayId || gateway.State === 'deleted') return undefined;
  return {
    address: owner.address,
    kind: KIND,
    stack: owner.stack,
    id: gateway.NatGatewayId,
    properties: {
      subnetId: gateway.SubnetId ?? '',
      allocationId: gateway.NatGatewayAddresses?.[0]?.AllocationId ?? '',
      connectivityType: gateway.ConnectivityType === 'private' ? 'private' : 'public',
    },
    tags,
    status: natGatewayStatus(gateway.State),
    attributes: { id: gateway.NatGatewayId },
  };
}

/**
 * natGatewayHandler manages NAT gateways. Create returns at once with status pending while AWS
 * brings the gateway up; delete returns after DeleteNatGateway, the removal finishes in AWS.
 */
export const natGatewayHandler: ResourceHandler<NatGatewayProperties> = {
  kind: KIND,
  fields: NAT_GATEWAY_FIELDS,

  async observeAll(ctx) {
    if (ctx.stacks.length === 0) return [];
    const gateways = await paginate(async (NextToken) => {
      const page = await ctx.clients.ec2.send(
        new DescribeNatGatewaysCommand({
          Filter: [...stackFilters(ctx), { Name: 'state', Values: LIVE_STATES }],
          NextToken,
        }),
      );
      return { items: page.NatGateways, nextToken: page.NextToken };
    });
    return gateways
      .map((gateway) => toObserved(ctx, gateway))
      .filter((found) => found !== undefined);
  },

  diff(desired, observed, desiredTags, observedTags): FieldChange[] {
    return [
      ...diffProperties(desired, observed, NAT_GATEWAY_FIELDS),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired) {
    const properties = { ...desired.properties };
    try {
      const created = await ctx.clients.ec2.send(
        new CreateNatGatewayCommand({
          SubnetId: properties.subnetId,
          ...(properties.connectivityType === 'public'
            ? { AllocationId: properties.allocationId }
            : {}),
          ConnectivityType: properties.connectivityType,
          TagSpecifications: tagSpecifications('natgateway', desired.tags),
        }),
      );
      const gateway = created.NatGateway;
      if (!gateway?.NatGatewayId) throw new Error('CreateNatGateway returned no NatGatewayId');
      return {
        address: desired.address,
        kind: KIND,
        stack: desired.stack,
        id: gateway.NatGatewayId,
        properties,
        tags: { ...desired.tags },
        status: natGatewayStatus(gateway.State),
        attributes: { id: gateway.NatGatewayId },
      };
    } catch (err) {
      const action = `cannot create nat gateway ${desired.address} in subnet ${properties.subnetId}`;
      if (errorCode(err) === 'Resource.AlreadyAssociated') {
        throw describeError(
          `${action}: elastic ip ${properties.allocationId} is still associated (a replaced nat gateway keeps it until its deletion completes); retry on the next run`,
          err,
        );
      }
      throw describeError(action, err);
    }
  },

  async update(ctx, desired, observed, changes) {
    const tags = await applyTagChanges(ctx, observed.id, desired.tags, observed.tags, changes);
    return { ...observed, tags };
  },

  async delete(ctx, observed, { deletionPolicy }) {
    if (deletionPolicy === 'retain') {
      await releaseOwnership(ctx, observed.id, observed.tags);
      return;
    }
    try {
      await ignoreNotFound(() =>
        ctx.clients.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: observed.id })),
      );
    } catch (err) {
      throw describeError(`cannot delete nat gateway ${observed.id}`, err);
    }
  },
};
