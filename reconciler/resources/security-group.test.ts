import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IpPermission } from '@aws-sdk/client-ec2';
import { UNKNOWN } from '../plan/types.ts';
import {
  ALLOW_ALL_EGRESS,
  normalizeRules,
  planRules,
  type RulePlan,
  rulesFromAws,
  type SecurityGroupProperties,
  type SecurityGroupRule,
  securityGroupHandler,
  toPermission,
} from './security-group.ts';

const fromLb: SecurityGroupRule = {
  protocol: 'tcp',
  fromPort: 3000,
  toPort: 3000,
  sourceSecurityGroupId: 'sg-lb',
};
const http: SecurityGroupRule = { protocol: 'tcp', fromPort: 80, toPort: 80, cidr: '0.0.0.0/0' };
const base: SecurityGroupProperties = {
  vpcId: 'vpc-1',
  groupName: 's-svc-api',
  description: 'service api of stack s',
  ingress: [fromLb, http],
  egress: [ALLOW_ALL_EGRESS],
};
const tags = { 'reconciler:stack': 's' };

const diffCases: Array<{
  reason: string;
  observed: SecurityGroupProperties;
  want: Array<[path: string, forcesReplacement: boolean]>;
}> = [
  { reason: 'identical: no change', observed: base, want: [] },
  {
    reason: 'rule order does not matter',
    observed: { ...base, ingress: [http, fromLb] },
    want: [],
  },
  {
    reason: 'a new group name forces replacement',
    observed: { ...base, groupName: 's-old' },
    want: [['groupName', true]],
  },
  {
    reason: 'a new description forces replacement',
    observed: { ...base, description: 'old' },
    want: [['description', true]],
  },
  {
    reason: 'an extra ingress rule (sorted by port) is an in-place update',
    observed: {
      ...base,
      ingress: [
        ...base.ingress,
        { protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '0.0.0.0/0' },
      ],
    },
    want: [['ingress[2]', false]],
  },
  {
    reason: 'the default egress rule is modelled, so it is no drift; its absence is',
    observed: { ...base, egress: [] },
    want: [['egress[0]', false]],
  },
];

for (const { reason, observed, want } of diffCases) {
  test(`security group diff: ${reason}`, () => {
    const changes = securityGroupHandler.diff(base, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      want,
    );
  });
}

const awsCases: Array<{ reason: string; permissions: IpPermission[]; want: SecurityGroupRule[] }> =
  [
    {
      reason: 'the default egress (protocol -1 without ports) is the allow-all rule',
      permissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      want: [ALLOW_ALL_EGRESS],
    },
    {
      reason: 'one permission with several sources becomes one sorted rule per source',
      permissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '0.0.0.0/0', Description: 'web' }],
          UserIdGroupPairs: [{ GroupId: 'sg-1' }],
        },
      ],
      want: [
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: 'web' },
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/8' },
        { protocol: 'tcp', fromPort: 443, toPort: 443, sourceSecurityGroupId: 'sg-1' },
      ],
    },
    {
      reason: 'numeric protocols are named',
      permissions: [
        { IpProtocol: '6', FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: '1.1.1.1/32' }] },
      ],
      want: [{ protocol: 'tcp', fromPort: 1, toPort: 2, cidr: '1.1.1.1/32' }],
    },
  ];

for (const { reason, permissions, want } of awsCases) {
  test(`security group rules from aws: ${reason}`, () => {
    assert.deepStrictEqual(rulesFromAws(permissions), want);
  });
}

const ssh: SecurityGroupRule = { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' };
const planCases: Array<{
  reason: string;
  desired: SecurityGroupRule[];
  observed: SecurityGroupRule[];
  want: RulePlan;
}> = [
  {
    reason: 'unchanged rules are left alone',
    desired: [fromLb, http],
    observed: [http, fromLb],
    want: { authorize: [], revoke: [], describe: [] },
  },
  {
    reason: 'only the missing rule is authorized and only the extra one revoked',
    desired: [fromLb, http],
    observed: [fromLb, ssh],
    want: { authorize: [http], revoke: [ssh], describe: [] },
  },
  {
    reason: 'rules are sorted by port numerically, not as text',
    desired: [fromLb, http, { ...http, fromPort: 443, toPort: 443 }],
    observed: [],
    want: {
      authorize: [http, { ...http, fromPort: 443, toPort: 443 }, fromLb],
      revoke: [],
      describe: [],
    },
  },
  {
    reason: 'a changed description is updated, not revoked',
    desired: [{ ...http, description: 'web' }],
    observed: [http],
    want: { authorize: [], revoke: [], describe: [{ ...http, description: 'web' }] },
  },
  {
    reason: 'creating a group replaces nothing when the default egress is wanted',
    desired: [ALLOW_ALL_EGRESS],
    observed: [ALLOW_ALL_EGRESS],
    want: { authorize: [], revoke: [], describe: [] },
  },
];

for (const { reason, desired, observed, want } of planCases) {
  test(`security group rule plan: ${reason}`, () => {
    assert.deepStrictEqual(planRules(desired, observed), want);
  });
}

const permissionCases: Array<{ reason: string; rule: SecurityGroupRule; want: IpPermission }> = [
  {
    reason: 'all traffic carries no ports',
    rule: ALLOW_ALL_EGRESS,
    want: { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0', Description: undefined }] },
  },
  {
    reason: 'a group source becomes a group pair',
    rule: fromLb,
    want: {
      IpProtocol: 'tcp',
      FromPort: 3000,
      ToPort: 3000,
      UserIdGroupPairs: [{ GroupId: 'sg-lb', Description: undefined }],
    },
  },
  {
    reason: 'an ipv6 cidr becomes an ipv6 range',
    rule: { protocol: 'udp', fromPort: 53, toPort: 53, cidr: '::/0', description: 'dns' },
    want: {
      IpProtocol: 'udp',
      FromPort: 53,
      ToPort: 53,
      Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'dns' }],
    },
  },
];

for (const { reason, rule, want } of permissionCases) {
  test(`security group permission: ${reason}`, () => {
    assert.deepStrictEqual(toPermission(rule), want);
  });
}

test('security group rules: duplicates collapse to one rule', () => {
  assert.deepStrictEqual(normalizeRules([fromLb, http, { ...http }]), [http, fromLb]);
});

test('security group rules: sources not known yet are never merged', () => {
  const unknownSource = { ...fromLb, sourceSecurityGroupId: UNKNOWN as unknown as string };
  assert.deepStrictEqual(normalizeRules([unknownSource, unknownSource]).length, 2);
});
