import {
  CreateVpcCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  ModifyVpcAttributeCommand,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { errorCode, isNotFound } from '../aws/errors.ts';
import { TAG_STACK, tagListToMap } from '../aws/tags.ts';
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

/** VpcProperties: the VPC's CIDR and its two DNS attributes. */
export type VpcProperties = {
  cidrBlock: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
};

/** VPC_FIELDS: the CIDR cannot change in place; the DNS attributes can (ModifyVpcAttribute). */
export const VPC_FIELDS: Record<keyof VpcProperties, FieldRule> = {
  cidrBlock: 'replace',
  enableDnsSupport: 'update',
  enableDnsHostnames: 'update',
};

const KIND = 'vpc';

function toObserved(
  ctx: ResourceContext,
  vpc: Vpc,
  dns: { enableDnsSupport: boolean; enableDnsHostnames: boolean },
): ObservedResource<VpcProperties> | undefined {
  const tags = tagListToMap(vpc.Tags);
  const owner = ownerOf(ctx, KIND, tags);
  if (!owner || !vpc.VpcId) return undefined;
  const cidrBlock = vpc.CidrBlock ?? '';
  return {
    address: owner.address,
    kind: KIND,
    stack: owner.stack,
    id: vpc.VpcId,
    properties: { cidrBlock, ...dns },
    tags,
    status: vpc.State === 'pending' ? 'pending' : 'ready',
    attributes: { id: vpc.VpcId, cidrBlock },
  };
}

async function describeDns(
  ctx: ResourceContext,
  vpcId: string,
): Promise<{ enableDnsSupport: boolean; enableDnsHostnames: boolean }> {
  const [support, hostnames] = await Promise.all([
    ctx.clients.ec2.send(
      new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }),
    ),
    ctx.clients.ec2.send(
      new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }),
    ),
  ]);
  return {
    enableDnsSupport: support.EnableDnsSupport?.Value ?? false,
    enableDnsHostnames: hostnames.EnableDnsHostnames?.Value ?? false,
  };
}

async function modifyDns(
  ctx: ResourceContext,
  vpcId: string,
  attribute: 'enableDnsSupport' | 'enableDnsHostnames',
  value: boolean,
): Promise<void> {
  // ModifyVpcAttribute accepts one attribute per call.
  const input =
    attribute === 'enableDnsSupport'
      ? { VpcId: vpcId, EnableDnsSupport: { Value: value } }
      : { VpcId: vpcId, EnableDnsHostnames: { Value: value } };
  await ctx.clients.ec2.send(new ModifyVpcAttributeCommand(input));
}

/**
 * detachOwnInternetGateways detaches the stack's internet gateways from a VPC about to be deleted.
 * When the VPC is replaced (new CIDR) the gateway is only updated (moved to the new VPC), which
 * happens after the old VPC is deleted; AWS refuses to delete a VPC with a gateway attached, so
 * the delete detaches it first. Gateways of anyone else are left alone.
 */
async function detachOwnInternetGateways(
  ctx: ResourceContext,
  vpcId: string,
  stack: string,
): Promise<void> {
  try {
    const described = await ctx.clients.ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [
          { Name: 'attachment.vpc-id', Values: [vpcId] },
          { Name: `tag:${TAG_STACK}`, Values: [stack] },
        ],
      }),
    );
    for (const gateway of described.InternetGateways ?? []) {
      if (!gateway.InternetGatewayId) continue;
      try {
        await ctx.clients.ec2.send(
          new DetachInternetGatewayCommand({
            InternetGatewayId: gateway.InternetGatewayId,
            VpcId: vpcId,
          }),
        );
      } catch (err) {
        if (errorCode(err) !== 'Gateway.NotAttached' && !isNotFound(err)) throw err;
      }
    }
  } catch (err) {
    throw describeError(
      `cannot detach internet gateways from vpc ${vpcId} before deleting it`,
      err,
    );
  }
}

/**
 * vpcHandler manages the stack's VPC. Observe is one paginated DescribeVpcs for all stacks
 * plus, per owned VPC, two DescribeVpcAttribute calls in parallel: EC2 returns the DNS
 * attributes only one VPC and one attribute at a time.
 */
export const vpcHandler: ResourceHandler<VpcProperties> = {
  kind: KIND,
  fields: VPC_FIELDS,

  async observeAll(ctx) {
    if (ctx.stacks.length === 0) return [];
    const vpcs = await paginate(async (NextToken) => {
      const page = await ctx.clients.ec2.send(
        new DescribeVpcsCommand({ Filters: stackFilters(ctx), NextToken }),
      );
      return { items: page.Vpcs, nextToken: page.NextToken };
    });
    const owned = vpcs.filter(
      (vpc) => vpc.VpcId && ownerOf(ctx, KIND, tagListToMap(vpc.Tags)) !== undefined,
    );
    const observed = await Promise.all(
      owned.map(async (vpc) => {
        try {
          return toObserved(ctx, vpc, await describeDns(ctx, vpc.VpcId!));
        } catch (err) {
          // Deleted between the two reads: it is gone, not an error.
          if (isNotFound(err)) return undefined;
          throw describeError(`cannot read dns attributes of vpc ${vpc.VpcId}`, err);
        }
      }),
    );
    return observed.filter((resource) => resource !== undefined);
  },

  diff(desired, observed, desiredTags, observedTags): FieldChange[] {
    return [
      ...diffProperties(desired, observed, VPC_FIELDS),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired) {
    const { cidrBlock, enableDnsSupport, enableDnsHostnames } = desired.properties;
    let vpcId: string;
    try {
      const created = await ctx.clients.ec2.send(
        new CreateVpcCommand({
          CidrBlock: cidrBlock,
          TagSpecifications: tagSpecifications('vpc', desired.tags),
        }),
      );
      vpcId = created.Vpc?.VpcId ?? '';
      if (!vpcId) throw new Error('CreateVpc returned no VpcId');
    } catch (err) {
      throw describeError(`cannot create vpc ${desired.address} (${cidrBlock})`, err);
    }
    try {
      // AWS defaults: DNS support on, DNS host names off.
      if (!enableDnsSupport) await modifyDns(ctx, vpcId, 'enableDnsSupport', false);
      if (enableDnsHostnames) await modifyDns(ctx, vpcId, 'enableDnsHostnames', true);
    } catch (err) {
      throw describeError(`cannot set dns attributes of vpc ${vpcId}`, err);
    }
    return {
      address: desired.address,
      kind: KIND,
      stack: desired.stack,
      id: vpcId,
      properties: { cidrBlock, enableDnsSupport, enableDnsHostnames },
      tags: { ...desired.tags },
      status: 'ready',
      attributes: { id: vpcId, cidrBlock },
    };
  },

  async update(ctx, desired, observed, changes) {
    const fields = changedFields(changes);
    const properties = { ...observed.properties };
    try {
      // Hostnames need DNS support: turn support on first and off last.
      if (fields.has('enableDnsSupport') && desired.properties.enableDnsSupport) {
        await modifyDns(ctx, observed.id, 'enableDnsSupport', true);
        properties.enableDnsSupport = true;
      }
      if (fields.has('enableDnsHostnames')) {
        await modifyDns(
          ctx,
          observed.id,
          'enableDnsHostnames',
          desired.properties.enableDnsHostnames,
        );
        properties.enableDnsHostnames = desired.properties.enableDnsHostnames;
      }
      if (fields.has('enableDnsSupport') && !desired.properties.enableDnsSupport) {
        await modifyDns(ctx, observed.id, 'enableDnsSupport', false);
        properties.enableDnsSupport = false;
      }
    } catch (err) {
      throw describeError(`cannot update dns attributes of vpc ${observed.id}`, err);
    }
    const tags = await applyTagChanges(ctx, observed.id, desired.tags, observed.tags, changes);
    return { ...observed, properties, tags };
  },

  async delete(ctx, observed, { deletionPolicy }) {
    if (deletionPolicy === 'retain') {
      await releaseOwnership(ctx, observed.id, observed.tags);
      return;
    }
    await detachOwnInternetGateways(ctx, observed.id, observed.stack);
    try {
      await ignoreNotFound(() =>
        ctx.clients.ec2.send(new DeleteVpcCommand({ VpcId: observed.id })),
      );
    } catch (err) {
      throw describeError(`cannot delete vpc ${observed.id}`, err);
    }
  },
};
