/**
 * `reconciler iam-policy`: the least-privilege IAM policy the reconciler needs for the resource
 * kinds it manages, ready for `aws iam create-policy --policy-document`.
 *   --lease-table NAME  add the DynamoDB statement for the daemon's lease table
 *   --read-only         only the reads `reconciler plan` needs (the pull-request plan role)
 *   --account ID        scope ARNs to one account instead of any (`*`)
 *   --output json       the only format, and the default
 */
import { parseArgs } from 'node:util';

/**
 * AccessLevel: `read` actions are all `reconciler plan` needs; `write` actions change something;
 * `secret` actions read secret values, which a plan never needs.
 */
type AccessLevel = 'read' | 'write' | 'secret';

/** ActionGroup is one policy statement before rendering: its actions and what they may touch. */
interface ActionGroup {
  sid: string;
  /** Why the reconciler needs these actions; not rendered (IAM policies have no comments). */
  why: string;
  actions: Record<string, AccessLevel>;
  resources: (account: string) => string[];
  condition?: Record<string, Record<string, string | string[]>>;
}

/** PolicyStatement is one IAM policy statement as AWS reads it. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** PolicyDocument is an IAM policy document. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** IamPolicyOptions selects the optional statements and the scope of the ARNs. */
export interface IamPolicyOptions {
  leaseTable?: string;
  readOnly?: boolean;
  /** account narrows every ARN to one AWS account id; the default `*` means any. */
  account?: string;
}

const ANY = () => ['*'];

/** ROLE_PATH is where every role the reconciler creates lives (see graph/expand-iam.ts). */
const ROLE_PATH = 'reconciler';

function levels(
  read: string[],
  write: string[],
  secret: string[] = [],
): Record<string, AccessLevel> {
  return Object.fromEntries([
    ...read.map((action) => [action, 'read' as const]),
    ...write.map((action) => [action, 'write' as const]),
    ...secret.map((action) => [action, 'secret' as const]),
  ]);
}

const GROUPS: ActionGroup[] = [
  {
    sid: 'Network',
    why: 'vpc, subnet, internet-gateway, elastic-ip, nat-gateway, route-table, security-group',
    actions: levels(
      [
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeNatGateways',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeRouteTables',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeTags',
        'ec2:DescribeVpcAttribute',
        'ec2:DescribeVpcs',
      ],
      [
        'ec2:AllocateAddress',
        'ec2:AssociateRouteTable',
        'ec2:AttachInternetGateway',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:CreateInternetGateway',
        'ec2:CreateNatGateway',
        'ec2:CreateRoute',
        'ec2:CreateRouteTable',
        'ec2:CreateSecurityGroup',
        'ec2:CreateSubnet',
        'ec2:CreateTags',
        'ec2:CreateVpc',
        'ec2:DeleteInternetGateway',
        'ec2:DeleteNatGateway',
        'ec2:DeleteRoute',
        'ec2:DeleteRouteTable',
        'ec2:DeleteSecurityGroup',
        'ec2:DeleteSubnet',
        'ec2:DeleteTags',
        'ec2:DeleteVpc',
        'ec2:DetachInternetGateway',
        'ec2:DisassociateAddress',
        'ec2:DisassociateRouteTable',
        'ec2:ModifySecurityGroupRules',
        'ec2:ModifySubnetAttribute',
        'ec2:ModifyVpcAttribute',
        'ec2:ReleaseAddress',
        'ec2:ReplaceRoute',
        'ec2:ReplaceRouteTableAssociation',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
        'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
      ],
    ),
    resources: ANY,
  },
  {
    sid: 'LogGroups',
    why: 'log-group: the services and the database write to them',
    actions: levels(
      ['logs:DescribeLogGroups', 'logs:ListTagsForResource', 'logs:ListTagsLogGroup'],
      [
        'logs:AssociateKmsKey',
        'logs:CreateLogGroup',
        'logs:DeleteLogGroup',
        'logs:DeleteRetentionPolicy',
        'logs:DisassociateKmsKey',
        'logs:PutRetentionPolicy',
        'logs:TagLogGroup',
        'logs:TagResource',
        'logs:UntagLogGroup',
        'logs:UntagResource',
      ],
    ),
    resources: (account) => [`arn:aws:logs:*:${account}:log-group:*`],
  },
  {
    sid: 'ReconcilerRoles',
    why: 'iam-role: only roles under the /reconciler/ path, which the stacks own',
    actions: levels(
      [
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'iam:ListRoleTags',
      ],
      [
        'iam:AttachRolePolicy',
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:DeleteRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:UpdateRole',
      ],
    ),
    resources: (account) => [`arn:aws:iam::${account}:role/${ROLE_PATH}/*`],
  },
  {
    sid: 'ListRoles',
    why: 'iam-role observe: one batched read of the roles and their inline policies',
    actions: levels(['iam:GetAccountAuthorizationDetails', 'iam:ListRoles'], []),
    resources: ANY,
  },
  {
    sid: 'PassReconcilerRolesToEcsTasks',
    why: 'task-definition: the task and execution roles, passed to ECS tasks only',
    actions: levels([], ['iam:PassRole']),
    resources: (account) => [`arn:aws:iam::${account}:role/${ROLE_PATH}/*`],
    condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  },
  {
    sid: 'ServiceLinkedRoles',
    why: 'the first ECS cluster, load balancer or RDS instance of an account creates its service-linked role',
    actions: levels([], ['iam:CreateServiceLinkedRole']),
    resources: (account) => [`arn:aws:iam::${account}:role/aws-service-role/*`],
    condition: {
      StringEquals: {
        'iam:AWSServiceName': [
          'ecs.amazonaws.com',
          'elasticloadbalancing.amazonaws.com',
          'rds.amazonaws.com',
        ],
      },
    },
  },
  {
    sid: 'LoadBalancing',
    why: 'load-balancer, target-group, listener (and its path rules)',
    actions: levels(
      [
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ],
      [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:CreateLoadBalancer',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:CreateTargetGroup',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:SetRulePriorities',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
      ],
    ),
    resources: ANY,
  },
  {
    sid: 'Ecs',
    why: 'ecs-cluster, task-definition, ecs-service',
    actions: levels(
      [
        'ecs:DescribeClusters',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:ListClusters',
        'ecs:ListServices',
        'ecs:ListTagsForResource',
        'ecs:ListTaskDefinitionFamilies',
        'ecs:ListTaskDefinitions',
      ],
      [
        'ecs:CreateCluster',
        'ecs:CreateService',
        'ecs:DeleteCluster',
        'ecs:DeleteService',
        'ecs:DeregisterTaskDefinition',
        'ecs:RegisterTaskDefinition',
        'ecs:TagResource',
        'ecs:UntagResource',
        'ecs:UpdateCluster',
        'ecs:UpdateClusterSettings',
        'ecs:UpdateService',
      ],
    ),
    resources: ANY,
  },
  {
    sid: 'Rds',
    why: 'db-subnet-group, db-instance (a final snapshot when its deletion policy says so)',
    actions: levels(
      ['rds:DescribeDBInstances', 'rds:DescribeDBSubnetGroups', 'rds:ListTagsForResource'],
      [
        'rds:AddTagsToResource',
        'rds:CreateDBInstance',
        'rds:CreateDBSnapshot',
        'rds:CreateDBSubnetGroup',
        'rds:DeleteDBInstance',
        'rds:DeleteDBSubnetGroup',
        'rds:ModifyDBInstance',
        'rds:ModifyDBSubnetGroup',
        'rds:RemoveTagsFromResource',
      ],
    ),
    resources: ANY,
  },
  {
    sid: 'RdsManagedSecrets',
    why: 'db-instance with a master password managed by RDS in Secrets Manager (rds!... secrets only)',
    actions: levels(
      ['secretsmanager:DescribeSecret'],
      ['secretsmanager:CreateSecret', 'secretsmanager:RotateSecret', 'secretsmanager:TagResource'],
      ['secretsmanager:GetSecretValue'],
    ),
    resources: (account) => [`arn:aws:secretsmanager:*:${account}:secret:rds!*`],
  },
  {
    sid: 'RdsManagedSecretKey',
    why: 'RDS checks the KMS key of a managed master password (the AWS managed key by default)',
    actions: levels([], ['kms:DescribeKey']),
    resources: ANY,
  },
  {
    sid: 'Discovery',
    why: 'tag-filtered observe across services, and the account id for ARNs',
    actions: levels(['sts:GetCallerIdentity', 'tag:GetResources'], []),
    resources: ANY,
  },
];

function leaseGroup(table: string): ActionGroup {
  return {
    sid: 'DaemonLease',
    why: 'the daemon lease: one item per stack in one table, created on first run',
    actions: levels(
      ['dynamodb:DescribeTable', 'dynamodb:GetItem'],
      ['dynamodb:CreateTable', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    ),
    resources: (account) => [`arn:aws:dynamodb:*:${account}:table/${table}`],
  };
}

/** iamPolicy builds the policy document; statements and actions are sorted, so output is stable. */
export function iamPolicy(options: IamPolicyOptions = {}): PolicyDocument {
  const account = options.account ?? '*';
  const groups = options.leaseTable ? [...GROUPS, leaseGroup(options.leaseTable)] : GROUPS;
  const statements: PolicyStatement[] = [];
  for (const group of groups) {
    const actions = Object.entries(group.actions)
      .filter(([, level]) => !options.readOnly || level === 'read')
      .map(([action]) => action)
      .sort();
    if (actions.length === 0) continue;
    const resources = group.resources(account);
    statements.push({
      Sid: group.sid,
      Effect: 'Allow',
      Action: actions,
      Resource: resources.length === 1 ? (resources[0] ?? '*') : resources,
      ...(group.condition ? { Condition: group.condition } : {}),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** policyActions lists every action of a policy document, sorted and without duplicates. */
export function policyActions(policy: PolicyDocument): string[] {
  return [...new Set(policy.Statement.flatMap((statement) => statement.Action))].sort();
}

const USAGE = `usage: reconciler iam-policy [--lease-table NAME] [--read-only] [--account ID] [--output json]

Prints the least-privilege IAM policy the reconciler needs, as JSON:
  --lease-table NAME  also allow the daemon's DynamoDB lease table NAME
  --read-only         only the reads \`reconciler plan\` needs (a plan-only role)
  --account ID        scope ARNs to this 12-digit account id instead of any account
  --output json       output format (json is the only one and the default)`;

/** run is the `reconciler iam-policy` command. */
export async function run(argv: string[]): Promise<number> {
  let values: {
    'lease-table'?: string;
    'read-only'?: boolean;
    account?: string;
    output?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'lease-table': { type: 'string' },
        'read-only': { type: 'boolean' },
        account: { type: 'string' },
        output: { type: 'string', short: 'o', default: 'json' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(`reconciler iam-policy: ${(err as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.output !== 'json') {
    console.error(`reconciler iam-policy: unknown output format '${values.output}' (json)`);
    return 1;
  }
  if (values.account !== undefined && !/^\d{12}$/.test(values.account)) {
    console.error(
      `reconciler iam-policy: --account must be a 12-digit account id, got '${values.account}'`,
    );
    return 1;
  }
  const leaseTable = values['lease-table'];
  if (leaseTable !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(leaseTable)) {
    console.error(
      `reconciler iam-policy: --lease-table '${leaseTable}' is not a DynamoDB table name`,
    );
    return 1;
  }
  const policy = iamPolicy({
    ...(leaseTable !== undefined ? { leaseTable } : {}),
    ...(values.account !== undefined ? { account: values.account } : {}),
    readOnly: values['read-only'] === true,
  });
  console.log(JSON.stringify(policy, null, 2));
  return 0;
}
