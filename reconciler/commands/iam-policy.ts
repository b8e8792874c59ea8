/**
 * `reconciler iam-policy`: the least-privilege IAM policy the reconciler needs for the resource
 * kinds it manages, ready for `aws iam create-policy --policy-document`.
 *   --lease-table NAME  add the DynamoDB statement for the daemon's lease table
 *   --read-only         only the reads `reconciler plan` needs (the pull-request plan role)
 *   --account ID        scope ARNs to one account instead of any (`*`)
 *   --output json       the only format, and the default
 */
import { parseArgs } from 'node:util';
import { HANDLERS } from '../resources/registry.ts';
import type { ResourceHandler } from '../resources/types.ts';

/**
 * AccessLevel: `read` actions are all `reconciler plan` needs; `write` actions change something;
 * `secret` actions read secret values, which a plan never needs.
 */
type AccessLevel = 'read' | 'write' | 'secret';

/**
 * Scope is one policy statement before rendering: what its actions may touch. Its actions are
 * not listed here but collected from the resource kinds (each kind's `iamActions`): an action
 * goes to the first scope that claims it, so the policy always matches the registered kinds.
 */
interface Scope {
  sid: string;
  /** Why the reconciler needs these actions; not rendered (IAM policies have no comments). */
  why: string;
  claims: (action: string) => boolean;
  /** It claims named actions, not a whole service: it is asked first. */
  specific?: boolean;
  resources: (account: string) => string[];
  condition?: Record<string, Record<string, string | string[]>>;
  /** Actions no kind calls through the SDK but AWS needs on the caller's behalf. */
  implied?: Record<string, AccessLevel>;
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
  /** The kinds to cover (default: every registered kind). */
  handlers?: readonly ResourceHandler[];
}

const ANY = () => ['*'];

/**
 * ANY_RESOURCE is the Sid of the one statement holding every action on `*` without a condition
 * (the scopes whose actions AWS cannot narrow by resource: EC2, load balancing, ECS, RDS, Auto
 * Scaling, ECR, the listing reads, discovery).
 */
export const ANY_RESOURCE = 'AnyResource';

/** ROLE_PATH is where every role the reconciler creates lives (see graph/expand-iam.ts). */
const ROLE_PATH = 'reconciler';

const prefixed =
  (...prefixes: string[]) =>
  (action: string) =>
    prefixes.some((prefix) => action.startsWith(`${prefix}:`));
const oneOf =
  (...actions: string[]) =>
  (action: string) =>
    actions.includes(action);

const SCOPES: Scope[] = [
  { sid: 'Network', why: 'the EC2 network kinds', claims: prefixed('ec2'), resources: ANY },
  {
    sid: 'LogGroups',
    why: 'log-group: the services and the database write to them',
    claims: prefixed('logs'),
    resources: (account) => [`arn:aws:logs:*:${account}:log-group:*`],
  },
  {
    sid: 'ReconcilerRoles',
    why: 'iam-role, instance-profile: only roles and instance profiles under the /reconciler/ path, which the stacks own',
    claims: prefixed('iam'),
    resources: (account) => [
      `arn:aws:iam::${account}:role/${ROLE_PATH}/*`,
      `arn:aws:iam::${account}:instance-profile/${ROLE_PATH}/*`,
    ],
  },
  {
    sid: 'ListRoles',
    why: 'iam-role and instance-profile observe: batched reads of the roles and the profiles',
    specific: true,
    claims: oneOf(
      'iam:GetAccountAuthorizationDetails',
      'iam:ListRoles',
      'iam:ListInstanceProfiles',
    ),
    resources: ANY,
  },
  {
    sid: 'PassReconcilerRoles',
    why: 'task-definition: the task and execution roles to ECS tasks; auto-scaling-group: the instance role to EC2',
    specific: true,
    claims: oneOf('iam:PassRole'),
    resources: (account) => [`arn:aws:iam::${account}:role/${ROLE_PATH}/*`],
    condition: {
      StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'] },
    },
  },
  {
    sid: 'ServiceLinkedRoles',
    why: 'the first ECS cluster, load balancer, RDS instance, Auto Scaling group or scalable ECS service of an account creates its service-linked role',
    specific: true,
    claims: oneOf('iam:CreateServiceLinkedRole'),
    implied: { 'iam:CreateServiceLinkedRole': 'write' },
    resources: (account) => [`arn:aws:iam::${account}:role/aws-service-role/*`],
    condition: {
      StringEquals: {
        'iam:AWSServiceName': [
          'ecs.amazonaws.com',
          'elasticloadbalancing.amazonaws.com',
          'rds.amazonaws.com',
          'autoscaling.amazonaws.com',
          'ecs.application-autoscaling.amazonaws.com',
        ],
      },
    },
  },
  {
    sid: 'LoadBalancing',
    why: 'load-balancer, target-group, listener (and its path rules)',
    claims: prefixed('elasticloadbalancing'),
    resources: ANY,
  },
  { sid: 'Ecs', why: 'the ECS kinds', claims: prefixed('ecs'), resources: ANY },
  { sid: 'Rds', why: 'the RDS kinds', claims: prefixed('rds'), resources: ANY },
  {
    sid: 'AutoScaling',
    why: 'auto-scaling-group: the EC2 capacity of the ECS cluster',
    claims: prefixed('autoscaling'),
    resources: ANY,
  },
  { sid: 'ImageRegistry', why: 'ecr-repository', claims: prefixed('ecr'), resources: ANY },
  {
    sid: 'ServiceAutoScaling',
    why: "scalable-target, scaling-policy: the ECS services' task counts and their target tracking policies",
    claims: prefixed('application-autoscaling'),
    resources: ANY,
  },
  {
    sid: 'TargetTrackingAlarms',
    why: "scaling-policy: target tracking makes and removes its CloudWatch alarms (TargetTracking-*) in the caller's name",
    claims: prefixed('cloudwatch'),
    resources: (account) => [`arn:aws:cloudwatch:*:${account}:alarm:TargetTracking-*`],
  },
  {
    sid: 'EcsOptimizedAmi',
    why: 'the ECS-optimized AMI id, from its public SSM parameter',
    claims: prefixed('ssm'),
    resources: () => ['arn:aws:ssm:*::parameter/aws/service/ecs/*'],
  },
  {
    sid: 'RdsManagedSecrets',
    why: 'db-instance with a master password managed by RDS in Secrets Manager (rds!... secrets only)',
    claims: prefixed('secretsmanager'),
    // RDS creates, rotates and tags the secret on the caller's behalf (ManageMasterUserPassword)
    implied: {
      'secretsmanager:DescribeSecret': 'read',
      'secretsmanager:CreateSecret': 'write',
      'secretsmanager:RotateSecret': 'write',
      'secretsmanager:TagResource': 'write',
      'secretsmanager:GetSecretValue': 'secret',
    },
    resources: (account) => [`arn:aws:secretsmanager:*:${account}:secret:rds!*`],
  },
  {
    sid: 'RdsManagedSecretKey',
    why: 'RDS checks the KMS key of a managed master password (the AWS managed key by default)',
    claims: prefixed('kms'),
    implied: { 'kms:DescribeKey': 'write' },
    resources: ANY,
  },
  {
    sid: 'Discovery',
    why: 'tag-filtered observe across services, and the account id for ARNs',
    claims: prefixed('tag', 'sts'),
    implied: { 'sts:GetCallerIdentity': 'read' },
    resources: ANY,
  },
];

function leaseScope(table: string): Scope {
  return {
    sid: 'DaemonLease',
    why: 'the daemon lease: one item per stack in one table, created on first run',
    claims: prefixed('dynamodb'),
    implied: {
      'dynamodb:DescribeTable': 'read',
      'dynamodb:GetItem': 'read',
      'dynamodb:CreateTable': 'write',
      'dynamodb:DeleteItem': 'write',
      'dynamodb:PutItem': 'write',
      'dynamodb:UpdateItem': 'write',
    },
    resources: (account) => [`arn:aws:dynamodb:*:${account}:table/${table}`],
  };
}

/** kindActions collects every kind's IAM actions with their access level (a write wins over a read). */
export function kindActions(handlers: readonly ResourceHandler[]): Map<string, AccessLevel> {
  const levels = new Map<string, AccessLevel>();
  const rank: Record<AccessLevel, number> = { read: 0, secret: 1, write: 2 };
  for (const handler of handlers) {
    const actions = handler.iamActions;
    if (!actions) throw new Error(`resource kind ${handler.kind} declares no IAM actions`);
    const add = (list: readonly string[] | undefined, level: AccessLevel) => {
      for (const action of list ?? []) {
        const known = levels.get(action);
        if (!known || rank[level] > rank[known]) levels.set(action, level);
      }
    };
    add(actions.read, 'read');
    add(actions.secret, 'secret');
    add(actions.write, 'write');
  }
  return levels;
}

/**
 * iamPolicy builds the policy document from the kinds' IAM actions; statements and actions are
 * sorted, so output is stable. An action no scope claims is a bug in a kind file and throws.
 */
export function iamPolicy(options: IamPolicyOptions = {}): PolicyDocument {
  const account = options.account ?? '*';
  const groups = options.leaseTable ? [...SCOPES, leaseScope(options.leaseTable)] : SCOPES;
  const byScope = new Map<Scope, Map<string, AccessLevel>>(
    groups.map((group) => [group, new Map(Object.entries(group.implied ?? {}))]),
  );
  for (const [action, level] of kindActions(options.handlers ?? HANDLERS)) {
    // a scope naming the action itself wins over one claiming its whole service
    const group =
      groups.find((candidate) => candidate.specific && candidate.claims(action)) ??
      groups.find((candidate) => candidate.claims(action));
    if (!group) throw new Error(`no policy statement covers ${action}`);
    byScope.get(group)?.set(action, level);
  }
  const statements: PolicyStatement[] = [];
  let anyResource: PolicyStatement | undefined;
  for (const group of groups) {
    const actions = [...(byScope.get(group) ?? [])]
      .filter(([, level]) => !options.readOnly || level === 'read')
      .map(([action]) => action)
      .sort();
    if (actions.length === 0) continue;
    const resources = group.resources(account);
    if (!group.condition && resources.length === 1 && resources[0] === '*') {
      // one statement for every action that no resource can narrow: the policy stays one
      // managed policy (6,144 characters) for longer
      if (!anyResource) {
        anyResource = { Sid: ANY_RESOURCE, Effect: 'Allow', Action: [], Resource: '*' };
        statements.push(anyResource);
      }
      anyResource.Action = [...anyResource.Action, ...actions].sort();
      continue;
    }
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
