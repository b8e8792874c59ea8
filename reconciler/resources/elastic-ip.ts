import {
  type Address,
  AllocateAddressCommand,
  DescribeAddressesCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { errorCode, isNotFound } from '../aws/errors.ts';
import { tagListToMap } from '../aws/tags.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  applyTagChanges,
  describeError,
  ownerOf,
  releaseOwnership,
  stackFilters,
  tagSpecifications,
} from './ec2-common.ts';
import type { FieldRule, ObservedResource, ResourceContext, ResourceHandler } from './types.ts';

/** ElasticIpProperties: an elastic IP has nothing to configure but its domain (always vpc). */
export type ElasticIpProperties = {
  domain: 'vpc';
};

/** ELASTIC_IP_FIELDS: a different domain needs a new address. */
export const ELASTIC_IP_FIELDS: Record<keyof ElasticIpProperties, FieldRule> = {
  domain: 'replace',
};

const KIND = 'elastic-ip';

function toObserved(
  ctx: ResourceContext,
  address: Address,
): ObservedResource<ElasticIpProperties> | undefined {
  const tags = tagListToMap(address.Tags);
  const owner = ownerOf(ctx, KIND, tags);
  if (!owner || !address.AllocationId) return undefined;
  return {
    address: owner.address,
    kind: KIND,
    stack: owner.stack,
    id: address.AllocationId,
    properties: { domain: 'vpc' },
    tags,
    status: 'ready',
    attributes: { id: address.AllocationId, publicIp: address.PublicIp ?? '' },
  };
}

function stillAssociated(allocationId: string, association: string): Error {
  return new Error(
    `cannot release elastic ip ${allocationId}: still associated with ${association} ` +
      '(a nat gateway that is being deleted keeps its address until it is gone); retry on the next run',
  );
}

/** elasticIpHandler manages VPC elastic IPs (the NAT gateways' addresses): one DescribeAddresses per observe. */
export const elasticIpHandler: ResourceHandler<ElasticIpProperties> = {
  kind: KIND,
  fields: ELASTIC_IP_FIELDS,

  async observeAll(ctx) {
    if (ctx.stacks.length === 0) return [];
    // DescribeAddresses is not paginated: it returns every matching address at once.
    const described = await ctx.clients.ec2.send(
      new DescribeAddressesCommand({ Filters: stackFilters(ctx) }),
    );
    return (described.Addresses ?? [])
      .map((address) => toObserved(ctx, address))
      .filter((found) => found !== undefined);
  },

  diff(desired, observed, desiredTags, observedTags): FieldChange[] {
    return [
      ...diffProperties(desired, observed, ELASTIC_IP_FIELDS),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired) {
    try {
      const allocated = await ctx.clients.ec2.send(
        new AllocateAddressCommand({
          Domain: 'vpc',
          TagSpecifications: tagSpecifications('elastic-ip', desired.tags),
        }),
      );
      const allocationId = allocated.AllocationId ?? '';
      if (!allocationId) throw new Error('AllocateAddress returned no AllocationId');
      return {
        address: desired.address,
        kind: KIND,
        stack: desired.stack,
        id: allocationId,
        properties: { domain: 'vpc' },
        tags: { ...desired.tags },
        status: 'ready',
        attributes: { id: allocationId, publicIp: allocated.PublicIp ?? '' },
      };
    } catch (err) {
      throw describeError(`cannot allocate elastic ip ${desired.address}`, err);
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
    let current: Address | undefined;
    try {
      const described = await ctx.clients.ec2.send(
        new DescribeAddressesCommand({ AllocationIds: [observed.id] }),
      );
      current = described.Addresses?.[0];
    } catch (err) {
      if (isNotFound(err)) return;
      throw describeError(`cannot describe elastic ip ${observed.id}`, err);
    }
    if (!current) return;
    const association = current.AssociationId ?? current.NetworkInterfaceId;
    if (association) throw stillAssociated(observed.id, association);
    try {
      await ctx.clients.ec2.send(new ReleaseAddressCommand({ AllocationId: observed.id }));
    } catch (err) {
      if (isNotFound(err)) return;
      if (errorCode(err) === 'InvalidIPAddress.InUse') {
        throw new Error(stillAssociated(observed.id, 'a network interface').message, {
          cause: err,
        });
      }
      throw describeError(`cannot release elastic ip ${observed.id}`, err);
    }
  },
};
