/**
 * The least-privilege IAM policy the reconciler needs to manage exactly the given stacks (the
 * command's flags are in iam-policy-command.ts). Every write that AWS lets a policy condition on
 * tags is allowed only on the stacks' own resources (their `reconciler:stack` tag), creates only
 * with the stacks' tags, IAM only under the stacks' role paths; what AWS cannot narrow is listed
 * apart.
 */
import { TAG_STACK } from '../aws/tags.ts';
import { expandStack } from '../graph/expand.ts';
import { rolePath } from '../graph/expand-iam.ts';
import { HANDLERS } from '../resources/registry.ts';
import type { IamScope, ResourceHandler } from '../resources/types.ts';

/**
 * AccessLevel: `read` actions are all `reconciler plan` needs; `write` actions change something;
 * `secret` actions read secret values, which a plan never needs.
 */
type AccessLevel = 'read' | 'write' | 'secret';

type Condition = Record<string, Record<string, string | string[]>>;

/**
 * Special is a statement for actions no kind's scope describes: services the reconciler uses on
 * the caller's behalf or for discovery. An action a special claims is not scoped by its kind.
 */
interface Special {
  sid: string;
  /** Why the reconciler needs these actions; not rendered (IAM policies have no comments). */
  why: string;
  claims: (action: string) => boolean;
  resources: (account: string, stacks: readonly string[]) => string[];
  condition?: Condition;
  /** Actions no kind calls through the SDK but AWS needs on the caller's behalf. */
  implied?: Record<string, AccessLevel>;
}

/** PolicyStatement is one IAM policy statement as AWS reads it. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Condition;
}

/** PolicyDocument is an IAM policy document. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** StackScope is one stack the policy is for: its name and, from its spec, every tag key it sets. */
export interface StackScope {
  name: string;
  /** Without them (`--stack NAME` alone) creates are not limited in their tag keys. */
  tagKeys?: readonly string[];
}

/** IamPolicyOptions selects the stacks, the optional statements and the scope of the ARNs. */
export interface IamPolicyOptions {
  stacks: readonly StackScope[];
  leaseTable?: string;
  readOnly?: boolean;
  /** account narrows every ARN to one AWS account id; the default `*` means any. */
  account?: string;
  /** The kinds to cover (default: every registered kind). */
  handlers?: readonly ResourceHandler[];
}

/** MANAGED_POLICY_LIMIT is IAM's size limit of a managed policy, counted without whitespace. */
export const MANAGED_POLICY_LIMIT = 6144;

/** UNSCOPED_READS is the Sid of the reads AWS does not narrow by resource (`Describe*`, `List*`). */
export const UNSCOPED_READS = 'UnscopedReads';
/** UNSCOPED_WRITES is the Sid of the writes AWS authorizes on `*` only. */
export const UNSCOPED_WRITES = 'UnscopedWrites';

/**
 * CREATE_ACTION_KEY: services whose tagging actions, when AWS authorizes them for tags given to a
 * create call, carry the create action in a condition key. Tagging on create is bound to it there.
 */
const CREATE_ACTION_KEY: Record<string, string> = {
  ec2: 'ec2:CreateAction',
  ecs: 'ecs:CreateAction',
  elasticloadbalancing: 'elasticloadbalancing:CreateAction',
};

const ANY = () => ['*'];
const rolesOf = (account: string, stacks: readonly string[]) =>
  stacks.map((stack) => `arn:aws:iam::${account}:role${rolePath(stack)}*`);

const prefixed =
  (...prefixes: string[]) =>
  (action: string) =>
    prefixes.some((prefix) => action.startsWith(`${prefix}:`));
const oneOf =
  (...actions: string[]) =>
  (action: string) =>
    actions.includes(action);

const SPECIALS: Special[] = [
  {
    sid: 'PassStackRoles',
    why: 'task-definition: the task and execution roles to ECS tasks; instance-profile and auto-scaling-group: the instance role to EC2',
    claims: oneOf('iam:PassRole'),
    resources: rolesOf,
    condition: {
      StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'] },
    },
  },
  {
    sid: 'ServiceLinkedRoles',
    why: 'the first ECS cluster, load balancer, RDS instance or Auto Scaling group of an account creates its service-linked role',
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
    sid: 'ManagedKeys',
    why: 'RDS and ECR check the KMS key of a managed secret or an encrypted repository (AWS managed keys by default)',
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

function leaseSpecial(table: string): Special {
  return {
    sid: 'DaemonLease',
    why: 'the daemon leases: one item per stack in one table, created on first run',
    claims: prefixed('dynamodb'),
    implied: {
      'dynamodb:DescribeTable': 'read',
      'dynamodb:GetItem': 'read',
      // the per-stack leases: which stacks other replicas hold
      'dynamodb:Scan': 'read',
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
    add(actions.tagging, 'write');
  }
  return levels;
}

/** How one kind's action is authorized: each class renders as one statement. */
type ActionClass =
  | 'unscopedRead'
  | 'scopedRead'
  | 'create'
  | 'owned'
  | 'byArn'
  | 'tagOwned'
  | 'tagOnCreate'
  | 'unscopedWrite';

/** classify sorts one kind's actions into the statements that allow them (an action may be in two). */
function classify(handler: ResourceHandler): Array<[string, ActionClass]> {
  const actions = handler.iamActions ?? { read: [], write: [] };
  const scope: IamScope | undefined = actions.scope;
  const tagging = new Set(actions.tagging ?? []);
  const out: Array<[string, ActionClass]> = [];
  for (const action of [...actions.read, ...(actions.secret ?? [])]) {
    out.push([action, scope?.scopedReads?.includes(action) ? 'scopedRead' : 'unscopedRead']);
  }
  for (const action of actions.write) {
    if (tagging.has(action)) continue;
    if (!scope || scope.unscoped?.includes(action)) out.push([action, 'unscopedWrite']);
    else if (scope.byArn?.includes(action)) out.push([action, 'byArn']);
    else if (scope.create?.includes(action)) {
      // the new resource by the request's tags; the existing ones it is made in (a subnet's VPC) by theirs
      out.push([action, 'create'], [action, 'owned']);
    } else out.push([action, 'owned']);
  }
  for (const action of tagging) {
    if (!scope) out.push([action, 'unscopedWrite']);
    else out.push([action, 'tagOwned'], [action, 'tagOnCreate']);
  }
  return out;
}

const SIDS: Record<ActionClass, string> = {
  unscopedRead: UNSCOPED_READS,
  scopedRead: 'StackReads',
  create: 'Create',
  owned: 'StackResources',
  byArn: 'StackResourcesByArn',
  tagOwned: 'RetagStackResources',
  tagOnCreate: 'TagOnCreate',
  unscopedWrite: UNSCOPED_WRITES,
};

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

/**
 * iamPolicy builds the whole policy (maybe larger than one managed policy: see splitPolicy) from
 * the kinds' IAM actions and scopes; statements and actions are sorted, so output is stable.
 */
export function iamPolicy(options: IamPolicyOptions): PolicyDocument {
  if (options.stacks.length === 0) throw new Error('the policy needs at least one stack');
  const account = options.account ?? '*';
  const names = sortedUnique(options.stacks.map((stack) => stack.name));
  const stackValue = names.length === 1 ? (names[0] ?? '') : names;
  const tagKeys = options.stacks.every((stack) => stack.tagKeys)
    ? sortedUnique(options.stacks.flatMap((stack) => stack.tagKeys ?? []))
    : undefined;
  const requestTags: Condition = {
    StringEquals: { [`aws:RequestTag/${TAG_STACK}`]: stackValue },
    ...(tagKeys ? { 'ForAllValues:StringEquals': { 'aws:TagKeys': tagKeys } } : {}),
  };
  const resourceTag = { [`aws:ResourceTag/${TAG_STACK}`]: stackValue };
  // a create that also overwrites (PutMetricAlarm, PutDashboard) never reaches a tagged resource
  const createTags: Condition = {
    ...requestTags,
    Null: { [`aws:ResourceTag/${TAG_STACK}`]: 'true' },
  };
  const arnsOf = (scope: IamScope) =>
    (typeof scope.arn === 'string' ? [scope.arn] : scope.arn).flatMap((pattern) =>
      pattern.includes('{stack}')
        ? names.map((stack) => fill(pattern, account, stack))
        : [fill(pattern, account, '')],
    );
  const fill = (pattern: string, accountId: string, stack: string) =>
    pattern.replaceAll('{account}', accountId).replaceAll('{stack}', stack);

  const specials = options.leaseTable ? [...SPECIALS, leaseSpecial(options.leaseTable)] : SPECIALS;
  const bySpecial = new Map<Special, Map<string, AccessLevel>>(
    specials.map((special) => [special, new Map(Object.entries(special.implied ?? {}))]),
  );
  const levels = kindActions(options.handlers ?? HANDLERS);
  // read-only: the reads each kind makes, even where another kind writes with the same action
  const wanted = (cls: ActionClass) =>
    !options.readOnly || cls === 'unscopedRead' || cls === 'scopedRead';
  const classes = new Map<ActionClass, { actions: Set<string>; resources: Set<string> }>();
  const put = (cls: ActionClass, action: string, resources: readonly string[]) => {
    const entry = classes.get(cls) ?? { actions: new Set(), resources: new Set() };
    entry.actions.add(action);
    for (const resource of resources) entry.resources.add(resource);
    classes.set(cls, entry);
  };
  // tagging on create bound to the create call, per service that has such a key
  const onCreate = new Map<
    string,
    { tagging: Set<string>; creates: Set<string>; arns: Set<string> }
  >();
  const createsByKind = new Map<string, { actions: Set<string>; resources: Set<string> }>();
  for (const handler of options.handlers ?? HANDLERS) {
    const scope = handler.iamActions?.scope;
    for (const [action, cls] of classify(handler)) {
      const special = specials.find((candidate) => candidate.claims(action));
      if (special) {
        bySpecial.get(special)?.set(action, levels.get(action) ?? 'write');
        continue;
      }
      if (!wanted(cls)) continue;
      const resources =
        scope && cls !== 'unscopedRead' && cls !== 'unscopedWrite' ? arnsOf(scope) : ['*'];
      const service = action.split(':')[0] ?? '';
      if (cls === 'tagOnCreate' && CREATE_ACTION_KEY[service]) {
        const entry = onCreate.get(service) ?? {
          tagging: new Set(),
          creates: new Set(),
          arns: new Set(),
        };
        entry.tagging.add(action);
        for (const create of scope?.create ?? []) entry.creates.add(create);
        for (const arn of resources) entry.arns.add(arn);
        onCreate.set(service, entry);
        continue;
      }
      if (cls === 'create') {
        // each create on its own kind's ARNs: the resources it is made in (a subnet's VPC) are
        // allowed by their tags (StackResources), so another stack's or an untagged one is not
        const entry = createsByKind.get(handler.kind) ?? {
          actions: new Set(),
          resources: new Set(),
        };
        entry.actions.add(action);
        for (const resource of resources) entry.resources.add(resource);
        createsByKind.set(handler.kind, entry);
        continue;
      }
      put(cls, action, resources);
    }
  }

  const conditions: Partial<Record<ActionClass, Condition>> = {
    create: requestTags,
    owned: { StringEquals: resourceTag },
    // the resource is the stack's already, and stays the stack's
    tagOwned: {
      StringEquals: resourceTag,
      StringEqualsIfExists: { [`aws:RequestTag/${TAG_STACK}`]: stackValue },
      ...(tagKeys ? { 'ForAllValues:StringEquals': { 'aws:TagKeys': tagKeys } } : {}),
    },
    // the services without a create-action key: only a resource no stack owns yet, by ARN
    tagOnCreate: createTags,
  };
  const statements: PolicyStatement[] = [];
  const order: ActionClass[] = [
    'unscopedRead',
    'scopedRead',
    'create',
    'owned',
    'byArn',
    'tagOwned',
    'tagOnCreate',
    'unscopedWrite',
  ];
  for (const cls of order) {
    if (cls === 'create') {
      for (const [kind, entry] of [...createsByKind].sort(([a], [b]) => a.localeCompare(b))) {
        const resources = sortedUnique(entry.resources);
        statements.push(statement(`Create${pascal(kind)}`, entry.actions, resources, createTags));
      }
      continue;
    }
    const entry = classes.get(cls);
    if (!entry || entry.actions.size === 0) continue;
    const resources = sortedUnique(entry.resources);
    statements.push(statement(SIDS[cls], entry.actions, resources, conditions[cls]));
  }
  for (const [service, entry] of [...onCreate].sort(([a], [b]) => a.localeCompare(b))) {
    if (entry.creates.size === 0) continue;
    const key = CREATE_ACTION_KEY[service] ?? '';
    const condition: Condition = {
      ...requestTags,
      StringEquals: {
        ...requestTags.StringEquals,
        [key]: sortedUnique(entry.creates).map((a) => a.split(':')[1] ?? a),
      },
    };
    statements.push(
      statement(
        `TagOnCreate${pascal(service)}`,
        entry.tagging,
        sortedUnique(entry.arns),
        condition,
      ),
    );
  }
  for (const special of specials) {
    const actions = [...(bySpecial.get(special) ?? [])]
      .filter(([, level]) => !options.readOnly || level === 'read')
      .map(([action]) => action);
    if (actions.length === 0) continue;
    const resources = special.resources(account, names);
    if (!special.condition && resources.length === 1 && resources[0] === '*') {
      // one statement for everything on `*`, by access level
      const sid = actions.every(
        (action) => levels.get(action) === 'read' || special.implied?.[action] === 'read',
      )
        ? UNSCOPED_READS
        : UNSCOPED_WRITES;
      const existing = statements.find((candidate) => candidate.Sid === sid);
      if (existing) {
        existing.Action = sortedUnique([...existing.Action, ...actions]);
        continue;
      }
      statements.push(statement(sid, actions, ['*']));
      continue;
    }
    statements.push(statement(special.sid, actions, resources, special.condition));
  }
  return { Version: '2012-10-17', Statement: statements };
}

function statement(
  sid: string,
  actions: Iterable<string>,
  resources: readonly string[],
  condition?: Condition,
): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: sortedUnique(actions),
    Resource: resources.length === 1 ? (resources[0] ?? '*') : [...resources],
    ...(condition ? { Condition: condition } : {}),
  };
}

function pascal(service: string): string {
  return service
    .split(/[^a-z0-9]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** policySize is the size IAM counts: the document without whitespace. */
export function policySize(policy: PolicyDocument): number {
  return JSON.stringify(policy).length;
}

/**
 * splitPolicy packs the statements into few documents that fit the managed-policy limit (each
 * into the first document with room); a statement too large for one document is split by its
 * actions (Sids numbered).
 */
export function splitPolicy(
  policy: PolicyDocument,
  limit: number = MANAGED_POLICY_LIMIT,
): PolicyDocument[] {
  const empty = (): PolicyDocument => ({ Version: '2012-10-17', Statement: [] });
  const fits = (statements: PolicyStatement[]) =>
    policySize({ Version: '2012-10-17', Statement: statements }) <= limit;
  const pieces = policy.Statement.flatMap((piece) => splitStatement(piece, fits));
  const documents: PolicyDocument[] = [];
  for (const piece of pieces) {
    let home = documents.find((document) => fits([...document.Statement, piece]));
    if (!home) {
      home = empty();
      documents.push(home);
    }
    home.Statement.push(piece);
  }
  return documents;
}

function splitStatement(
  whole: PolicyStatement,
  fits: (statements: PolicyStatement[]) => boolean,
): PolicyStatement[] {
  if (fits([whole])) return [whole];
  const parts: PolicyStatement[] = [];
  let actions: string[] = [];
  for (const action of whole.Action) {
    const next = { ...whole, Sid: `${whole.Sid}${parts.length + 1}`, Action: [...actions, action] };
    if (!fits([next]) && actions.length > 0) {
      parts.push({ ...whole, Sid: `${whole.Sid}${parts.length + 1}`, Action: actions });
      actions = [action];
    } else actions = next.Action;
  }
  parts.push({ ...whole, Sid: `${whole.Sid}${parts.length + 1}`, Action: actions });
  return parts;
}

/** policyActions lists every action of some policy documents, sorted and without duplicates. */
export function policyActions(...policies: PolicyDocument[]): string[] {
  return sortedUnique(
    policies.flatMap((policy) => policy.Statement.flatMap((statement) => statement.Action)),
  );
}

/** PolicySummary counts a policy's actions: all of them, and those allowed on `*` without a condition. */
export interface PolicySummary {
  actions: number;
  onAnyResource: number;
}

/** summarize counts the distinct actions, and those some statement allows on `*` unconditionally. */
export function summarize(policies: readonly PolicyDocument[]): PolicySummary {
  const statements = policies.flatMap((policy) => policy.Statement);
  const onAny = statements
    .filter(
      (s) =>
        !s.Condition &&
        (s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*'))),
    )
    .flatMap((s) => s.Action);
  return { actions: policyActions(...policies).length, onAnyResource: new Set(onAny).size };
}

/** stackScopes expands each stack and collects the tag keys its resources carry. */
export function stackScopes(stacks: readonly Parameters<typeof expandStack>[0][]): StackScope[] {
  return stacks.map((stack) => ({
    name: stack.name,
    tagKeys: sortedUnique(expandStack(stack).flatMap((resource) => Object.keys(resource.tags))),
  }));
}

/** renderText prints the documents numbered, each ready for `aws iam create-policy`. */
export function renderText(policies: readonly PolicyDocument[], stacks: readonly string[]): string {
  const { actions, onAnyResource } = summarize(policies);
  const lines = [
    `# IAM policy for stack${stacks.length === 1 ? '' : 's'} ${stacks.join(', ')}: ${actions} actions, ${onAnyResource} of them on "*" (reads and writes AWS does not scope)`,
    `# ${policies.length} managed polic${policies.length === 1 ? 'y' : 'ies'} (IAM allows ${MANAGED_POLICY_LIMIT} characters each); attach all of them`,
  ];
  policies.forEach((policy, index) => {
    lines.push(
      '',
      `# policy ${index + 1} of ${policies.length} (${policySize(policy)} characters)`,
      JSON.stringify(policy, null, 2),
    );
  });
  return lines.join('\n');
}
