import {
  CreateNatGatewayCommand,
  DeleteNatGatewayCommand,
  type NatGateway,
  paginateDescribeNatGateways,
} from '@aws-sdk/client-ec2';
import { errorCode } from '../aws/errors.ts';
import { tagListToMap } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { ResourceError } from './kit/errors.ts';
import { collect } from './kit/paginate.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule, ResourceStatus } from './types.ts';

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

function observedGateway(gateway: NatGateway): Live<NatGatewayProperties> | undefined {
  if (gateway.State === 'deleted') return undefined;
  return {
    id: gateway.NatGatewayId ?? '',
    properties: {
      subnetId: gateway.SubnetId ?? '',
      allocationId: gateway.NatGatewayAddresses?.[0]?.AllocationId ?? '',
      connectivityType: gateway.ConnectivityType === 'private' ? 'private' : 'public',
    },
    tags: tagListToMap(gateway.Tags),
    status: natGatewayStatus(gateway.State),
  };
}

/**
 * natGatewayHandler manages NAT gateways. Create returns at once with status pending while AWS
 * brings the gateway up; delete returns after DeleteNatGateway, the removal finishes in AWS.
 * It waits for the internet gateway its expansion depends on.
 */
export const natGatewayHandler = defineKind<NatGatewayProperties, NatGateway>({
  kind: 'nat-gateway',
  fields: NAT_GATEWAY_FIELDS,
  after: ['subnet', 'elastic-ip', 'internet-gateway'],
  tagging: ec2Tagging,
  notFound: ['InvalidNatGatewayID.NotFound', 'NatGatewayNotFound'],
  iamActions: {
    read: ['ec2:DescribeNatGateways'],
    write: ['ec2:CreateNatGateway', 'ec2:DeleteNatGateway'],
    scope: {
      arn: 'arn:aws:ec2:*:{account}:natgateway/*',
      create: ['ec2:CreateNatGateway'],
    },
  },

  list: (ctx) =>
    collect(
      paginateDescribeNatGateways(
        { client: ctx.clients.ec2 },
        { Filter: [...stackFilters(ctx), { Name: 'state', Values: LIVE_STATES }] },
      ),
      (page) => page.NatGateways,
    ),

  toObserved: observedGateway,

  /**
   * The pending or available gateways holding a desired one's Elastic IP: the SDK's retry of a
   * create whose answer was lost meets one when the cloud ignores the ClientToken the SDK sends
   * (AWS itself answers the retry with the first gateway).
   */
  async findByName(ctx, desired) {
    const subnetIds = desired.flatMap(({ properties }) =>
      typeof properties.subnetId === 'string' ? [properties.subnetId] : [],
    );
    if (subnetIds.length === 0) return [];
    const gateways = await collect(
      paginateDescribeNatGateways(
        { client: ctx.clients.ec2 },
        {
          Filter: [
            { Name: 'subnet-id', Values: subnetIds },
            { Name: 'state', Values: ['pending', 'available'] },
          ],
        },
      ),
      (page) => page.NatGateways,
    );
    return gateways.flatMap((gateway) => {
      const live = observedGateway(gateway);
      const wanted = desired.find(
        ({ properties }) =>
          properties.connectivityType === 'public' &&
          properties.subnetId === live?.properties.subnetId &&
          properties.allocationId === live?.properties.allocationId,
      );
      return live && wanted ? [{ ...live, address: wanted.address }] : [];
    });
  },
  alreadyExists: ['Resource.AlreadyAssociated'],

  async create(ctx, desired) {
    const properties = desired.properties;
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
        id: gateway.NatGatewayId,
        properties: { ...properties },
        tags: { ...desired.tags },
        status: natGatewayStatus(gateway.State),
      };
    } catch (err) {
      if (errorCode(err) !== 'Resource.AlreadyAssociated') throw err;
      throw new ResourceError(
        `cannot create ${desired.address}: elastic ip ${properties.allocationId} is still associated ` +
          '(a replaced nat gateway keeps it until its deletion completes); retry on the next run',
        { kind: 'nat-gateway', address: desired.address, operation: 'create', cause: err },
      );
    }
  },

  async destroy(ctx, observed) {
    await ctx.clients.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: observed.id }));
  },
});
