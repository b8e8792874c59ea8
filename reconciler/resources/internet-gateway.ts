import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  DeleteInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  type InternetGateway,
  paginateDescribeInternetGateways,
} from '@aws-sdk/client-ec2';
import { errorCode } from '../aws/errors.ts';
import { tagListToMap } from '../aws/tags.ts';
import { defineKind } from './kit/define-kind.ts';
import { detachInternetGateway } from './kit/detach-internet-gateway.ts';
import { collect } from './kit/paginate.ts';
import { step } from './kit/step.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule, ResourceContext } from './types.ts';

/** InternetGatewayProperties: the VPC the gateway is attached to (null when detached). */
export type InternetGatewayProperties = {
  vpcId: string | null;
};

/** INTERNET_GATEWAY_FIELDS: the attachment changes in place (detach, then attach). */
export const INTERNET_GATEWAY_FIELDS: Record<keyof InternetGatewayProperties, FieldRule> = {
  vpcId: 'update',
};

/** internetGatewayHandler manages internet gateways and their VPC attachment. */
export const internetGatewayHandler = defineKind<InternetGatewayProperties, InternetGateway>({
  kind: 'internet-gateway',
  fields: INTERNET_GATEWAY_FIELDS,
  after: ['vpc'],
  tagging: ec2Tagging,
  notFound: ['InvalidInternetGatewayID.NotFound'],
  iamActions: {
    read: ['ec2:DescribeInternetGateways'],
    write: [
      'ec2:CreateInternetGateway',
      'ec2:AttachInternetGateway',
      'ec2:DetachInternetGateway',
      'ec2:DeleteInternetGateway',
    ],
    scope: {
      arn: 'arn:aws:ec2:*:{account}:internet-gateway/*',
      create: ['ec2:CreateInternetGateway'],
    },
  },

  list: (ctx) =>
    collect(
      paginateDescribeInternetGateways({ client: ctx.clients.ec2 }, { Filters: stackFilters(ctx) }),
      (page) => page.InternetGateways,
    ),

  toObserved: (gateway) => ({
    id: gateway.InternetGatewayId ?? '',
    properties: {
      vpcId:
        gateway.Attachments?.find(
          ({ VpcId, State }) => VpcId && State !== 'detached' && State !== 'detaching',
        )?.VpcId ?? null,
    },
    tags: tagListToMap(gateway.Tags),
  }),

  /** A failed attach leaves a tagged, detached gateway: the next observe finds it and attaches it. */
  async create(ctx, desired) {
    const created = await ctx.clients.ec2.send(
      new CreateInternetGatewayCommand({
        TagSpecifications: tagSpecifications('internet-gateway', desired.tags),
      }),
    );
    const gatewayId = created.InternetGateway?.InternetGatewayId;
    if (!gatewayId) throw new Error('CreateInternetGateway returned no InternetGatewayId');
    const { vpcId } = desired.properties;
    if (vpcId) await attach(ctx, gatewayId, vpcId);
    return { id: gatewayId, properties: { vpcId }, tags: { ...desired.tags } };
  },

  updaters: {
    async vpcId(ctx, desired, observed) {
      const from = observed.properties.vpcId;
      const to = desired.properties.vpcId;
      if (from) await detachInternetGateway(ctx, observed.id, from);
      if (to) await attach(ctx, observed.id, to);
    },
  },

  async destroy(ctx, observed) {
    const { vpcId } = observed.properties;
    if (vpcId) await detachInternetGateway(ctx, observed.id, vpcId);
    await ctx.clients.ec2.send(
      new DeleteInternetGatewayCommand({ InternetGatewayId: observed.id }),
    );
  },
});

function attach(ctx: ResourceContext, gatewayId: string, vpcId: string) {
  return step(`cannot attach internet gateway ${gatewayId} to ${vpcId}`, async () => {
    try {
      await ctx.clients.ec2.send(
        new AttachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId }),
      );
    } catch (err) {
      // a retry of this attach whose answer was lost finds the gateway attached where asked
      if (errorCode(err) !== 'Resource.AlreadyAssociated') throw err;
      const described = await ctx.clients.ec2.send(
        new DescribeInternetGatewaysCommand({ InternetGatewayIds: [gatewayId] }),
      );
      const attachments = described.InternetGateways?.[0]?.Attachments ?? [];
      if (!attachments.some((attachment) => attachment.VpcId === vpcId)) throw err;
    }
  });
}
