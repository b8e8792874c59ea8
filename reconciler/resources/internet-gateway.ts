import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  DeleteInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  DetachInternetGatewayCommand,
  type InternetGateway,
} from '@aws-sdk/client-ec2';
import { errorCode, isNotFound } from '../aws/errors.ts';
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

/** InternetGatewayProperties: the VPC the gateway is attached to (null when detached). */
export type InternetGatewayProperties = {
  vpcId: string | null;
};

/** INTERNET_GATEWAY_FIELDS: the attachment changes in place (detach, then attach). */
export const INTERNET_GATEWAY_FIELDS: Record<keyof InternetGatewayProperties, FieldRule> = {
  vpcId: 'update',
};

const KIND = 'internet-gateway';

function attachedVpc(gateway: InternetGateway): string | null {
  const attachment = gateway.Attachments?.find(
    (candidate) =>
      candidate.VpcId && candidate.State !== 'detached' && candidate.State !== 'detaching',
  );
  return attachment?.VpcId ?? null;
}

function toObserved(
  ctx: ResourceContext,
  gateway: InternetGateway,
): ObservedResource<InternetGatewayProperties> | undefined {
  const tags = tagListToMap(gateway.Tags);
  const owner = ownerOf(ctx, KIND, tags);
  if (!owner || !gateway.InternetGatewayId) return undefined;
  return {
    address: owner.address,
    kind: KIND,
    stack: owner.stack,
    id: gateway.InternetGatewayId,
    properties: { vpcId: attachedVpc(gateway) },
    tags,
    status: 'ready',
    attributes: { id: gateway.InternetGatewayId },
  };
}

async function detach(ctx: ResourceContext, gatewayId: string, vpcId: string): Promise<void> {
  try {
    await ctx.clients.ec2.send(
      new DetachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId }),
    );
  } catch (err) {
    // Already detached or gone: the goal is reached.
    if (errorCode(err) === 'Gateway.NotAttached' || isNotFound(err)) return;
    throw describeError(`cannot detach internet gateway ${gatewayId} from ${vpcId}`, err);
  }
}

async function attach(ctx: ResourceContext, gatewayId: string, vpcId: string): Promise<void> {
  try {
    await ctx.clients.ec2.send(
      new AttachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId }),
    );
  } catch (err) {
    throw describeError(`cannot attach internet gateway ${gatewayId} to ${vpcId}`, err);
  }
}

/** internetGatewayHandler manages internet gateways and their VPC attachment. */
export const internetGatewayHandler: ResourceHandler<InternetGatewayProperties> = {
  kind: KIND,
  fields: INTERNET_GATEWAY_FIELDS,

  async observeAll(ctx) {
    if (ctx.stacks.length === 0) return [];
    const gateways = await paginate(async (NextToken) => {
      const page = await ctx.clients.ec2.send(
        new DescribeInternetGatewaysCommand({ Filters: stackFilters(ctx), NextToken }),
      );
      return { items: page.InternetGateways, nextToken: page.NextToken };
    });
    return gateways
      .map((gateway) => toObserved(ctx, gateway))
      .filter((found) => found !== undefined);
  },

  diff(desired, observed, desiredTags, observedTags): FieldChange[] {
    return [
      ...diffProperties(desired, observed, INTERNET_GATEWAY_FIELDS),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired) {
    let gatewayId: string;
    try {
      const created = await ctx.clients.ec2.send(
        new CreateInternetGatewayCommand({
          TagSpecifications: tagSpecifications('internet-gateway', desired.tags),
        }),
      );
      gatewayId = created.InternetGateway?.InternetGatewayId ?? '';
      if (!gatewayId) throw new Error('CreateInternetGateway returned no InternetGatewayId');
    } catch (err) {
      throw describeError(`cannot create internet gateway ${desired.address}`, err);
    }
    const { vpcId } = desired.properties;
    if (vpcId) await attach(ctx, gatewayId, vpcId);
    return {
      address: desired.address,
      kind: KIND,
      stack: desired.stack,
      id: gatewayId,
      properties: { vpcId },
      tags: { ...desired.tags },
      status: 'ready',
      attributes: { id: gatewayId },
    };
  },

  async update(ctx, desired, observed, changes) {
    const properties = { ...observed.properties };
    if (changedFields(changes).has('vpcId')) {
      if (observed.properties.vpcId) await detach(ctx, observed.id, observed.properties.vpcId);
      properties.vpcId = null;
      if (desired.properties.vpcId) {
        await attach(ctx, observed.id, desired.properties.vpcId);
        properties.vpcId = desired.properties.vpcId;
      }
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
      if (observed.properties.vpcId) {
        await detach(ctx, observed.id, observed.properties.vpcId);
      }
      await ignoreNotFound(() =>
        ctx.clients.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: observed.id })),
      );
    } catch (err) {
      throw describeError(`cannot delete internet gateway ${observed.id}`, err);
    }
  },
};
