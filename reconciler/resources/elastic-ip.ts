import {
  type Address,
  AllocateAddressCommand,
  DescribeAddressesCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { errorCode } from '../aws/errors.ts';
import { tagListToMap } from '../aws/tags.ts';
import { defineKind } from './kit/define-kind.ts';
import { ResourceError } from './kit/errors.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule, ObservedResource } from './types.ts';

/** ElasticIpProperties: an elastic IP has nothing to configure but its domain (always vpc). */
export type ElasticIpProperties = {
  domain: 'vpc';
};

/** ELASTIC_IP_FIELDS: a different domain needs a new address. */
export const ELASTIC_IP_FIELDS: Record<keyof ElasticIpProperties, FieldRule> = {
  domain: 'replace',
};

/** elasticIpHandler manages VPC elastic IPs (the NAT gateways' addresses): one DescribeAddresses per observe. */
export const elasticIpHandler = defineKind<ElasticIpProperties, Address>({
  kind: 'elastic-ip',
  fields: ELASTIC_IP_FIELDS,
  tagging: ec2Tagging,
  notFound: ['InvalidAllocationID.NotFound'],
  iamActions: {
    read: ['ec2:DescribeAddresses'],
    write: ['ec2:AllocateAddress', 'ec2:ReleaseAddress'],
    scope: {
      arn: 'arn:aws:ec2:*:{account}:elastic-ip/*',
      create: ['ec2:AllocateAddress'],
    },
  },

  // DescribeAddresses is not paginated: it returns every matching address at once.
  list: async (ctx) =>
    (await ctx.clients.ec2.send(new DescribeAddressesCommand({ Filters: stackFilters(ctx) })))
      .Addresses ?? [],

  toObserved: (address) => ({
    id: address.AllocationId ?? '',
    properties: { domain: 'vpc' },
    tags: tagListToMap(address.Tags),
    attributes: { publicIp: address.PublicIp ?? '' },
  }),

  async create(ctx, desired) {
    const allocated = await ctx.clients.ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        TagSpecifications: tagSpecifications('elastic-ip', desired.tags),
      }),
    );
    if (!allocated.AllocationId) throw new Error('AllocateAddress returned no AllocationId');
    return {
      id: allocated.AllocationId,
      properties: { domain: 'vpc' },
      tags: { ...desired.tags },
      attributes: { publicIp: allocated.PublicIp ?? '' },
    };
  },

  /** An address still associated is not released: the error is retryable, the next run releases it. */
  async destroy(ctx, observed) {
    const described = await ctx.clients.ec2.send(
      new DescribeAddressesCommand({ AllocationIds: [observed.id] }),
    );
    const current = described.Addresses?.[0];
    if (!current) return;
    const association = current.AssociationId ?? current.NetworkInterfaceId;
    if (association) throw stillAssociated(observed, association);
    try {
      await ctx.clients.ec2.send(new ReleaseAddressCommand({ AllocationId: observed.id }));
    } catch (err) {
      if (errorCode(err) !== 'InvalidIPAddress.InUse') throw err;
      throw stillAssociated(observed, 'a network interface', err);
    }
  },
});

function stillAssociated(
  observed: ObservedResource<ElasticIpProperties>,
  association: string,
  cause?: unknown,
): ResourceError {
  return new ResourceError(
    `cannot release elastic ip ${observed.id}: still associated with ${association} ` +
      '(a nat gateway that is being deleted keeps its address until it is gone); retry on the next run',
    {
      kind: 'elastic-ip',
      address: observed.address,
      operation: 'delete',
      disposition: 'retryable',
      cause,
    },
  );
}
