import {
  CreateVpcCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeVpcAttributeCommand,
  ModifyVpcAttributeCommand,
  paginateDescribeVpcs,
  type Vpc,
  type VpcAttributeName,
} from '@aws-sdk/client-ec2';
import { TAG_STACK, tagListToMap } from '../aws/tags.ts';
import { defineKind } from './kit/define-kind.ts';
import { detachInternetGateway } from './kit/detach-internet-gateway.ts';
import { isGone } from './kit/errors.ts';
import { collect } from './kit/paginate.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule, ResourceContext } from './types.ts';

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

type DnsAttribute = 'enableDnsSupport' | 'enableDnsHostnames';
const NOT_FOUND = ['InvalidVpcID.NotFound'];

/**
 * vpcHandler manages the stack's VPC. Observe is one paginated DescribeVpcs for all stacks
 * plus, per VPC, two DescribeVpcAttribute calls in parallel: EC2 returns the DNS attributes
 * only one VPC and one attribute at a time.
 */
export const vpcHandler = defineKind<
  VpcProperties,
  { vpc: Vpc; dns: Record<DnsAttribute, boolean> }
>({
  kind: 'vpc',
  fields: VPC_FIELDS,
  tagging: ec2Tagging,
  notFound: NOT_FOUND,
  iamActions: {
    read: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeInternetGateways'],
    write: [
      'ec2:CreateVpc',
      'ec2:ModifyVpcAttribute',
      'ec2:DetachInternetGateway',
      'ec2:DeleteVpc',
    ],
  },

  async list(ctx) {
    const vpcs = await collect(
      paginateDescribeVpcs({ client: ctx.clients.ec2 }, { Filters: stackFilters(ctx) }),
      (page) => page.Vpcs,
    );
    const read = await Promise.all(
      vpcs.map(async (vpc) => {
        try {
          return { vpc, dns: await describeDns(ctx, vpc.VpcId ?? '') };
        } catch (err) {
          // Deleted between the two reads: it is gone, not an error.
          if (isGone(err, NOT_FOUND)) return undefined;
          throw err;
        }
      }),
    );
    return read.filter((live) => live !== undefined);
  },

  toObserved: ({ vpc, dns }) => ({
    id: vpc.VpcId ?? '',
    properties: { cidrBlock: vpc.CidrBlock ?? '', ...dns },
    tags: tagListToMap(vpc.Tags),
    status: vpc.State === 'pending' ? 'pending' : 'ready',
    attributes: { cidrBlock: vpc.CidrBlock ?? '' },
  }),

  async create(ctx, desired) {
    const { cidrBlock, enableDnsSupport, enableDnsHostnames } = desired.properties;
    const created = await ctx.clients.ec2.send(
      new CreateVpcCommand({
        CidrBlock: cidrBlock,
        TagSpecifications: tagSpecifications('vpc', desired.tags),
      }),
    );
    const vpcId = created.Vpc?.VpcId;
    if (!vpcId) throw new Error('CreateVpc returned no VpcId');
    // AWS defaults: DNS support on, DNS host names off.
    if (!enableDnsSupport) await setDns(ctx, vpcId, 'enableDnsSupport', false);
    if (enableDnsHostnames) await setDns(ctx, vpcId, 'enableDnsHostnames', true);
    return {
      id: vpcId,
      properties: { ...desired.properties },
      tags: { ...desired.tags },
      attributes: { cidrBlock },
    };
  },

  // Host names need DNS support: support is turned on first and off last.
  async update(ctx, desired, observed, fields) {
    const { enableDnsSupport, enableDnsHostnames } = desired.properties;
    const support = fields.has('enableDnsSupport');
    if (support && enableDnsSupport) await setDns(ctx, observed.id, 'enableDnsSupport', true);
    if (fields.has('enableDnsHostnames')) {
      await setDns(ctx, observed.id, 'enableDnsHostnames', enableDnsHostnames);
    }
    if (support && !enableDnsSupport) await setDns(ctx, observed.id, 'enableDnsSupport', false);
  },

  /**
   * When the VPC is replaced (new CIDR) its internet gateway is only moved to the new VPC, after
   * the old one is deleted; AWS refuses to delete a VPC with a gateway attached, so the stack's
   * own gateways are detached first. Gateways of anyone else are left alone.
   */
  async destroy(ctx, observed) {
    const attached = await ctx.clients.ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [
          { Name: 'attachment.vpc-id', Values: [observed.id] },
          { Name: `tag:${TAG_STACK}`, Values: [observed.stack] },
        ],
      }),
    );
    for (const { InternetGatewayId } of attached.InternetGateways ?? []) {
      if (InternetGatewayId) await detachInternetGateway(ctx, InternetGatewayId, observed.id);
    }
    await ctx.clients.ec2.send(new DeleteVpcCommand({ VpcId: observed.id }));
  },
});

async function describeDns(
  ctx: ResourceContext,
  vpcId: string,
): Promise<Record<DnsAttribute, boolean>> {
  const read = (Attribute: VpcAttributeName) =>
    ctx.clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute }));
  const [support, hostnames] = await Promise.all([
    read('enableDnsSupport'),
    read('enableDnsHostnames'),
  ]);
  return {
    enableDnsSupport: support.EnableDnsSupport?.Value ?? false,
    enableDnsHostnames: hostnames.EnableDnsHostnames?.Value ?? false,
  };
}

/** setDns changes one DNS attribute: ModifyVpcAttribute takes one attribute per call. */
async function setDns(
  ctx: ResourceContext,
  vpcId: string,
  attribute: DnsAttribute,
  value: boolean,
): Promise<void> {
  const input =
    attribute === 'enableDnsSupport'
      ? { VpcId: vpcId, EnableDnsSupport: { Value: value } }
      : { VpcId: vpcId, EnableDnsHostnames: { Value: value } };
  await ctx.clients.ec2.send(new ModifyVpcAttributeCommand(input));
}
