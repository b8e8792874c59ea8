import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  type IAMClient,
  PutRolePolicyCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
  type Role,
  type RoleDetail,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { TAG_STACK, tagListToMap, tagMapToList } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { compact, sortingSets } from './kit/json.ts';
import { keyedDelta } from './kit/keyed-delta.ts';
import { memoized } from './kit/memo.ts';
import { foundByName } from './kit/names.ts';
import { collect } from './kit/paginate.ts';
import { iamRoleTagging } from './kit/tagging/iam.ts';
import type { FieldRule, ResourceContext } from './types.ts';

/** PolicyDocument is an IAM policy as a parsed JSON object (`{ Version, Statement }`). */
export type PolicyDocument = Record<string, unknown>;

/** IamRoleProperties is an IAM role with its trust policy and its permissions. */
export type IamRoleProperties = {
  roleName: string;
  path: string;
  assumeRolePolicy: PolicyDocument;
  /** Attached managed policy ARNs, sorted. */
  managedPolicyArns: string[];
  /** Inline policies by name. */
  inlinePolicies: Record<string, PolicyDocument>;
  description?: string;
  maxSessionDuration?: number;
};

/** IAM_ROLE_FIELDS: name and path are the identity (the ARN holds both); everything else updates in place. */
export const IAM_ROLE_FIELDS: Record<string, FieldRule> = {
  roleName: 'replace',
  path: 'replace',
  assumeRolePolicy: 'update',
  managedPolicyArns: 'update',
  inlinePolicies: 'update',
  description: 'update',
  maxSessionDuration: 'update',
};

/** IAM_PAGE_SIZE is the largest page the IAM list calls return. */
const IAM_PAGE_SIZE = 1000;

/** ROLE_PATH_PREFIX is the path every reconciler role lives under (`/reconciler/<stack>/`). */
export const ROLE_PATH_PREFIX = '/reconciler/';

/**
 * parsePolicyDocument parses a policy document as IAM returns it: URL-encoded JSON text
 * (AWS), plain JSON text (some emulators), or an already parsed object.
 */
export function parsePolicyDocument(document: string | PolicyDocument | undefined): PolicyDocument {
  if (document === undefined) return {};
  if (typeof document !== 'string') return document;
  const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  try {
    return JSON.parse(text) as PolicyDocument;
  } catch (err) {
    throw new Error(`cannot parse policy document ${text.slice(0, 80)}`, { cause: err });
  }
}

/** observedRoleProperties normalizes one GetAccountAuthorizationDetails role (plus its ListRoles entry). */
export function observedRoleProperties(
  detail: RoleDetail,
  listed: Pick<Role, 'Description' | 'MaxSessionDuration'> | undefined,
): IamRoleProperties {
  const inlinePolicies = Object.fromEntries(
    (detail.RolePolicyList ?? []).map((policy) => [
      policy.PolicyName ?? '',
      parsePolicyDocument(policy.PolicyDocument),
    ]),
  );
  return compact({
    roleName: detail.RoleName ?? '',
    path: detail.Path ?? '/',
    assumeRolePolicy: parsePolicyDocument(detail.AssumeRolePolicyDocument),
    managedPolicyArns: (detail.AttachedManagedPolicies ?? [])
      .map((policy) => policy.PolicyArn ?? '')
      .filter((arn) => arn !== '')
      .sort(),
    inlinePolicies,
    description: listed?.Description || undefined,
    maxSessionDuration: listed?.MaxSessionDuration,
  });
}

type RoleLive = { detail: RoleDetail; listed?: Role | undefined };

function liveRole({ detail, listed }: RoleLive): Live<IamRoleProperties> {
  const properties = observedRoleProperties(detail, listed);
  return {
    id: properties.roleName,
    properties,
    tags: tagListToMap(detail.Tags),
    attributes: { arn: detail.Arn ?? '', name: properties.roleName },
  };
}

/** authorizationDetails is every role of the account with its policies and tags, read once a pass. */
function authorizationDetails(ctx: ResourceContext): Promise<RoleDetail[]> {
  return memoized(ctx, 'iam:GetAccountAuthorizationDetails:Role', () =>
    collect(
      paginateGetAccountAuthorizationDetails(
        { client: ctx.clients.iam, pageSize: IAM_PAGE_SIZE },
        { Filter: ['Role'] },
      ),
      (page) => page.RoleDetailList,
    ),
  );
}

/** listedRoles reads description and session duration, which the authorization details omit. */
async function listedRoles(ctx: ResourceContext): Promise<Map<string, Role>> {
  const roles = await collect(
    paginateListRoles(
      { client: ctx.clients.iam, pageSize: IAM_PAGE_SIZE },
      { PathPrefix: ROLE_PATH_PREFIX },
    ),
    (page) => page.Roles,
  );
  return new Map(roles.map((role) => [role.RoleName ?? '', role]));
}

/** attachPolicies makes the role's managed and inline policies (those in `fields`) the desired ones. */
async function attachPolicies(
  iam: IAMClient,
  RoleName: string,
  desired: Pick<IamRoleProperties, 'managedPolicyArns' | 'inlinePolicies'>,
  observed: Pick<IamRoleProperties, 'managedPolicyArns' | 'inlinePolicies'>,
  fields: ReadonlySet<string>,
): Promise<void> {
  if (fields.has('managedPolicyArns')) {
    const managed = keyedDelta(desired.managedPolicyArns, observed.managedPolicyArns);
    for (const PolicyArn of managed.add) {
      await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
    }
    for (const PolicyArn of managed.remove) {
      await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }));
    }
  }
  if (!fields.has('inlinePolicies')) return;
  const [want, have] = [desired.inlinePolicies, observed.inlinePolicies];
  const inline = keyedDelta(Object.entries(want), Object.entries(have), { key: ([name]) => name });
  for (const [PolicyName, document] of [...inline.add, ...inline.change.map((c) => c.desired)]) {
    const PolicyDocument = JSON.stringify(document);
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument }));
  }
  for (const [PolicyName] of inline.remove) {
    await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
  }
}

/** detachEverything removes every policy from a role as IAM lists it now, so DeleteRole cannot conflict. */
async function detachEverything(iam: IAMClient, RoleName: string): Promise<void> {
  const [attached, inline] = await Promise.all([
    collect(paginateListAttachedRolePolicies({ client: iam }, { RoleName }), (page) =>
      page.AttachedPolicies?.map((policy) => policy.PolicyArn ?? ''),
    ),
    collect(paginateListRolePolicies({ client: iam }, { RoleName }), (page) => page.PolicyNames),
  ]);
  const now = {
    managedPolicyArns: attached,
    inlinePolicies: Object.fromEntries(inline.map((name) => [name, {}])),
  };
  const none = { managedPolicyArns: [], inlinePolicies: {} };
  await attachPolicies(iam, RoleName, none, now, new Set(Object.keys(none)));
}

/**
 * iamRoleHandler manages IAM roles under `/reconciler/<stack>/`, identified by role name (`id`).
 * Observe is one GetAccountAuthorizationDetails (roles with policies and tags) and, when a stack
 * in scope owns a role, one ListRoles for what the details omit. Role names are unique in the
 * account, so a role that lost our tags is found by name in the same details.
 */
export const iamRoleHandler = defineKind<IamRoleProperties, RoleLive>({
  kind: 'iam-role',
  fields: IAM_ROLE_FIELDS,
  after: ['db-instance'],
  tagging: iamRoleTagging,
  notFound: ['NoSuchEntity', 'NoSuchEntityException'],
  alreadyExists: ['EntityAlreadyExists'],
  // CreateRole takes no policies: update attaches them
  updateAfterCreate: true,
  iamActions: {
    read: [
      'iam:GetAccountAuthorizationDetails',
      'iam:ListRoles',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
    ],
    write: [
      'iam:CreateRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:UpdateRole',
      'iam:AttachRolePolicy',
      'iam:DetachRolePolicy',
      'iam:PutRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:DeleteRole',
    ],
    scope: {
      arn: 'arn:aws:iam::{account}:role/reconciler/{stack}/*',
      create: ['iam:CreateRole'],
      scopedReads: ['iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
    },
  },

  async list(ctx) {
    const details = (await authorizationDetails(ctx)).filter((detail) =>
      ctx.stacks.includes(tagListToMap(detail.Tags)[TAG_STACK] ?? ''),
    );
    if (details.length === 0) return [];
    const listed = await listedRoles(ctx);
    return details.map((detail) => ({ detail, listed: listed.get(detail.RoleName ?? '') }));
  },

  toObserved: liveRole,

  normalize: sortingSets('managedPolicyArns'),

  async create(ctx, desired) {
    const { roleName, path, assumeRolePolicy, description, maxSessionDuration } =
      desired.properties;
    const created = await ctx.clients.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        Path: path,
        AssumeRolePolicyDocument: JSON.stringify(assumeRolePolicy),
        Tags: tagMapToList(desired.tags),
        Description: description,
        MaxSessionDuration: maxSessionDuration,
      }),
    );
    return {
      id: roleName,
      properties: { ...desired.properties, managedPolicyArns: [], inlinePolicies: {} },
      attributes: { arn: created.Role?.Arn ?? '', name: roleName },
    };
  },

  /** update: the trust policy, the policies, then description and session duration in one UpdateRole. */
  async update(ctx, desired, observed, fields) {
    const RoleName = observed.id;
    const want = desired.properties;
    if (fields.has('assumeRolePolicy')) {
      const PolicyDocument = JSON.stringify(want.assumeRolePolicy);
      await ctx.clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument }));
    }
    await attachPolicies(ctx.clients.iam, RoleName, want, observed.properties, fields);
    if (fields.has('description') || fields.has('maxSessionDuration')) {
      // both at once: an UpdateRole without one of them may reset it
      await ctx.clients.iam.send(
        new UpdateRoleCommand({
          RoleName,
          Description: want.description,
          MaxSessionDuration: want.maxSessionDuration,
        }),
      );
    }
  },

  /** destroy detaches managed policies, deletes inline ones, then deletes the role. */
  async destroy(ctx, observed) {
    await detachEverything(ctx.clients.iam, observed.id);
    await ctx.clients.iam.send(new DeleteRoleCommand({ RoleName: observed.id }));
  },

  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await authorizationDetails(ctx),
      nameOf: (detail) => detail.RoleName,
      wanted: (resource) => resource.properties.roleName,
      toObserved: (detail: RoleDetail) => liveRole({ detail }),
    }),
});
