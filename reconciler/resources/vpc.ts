import {
  CreateVpcCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeVpcAttributeCommand,
  type DescribeVpcAttributeResult,
  ModifyVpcAttributeCommand,
  paginateDescribeVpcs,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { TAG_STACK, tagListToMap } from '../aws/tags.ts';
import { defineKind } from './kit/define-kind.ts';
import { detachInternetGateway } from './kit/detach-internet-gateway.ts';
import { required } from './kit/errors.ts';
import { collect } from './kit/paginate.ts';
import { readEach } from './kit/read-each.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { FieldRule } from './types.ts';

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

/** DNS: each DNS field and its member in DescribeVpcAttribute's answer and ModifyVpcAttribute. */
const DNS = {
  enableDnsSupport: 'EnableDnsSupport',
  enableDnsHostnames: 'EnableDnsHostnames',
} as const;
type DnsAttribute = keyof typeof DNS;
const AWS_DEFAULTS = { enableDnsSupport: true, enableDnsHostnames: false };
const NOT_FOUND = ['InvalidVpcID.NotFound'];

/** vpcHandler manages the stack's VPC: one paginated DescribeVpcs, then two attribute reads per VPC. */
export const vpcHandler = defineKind<VpcProperties, { vpc: Vpc; dns: DescribeVpcAttributeResult }>({
  kind: 'vpc',
  fields: VPC_FIELDS,
  tagging: ec2Tagging,
  notFound: NOT_FOUND,
  // CreateVpc takes the CIDR only: the DNS attributes are set from AWS's defaults
  updateAfterCreate: true,
  iamActions: {
    read: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeInternetGateways'],
    write: [
      'ec2:CreateVpc',
      'ec2:ModifyVpcAttribute',
      'ec2:DetachInternetGateway',
      'ec2:DeleteVpc',
    ],
    scope: {
      arn: 'arn:aws:ec2:*:{account}:vpc/*',
      create: ['ec2:CreateVpc'],
    },
  },

  async list(ctx) {
    const vpcs = await collect(
      paginateDescribeVpcs({ client: ctx.clients.ec2 }, { Filters: stackFilters(ctx) }),
      (page) => page.Vpcs,
    );
    // EC2 reads the DNS attributes one VPC and one attribute at a time
    return readEach(vpcs, NOT_FOUND, async (vpc) => {
      const read = (Attribute: DnsAttribute) =>
        ctx.clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc.VpcId, Attribute }));
      const dns = await Promise.all([read('enableDnsSupport'), read('enableDnsHostnames')]);
      return { vpc, dns: Object.assign({}, ...dns) as DescribeVpcAttributeResult };
    });
  },

  toObserved: ({ vpc, dns }) => ({
    id: vpc.VpcId ?? '',
    properties: {
      cidrBlock: vpc.CidrBlock ?? '',
      enableDnsSupport: dns.EnableDnsSupport?.Value ?? false,
      enableDnsHostnames: dns.EnableDnsHostnames?.Value ?? false,
    },
    tags: tagListToMap(vpc.Tags),
    status: vpc.State === 'pending' ? 'pending' : 'ready',
    attributes: { cidrBlock: vpc.CidrBlock ?? '' },
  }),

  async create(ctx, desired) {
    const { cidrBlock } = desired.properties;
    const created = await ctx.clients.ec2.send(
      new CreateVpcCommand({
        CidrBlock: cidrBlock,
        TagSpecifications: tagSpecifications('vpc', desired.tags),
      }),
    );
    const vpcId = required(created.Vpc?.VpcId, 'CreateVpc returned no VpcId');
    return { id: vpcId, properties: { cidrBlock, ...AWS_DEFAULTS }, attributes: { cidrBlock } };
  },

  /** One ModifyVpcAttribute per attribute; host names need DNS support: on first, off last. */
  async update(ctx, { properties: want }, { id: VpcId, properties: have }) {
    const fields: DnsAttribute[] = ['enableDnsSupport', 'enableDnsHostnames'];
    for (const field of want.enableDnsSupport ? fields : fields.reverse()) {
      if (want[field] === have[field]) continue;
      const input = { VpcId, [DNS[field]]: { Value: want[field] } };
      await ctx.clients.ec2.send(new ModifyVpcAttributeCommand(input));
    }
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
