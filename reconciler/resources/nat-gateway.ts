import {
  CreateNatGatewayCommand,
  DeleteNatGatewayCommand,
  type NatGateway,
  paginateDescribeNatGateways,
} from '@aws-sdk/client-ec2';
import { errorCode } from '../aws/errors.ts';
import { tagListToMap } from '../aws/tags.ts';
import { defineKind } from './kit/define-kind.ts';
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
  },

  list: (ctx) =>
    collect(
      paginateDescribeNatGateways(
        { client: ctx.clients.ec2 },
        { Filter: [...stackFilters(ctx), { Name: 'state', Values: LIVE_STATES }] },
      ),
      (page) => page.NatGateways,
    ),

  toObserved: (gateway) =>
    gateway.State === 'deleted'
      ? undefined
      : {
          id: gateway.NatGatewayId ?? '',
          properties: {
            subnetId: gateway.SubnetId ?? '',
            allocationId: gateway.NatGatewayAddresses?.[0]?.AllocationId ?? '',
            connectivityType: gateway.ConnectivityType === 'private' ? 'private' : 'public',
          },
          tags: tagListToMap(gateway.Tags),
          status: natGatewayStatus(gateway.State),
        },

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
