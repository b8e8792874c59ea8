import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  type Filter,
  type IpPermission,
  paginateDescribeSecurityGroups,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
  UpdateSecurityGroupRuleDescriptionsEgressCommand,
  UpdateSecurityGroupRuleDescriptionsIngressCommand,
} from '@aws-sdk/client-ec2';
import { tagListToMap } from '../aws/tags.ts';
import { isUnknown } from '../plan/types.ts';
import { defineKind, type Live, type Updater } from './kit/define-kind.ts';
import { unlessGone, unlessPresent } from './kit/errors.ts';
import { canonicalJson } from './kit/json.ts';
import { collect } from './kit/paginate.ts';
import { ec2Tagging, stackFilters, tagSpecifications } from './kit/tagging/ec2.ts';
import type { DesiredResource, FieldRule, ResourceContext } from './types.ts';

/**
 * SecurityGroupRule is one permission from exactly one source: a CIDR or another group.
 * Protocol `-1` means every protocol and port; its ports are normalized to -1.
 */
export type SecurityGroupRule = {
  protocol: 'tcp' | 'udp' | '-1';
  fromPort: number;
  toPort: number;
  cidr?: string;
  sourceSecurityGroupId?: string;
  description?: string;
};

/** SecurityGroupProperties: identity (VPC, name, description) and the two rule lists, normalized. */
export type SecurityGroupProperties = {
  vpcId: string;
  groupName: string;
  description: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
};

/** SECURITY_GROUP_FIELDS: EC2 cannot rename a group or change its VPC or description; rules change in place. */
export const SECURITY_GROUP_FIELDS: Record<keyof SecurityGroupProperties, FieldRule> = {
  vpcId: 'replace',
  groupName: 'replace',
  description: 'replace',
  ingress: 'update',
  egress: 'update',
};

/** ALLOW_ALL_EGRESS is the rule AWS adds to every new VPC security group. */
export const ALLOW_ALL_EGRESS: SecurityGroupRule = {
  protocol: '-1',
  fromPort: -1,
  toPort: -1,
  cidr: '0.0.0.0/0',
};

/**
 * securityGroupHandler manages VPC security groups and their rules. Updates authorize the
 * missing rules and revoke the extra ones; rules that stay are never revoked and re-added.
 * A group's name is unique in its VPC: one that lost our tags is found by name, never duplicated.
 */
export const securityGroupHandler = defineKind<SecurityGroupProperties, SecurityGroup>({
  kind: 'security-group',
  fields: SECURITY_GROUP_FIELDS,
  after: ['vpc'],
  tagging: ec2Tagging,
  notFound: ['InvalidGroup.NotFound'],
  alreadyExists: ['InvalidGroup.Duplicate'],
  iamActions: {
    read: ['ec2:DescribeSecurityGroups'],
    write: [
      'ec2:CreateSecurityGroup',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
      'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
      'ec2:DeleteSecurityGroup',
    ],
    scope: {
      arn: 'arn:aws:ec2:*:{account}:security-group/*',
      create: ['ec2:CreateSecurityGroup'],
    },
  },

  list: (ctx) => describeGroups(ctx, stackFilters(ctx)),
  toObserved,
  normalize: normalizeSecurityGroup,

  async create(ctx, desired) {
    const properties = normalizeSecurityGroup(desired.properties);
    const created = await ctx.clients.ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: properties.vpcId,
        GroupName: properties.groupName,
        Description: properties.description,
        TagSpecifications: tagSpecifications('security-group', desired.tags),
      }),
    );
    const groupId = created.GroupId;
    if (!groupId) throw new Error('CreateSecurityGroup returned no GroupId');
    await applyRulePlan(ctx, groupId, 'ingress', planRules(properties.ingress, []));
    await applyRulePlan(ctx, groupId, 'egress', planRules(properties.egress, [ALLOW_ALL_EGRESS]));
    return { id: groupId, properties, tags: { ...desired.tags } };
  },

  updaters: { ingress: updateRules('ingress'), egress: updateRules('egress') },

  /** A group still used by another group or a network interface fails with DependencyViolation: retried. */
  async destroy(ctx, observed) {
    await ctx.clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: observed.id }));
  },

  /**
   * One DescribeSecurityGroups per VPC for the wanted names in it; a group whose VPC does not
   * exist yet (a Ref or UNKNOWN) cannot have been made, so it is not looked up.
   */
  async findByName(ctx, desired) {
    const byVpc = new Map<string, DesiredResource<SecurityGroupProperties>[]>();
    for (const resource of desired) {
      const { vpcId } = resource.properties;
      if (typeof vpcId === 'string') byVpc.set(vpcId, [...(byVpc.get(vpcId) ?? []), resource]);
    }
    const found = await Promise.all(
      [...byVpc].map(async ([vpcId, wanted]) => {
        const groups = await describeGroups(ctx, [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: wanted.map((resource) => resource.properties.groupName) },
        ]);
        return groups.flatMap((group) => {
          const match = wanted.find(
            (resource) => resource.properties.groupName === group.GroupName,
          );
          return match ? [{ ...toObserved(group), address: match.address }] : [];
        });
      }),
    );
    return found.flat();
  },
});

function describeGroups(ctx: ResourceContext, filters: Filter[]) {
  return collect(
    paginateDescribeSecurityGroups({ client: ctx.clients.ec2 }, { Filters: filters }),
    (page) => page.SecurityGroups,
  );
}

function toObserved(group: SecurityGroup): Live<SecurityGroupProperties> {
  return {
    id: group.GroupId ?? '',
    properties: {
      vpcId: group.VpcId ?? '',
      groupName: group.GroupName ?? '',
      description: group.Description ?? '',
      ingress: rulesFromAws(group.IpPermissions),
      egress: rulesFromAws(group.IpPermissionsEgress),
    },
    tags: tagListToMap(group.Tags),
  };
}

/** updateRules authorizes, revokes and re-describes one direction's rules: only what differs. */
function updateRules(direction: 'ingress' | 'egress'): Updater<SecurityGroupProperties> {
  return (ctx, desired, observed) =>
    applyRulePlan(
      ctx,
      observed.id,
      direction,
      planRules(desired.properties[direction], observed.properties[direction]),
    );
}

async function applyRulePlan(
  ctx: ResourceContext,
  groupId: string,
  direction: 'ingress' | 'egress',
  plan: RulePlan,
): Promise<void> {
  const ingress = direction === 'ingress';
  if (plan.revoke.length > 0) {
    const input = {
      GroupId: groupId,
      IpPermissions: plan.revoke.map((r) => toPermission(r, false)),
    };
    // one call removes them all, so a rule not found is a retry of this call whose answer was
    // lost; a rule left over is what the next diff finds and revokes
    await unlessGone(['InvalidPermission.NotFound'], () =>
      ingress
        ? ctx.clients.ec2.send(new RevokeSecurityGroupIngressCommand(input))
        : ctx.clients.ec2.send(new RevokeSecurityGroupEgressCommand(input)),
    );
  }
  if (plan.authorize.length > 0) {
    const input = { GroupId: groupId, IpPermissions: plan.authorize.map((r) => toPermission(r)) };
    // one call adds them all, so a duplicate is a retry of this call whose answer was lost
    await unlessPresent(['InvalidPermission.Duplicate'], () =>
      ingress
        ? ctx.clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(input))
        : ctx.clients.ec2.send(new AuthorizeSecurityGroupEgressCommand(input)),
    );
  }
  if (plan.describe.length > 0) {
    const input = { GroupId: groupId, IpPermissions: plan.describe.map((r) => toPermission(r)) };
    if (ingress) {
      await ctx.clients.ec2.send(new UpdateSecurityGroupRuleDescriptionsIngressCommand(input));
    } else {
      await ctx.clients.ec2.send(new UpdateSecurityGroupRuleDescriptionsEgressCommand(input));
    }
  }
}

const PROTOCOL_ALIASES: Record<string, string> = { '6': 'tcp', '17': 'udp', all: '-1' };

/** normalizeRule gives a rule its canonical form: protocol name, -1 ports for all traffic, no empty members. */
export function normalizeRule(rule: SecurityGroupRule): SecurityGroupRule {
  const protocol = (PROTOCOL_ALIASES[String(rule.protocol).toLowerCase()] ??
    String(rule.protocol).toLowerCase()) as SecurityGroupRule['protocol'];
  const allTraffic = protocol === '-1';
  const normalized: SecurityGroupRule = {
    protocol,
    fromPort: allTraffic ? -1 : rule.fromPort,
    toPort: allTraffic ? -1 : rule.toPort,
  };
  if (rule.cidr) normalized.cidr = rule.cidr;
  if (rule.sourceSecurityGroupId) normalized.sourceSecurityGroupId = rule.sourceSecurityGroupId;
  if (rule.description) normalized.description = rule.description;
  return normalized;
}

/** ruleKey identifies a rule by what it allows (its description is not part of its identity). */
export function ruleKey(rule: SecurityGroupRule): string {
  const { description: _description, ...identity } = normalizeRule(rule);
  return canonicalJson(identity);
}

/** compareRules orders rules by protocol, ports (numerically), CIDR sources before group sources. */
export function compareRules(a: SecurityGroupRule, b: SecurityGroupRule): number {
  const source = (rule: SecurityGroupRule) =>
    rule.cidr !== undefined ? `0 ${rule.cidr}` : `1 ${canonicalJson(rule.sourceSecurityGroupId)}`;
  return (
    a.protocol.localeCompare(b.protocol) ||
    a.fromPort - b.fromPort ||
    a.toPort - b.toPort ||
    source(a).localeCompare(source(b)) ||
    (a.description ?? '').localeCompare(b.description ?? '')
  );
}

/** normalizeRules normalizes, de-duplicates (by identity) and sorts a rule list. */
export function normalizeRules(rules: readonly SecurityGroupRule[]): SecurityGroupRule[] {
  const byKey = new Map<string, SecurityGroupRule>();
  for (const [index, rule] of rules.entries()) {
    // Rules whose source is not known yet (planned before the group exists) are never merged.
    const key = isUnknown(rule.sourceSecurityGroupId) ? `unknown ${index}` : ruleKey(rule);
    byKey.set(key, normalizeRule(rule));
  }
  return [...byKey.values()].sort(compareRules);
}

/** normalizeSecurityGroup puts security group properties in their canonical form. */
export function normalizeSecurityGroup(
  properties: SecurityGroupProperties,
): SecurityGroupProperties {
  return {
    vpcId: properties.vpcId,
    groupName: properties.groupName,
    description: properties.description,
    ingress: normalizeRules(properties.ingress ?? []),
    egress: normalizeRules(properties.egress ?? []),
  };
}

/** rulesFromAws explodes AWS permissions (several sources each) into one rule per source. */
export function rulesFromAws(
  permissions: readonly IpPermission[] | undefined,
): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = [];
  for (const permission of permissions ?? []) {
    const base = {
      protocol: (permission.IpProtocol ?? '-1') as SecurityGroupRule['protocol'],
      fromPort: permission.FromPort ?? -1,
      toPort: permission.ToPort ?? -1,
    };
    for (const range of permission.IpRanges ?? []) {
      rules.push({ ...base, cidr: range.CidrIp, description: range.Description });
    }
    for (const range of permission.Ipv6Ranges ?? []) {
      rules.push({ ...base, cidr: range.CidrIpv6, description: range.Description });
    }
    for (const pair of permission.UserIdGroupPairs ?? []) {
      rules.push({ ...base, sourceSecurityGroupId: pair.GroupId, description: pair.Description });
    }
  }
  return normalizeRules(rules);
}

/** toPermission converts one rule into the AWS permission that authorizes or revokes it. */
export function toPermission(rule: SecurityGroupRule, withDescription = true): IpPermission {
  const normalized = normalizeRule(rule);
  const description = withDescription ? normalized.description : undefined;
  const permission: IpPermission = { IpProtocol: normalized.protocol };
  if (normalized.protocol !== '-1') {
    permission.FromPort = normalized.fromPort;
    permission.ToPort = normalized.toPort;
  }
  if (normalized.sourceSecurityGroupId) {
    permission.UserIdGroupPairs = [
      { GroupId: normalized.sourceSecurityGroupId, Description: description },
    ];
  } else if (normalized.cidr?.includes(':')) {
    permission.Ipv6Ranges = [{ CidrIpv6: normalized.cidr, Description: description }];
  } else {
    permission.IpRanges = [{ CidrIp: normalized.cidr, Description: description }];
  }
  return permission;
}

/** RulePlan is what it takes to turn one rule list into another. */
export interface RulePlan {
  authorize: SecurityGroupRule[];
  revoke: SecurityGroupRule[];
  describe: SecurityGroupRule[];
}

/**
 * planRules compares rule lists by identity: rules only desired are authorized, rules only
 * observed are revoked, and rules whose description alone differs get a new description.
 * Unchanged rules are never touched.
 */
export function planRules(
  desiredRules: readonly SecurityGroupRule[],
  observedRules: readonly SecurityGroupRule[],
): RulePlan {
  const observedByKey = new Map(normalizeRules(observedRules).map((rule) => [ruleKey(rule), rule]));
  const desiredNormalized = normalizeRules(desiredRules);
  const desiredKeys = new Set(desiredNormalized.map(ruleKey));
  const plan: RulePlan = { authorize: [], revoke: [], describe: [] };
  for (const rule of desiredNormalized) {
    const current = observedByKey.get(ruleKey(rule));
    if (!current) plan.authorize.push(rule);
    else if ((current.description ?? '') !== (rule.description ?? '')) plan.describe.push(rule);
  }
  for (const [key, rule] of observedByKey) {
    if (!desiredKeys.has(key)) plan.revoke.push(rule);
  }
  return plan;
}
