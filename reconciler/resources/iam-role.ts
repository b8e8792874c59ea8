import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  type Role,
  type RoleDetail,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { isNotFound } from '../aws/errors.ts';
import { isManagementTag, ownedBy, tagListToMap, tagMapToList } from '../aws/tags.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  changedFields,
  hasTagChanges,
  tagDelta,
  tagsAfterUpdate,
  wrapError,
} from './elbv2-common.ts';
import type {
  DeleteOptions,
  DesiredResource,
  FieldRule,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
  Tags,
} from './types.ts';

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
  const inlinePolicies: Record<string, PolicyDocument> = {};
  for (const policy of detail.RolePolicyList ?? []) {
    if (policy.PolicyName) {
      inlinePolicies[policy.PolicyName] = parsePolicyDocument(policy.PolicyDocument);
    }
  }
  const properties: IamRoleProperties = {
    roleName: detail.RoleName ?? '',
    path: detail.Path ?? '/',
    assumeRolePolicy: parsePolicyDocument(detail.AssumeRolePolicyDocument),
    managedPolicyArns: (detail.AttachedManagedPolicies ?? [])
      .map((policy) => policy.PolicyArn ?? '')
      .filter((arn) => arn !== '')
      .sort(),
    inlinePolicies,
  };
  if (listed?.Description) properties.description = listed.Description;
  if (listed?.MaxSessionDuration !== undefined) {
    properties.maxSessionDuration = listed.MaxSessionDuration;
  }
  return properties;
}

function observedRole(
  properties: IamRoleProperties,
  arn: string,
  owner: { stack: string; address: string },
  tags: Tags,
): ObservedResource<IamRoleProperties> {
  return {
    address: owner.address,
    kind: 'iam-role',
    stack: owner.stack,
    id: properties.roleName,
    properties,
    tags,
    status: 'ready',
    attributes: { id: properties.roleName, arn, name: properties.roleName },
  };
}

async function readAuthorizationDetails(ctx: ResourceContext): Promise<RoleDetail[]> {
  const roles: RoleDetail[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.clients.iam.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: ['Role'],
        MaxItems: IAM_PAGE_SIZE,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    roles.push(...(page.RoleDetailList ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return roles;
}

/** readListedRoles reads description and session duration, which the authorization details omit. */
async function readListedRoles(ctx: ResourceContext): Promise<Map<string, Role>> {
  const roles = new Map<string, Role>();
  let marker: string | undefined;
  do {
    const page = await ctx.clients.iam.send(
      new ListRolesCommand({
        PathPrefix: ROLE_PATH_PREFIX,
        MaxItems: IAM_PAGE_SIZE,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    for (const role of page.Roles ?? []) {
      if (role.RoleName) roles.set(role.RoleName, role);
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return roles;
}

async function observeAll(ctx: ResourceContext): Promise<ObservedResource<IamRoleProperties>[]> {
  if (ctx.stacks.length === 0) return [];
  const details = await readAuthorizationDetails(ctx);
  const owned = details.flatMap((detail) => {
    const tags = tagListToMap(detail.Tags);
    const owner = ownedBy(tags, ctx.stacks);
    return owner ? [{ detail, tags, owner }] : [];
  });
  if (owned.length === 0) return [];
  const listed = await readListedRoles(ctx);
  return owned.map(({ detail, tags, owner }) =>
    observedRole(
      observedRoleProperties(detail, listed.get(detail.RoleName ?? '')),
      detail.Arn ?? '',
      owner,
      tags,
    ),
  );
}

function normalize(properties: IamRoleProperties): IamRoleProperties {
  return { ...properties, managedPolicyArns: [...(properties.managedPolicyArns ?? [])].sort() };
}

function diff(
  desired: IamRoleProperties,
  observed: IamRoleProperties,
  desiredTags: Tags,
  observedTags: Tags,
): FieldChange[] {
  return [
    ...diffProperties(normalize(desired), normalize(observed), IAM_ROLE_FIELDS),
    ...diffTags(desiredTags, observedTags),
  ];
}

async function attachPolicies(
  ctx: ResourceContext,
  roleName: string,
  desired: IamRoleProperties,
  observed: Pick<IamRoleProperties, 'managedPolicyArns' | 'inlinePolicies'>,
  fields: Set<string>,
): Promise<void> {
  if (fields.has('managedPolicyArns')) {
    const want = new Set(desired.managedPolicyArns);
    const have = new Set(observed.managedPolicyArns);
    for (const arn of want) {
      if (!have.has(arn)) {
        await ctx.clients.iam.send(
          new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }),
        );
      }
    }
    for (const arn of have) {
      if (!want.has(arn)) {
        await ctx.clients.iam.send(
          new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }),
        );
      }
    }
  }
  if (fields.has('inlinePolicies')) {
    for (const [name, document] of Object.entries(desired.inlinePolicies)) {
      const current = observed.inlinePolicies[name];
      if (current && diffProperties({ document }, { document: current }, {}).length === 0) continue;
      await ctx.clients.iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: name,
          PolicyDocument: JSON.stringify(document),
        }),
      );
    }
    for (const name of Object.keys(observed.inlinePolicies)) {
      if (!(name in desired.inlinePolicies)) {
        await ctx.clients.iam.send(
          new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }),
        );
      }
    }
  }
}

async function create(
  ctx: ResourceContext,
  desired: DesiredResource<IamRoleProperties>,
): Promise<ObservedResource<IamRoleProperties>> {
  const properties = normalize(desired.properties);
  const { roleName } = properties;
  try {
    const created = await ctx.clients.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        Path: properties.path,
        AssumeRolePolicyDocument: JSON.stringify(properties.assumeRolePolicy),
        Tags: tagMapToList(desired.tags),
        ...(properties.description !== undefined ? { Description: properties.description } : {}),
        ...(properties.maxSessionDuration !== undefined
          ? { MaxSessionDuration: properties.maxSessionDuration }
          : {}),
      }),
    );
    await attachPolicies(
      ctx,
      roleName,
      properties,
      { managedPolicyArns: [], inlinePolicies: {} },
      new Set(['managedPolicyArns', 'inlinePolicies']),
    );
    return observedRole(properties, created.Role?.Arn ?? '', desired, desired.tags);
  } catch (err) {
    throw wrapError(`cannot create iam role ${roleName} (${desired.address})`, err);
  }
}

async function update(
  ctx: ResourceContext,
  desired: DesiredResource<IamRoleProperties>,
  observed: ObservedResource<IamRoleProperties>,
  changes: FieldChange[],
): Promise<ObservedResource<IamRoleProperties>> {
  const roleName = observed.id;
  const want = normalize(desired.properties);
  const fields = changedFields(changes);
  const properties: IamRoleProperties = { ...observed.properties };
  try {
    if (fields.has('assumeRolePolicy')) {
      await ctx.clients.iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: roleName,
          PolicyDocument: JSON.stringify(want.assumeRolePolicy),
        }),
      );
      properties.assumeRolePolicy = want.assumeRolePolicy;
    }
    await attachPolicies(ctx, roleName, want, observed.properties, fields);
    if (fields.has('managedPolicyArns')) properties.managedPolicyArns = want.managedPolicyArns;
    if (fields.has('inlinePolicies')) properties.inlinePolicies = want.inlinePolicies;
    if (fields.has('description') || fields.has('maxSessionDuration')) {
      await ctx.clients.iam.send(
        new UpdateRoleCommand({
          RoleName: roleName,
          ...(fields.has('description') ? { Description: want.description ?? '' } : {}),
          ...(fields.has('maxSessionDuration') && want.maxSessionDuration !== undefined
            ? { MaxSessionDuration: want.maxSessionDuration }
            : {}),
        }),
      );
      if (fields.has('description')) properties.description = want.description;
      if (fields.has('maxSessionDuration')) properties.maxSessionDuration = want.maxSessionDuration;
    }
    let tags = observed.tags;
    if (hasTagChanges(changes)) {
      const delta = tagDelta(desired.tags, observed.tags);
      if (Object.keys(delta.set).length > 0) {
        await ctx.clients.iam.send(
          new TagRoleCommand({ RoleName: roleName, Tags: tagMapToList(delta.set) }),
        );
      }
      if (delta.remove.length > 0) {
        await ctx.clients.iam.send(
          new UntagRoleCommand({ RoleName: roleName, TagKeys: delta.remove }),
        );
      }
      tags = tagsAfterUpdate(desired.tags, observed.tags);
    }
    return { ...observed, properties, tags };
  } catch (err) {
    throw wrapError(`cannot update iam role ${roleName} (${observed.address})`, err);
  }
}

/** detachEverything removes every policy from a role as IAM lists it now, so DeleteRole cannot conflict. */
async function detachEverything(ctx: ResourceContext, roleName: string): Promise<void> {
  let marker: string | undefined;
  do {
    const page = await ctx.clients.iam.send(
      new ListAttachedRolePoliciesCommand({
        RoleName: roleName,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    for (const policy of page.AttachedPolicies ?? []) {
      await ctx.clients.iam.send(
        new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn }),
      );
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  do {
    const page = await ctx.clients.iam.send(
      new ListRolePoliciesCommand({ RoleName: roleName, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const name of page.PolicyNames ?? []) {
      await ctx.clients.iam.send(
        new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }),
      );
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
}

/** remove detaches managed policies, deletes inline ones, then deletes the role; retain only untags. */
async function remove(
  ctx: ResourceContext,
  observed: ObservedResource<IamRoleProperties>,
  options: DeleteOptions,
): Promise<void> {
  const roleName = observed.id;
  try {
    if (options.deletionPolicy === 'delete') {
      await detachEverything(ctx, roleName);
      await ctx.clients.iam.send(new DeleteRoleCommand({ RoleName: roleName }));
      return;
    }
    const keys = Object.keys(observed.tags).filter(isManagementTag).sort();
    if (keys.length > 0) {
      await ctx.clients.iam.send(new UntagRoleCommand({ RoleName: roleName, TagKeys: keys }));
    }
  } catch (err) {
    if (isNotFound(err)) return;
    throw wrapError(`cannot delete iam role ${roleName} (${observed.address})`, err);
  }
}

/** iamRoleHandler manages IAM roles under `/reconciler/<stack>/`, identified by role name (`id`). */
export const iamRoleHandler: ResourceHandler<IamRoleProperties> = {
  kind: 'iam-role',
  fields: IAM_ROLE_FIELDS,
  observeAll,
  diff,
  create,
  update,
  delete: remove,
};
