import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  GetInstanceProfileCommand,
  type InstanceProfile,
  paginateListInstanceProfiles,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { errorCode } from '../aws/errors.ts';
import { tagListToMap, tagMapToList } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { required } from './kit/errors.ts';
import { collect } from './kit/paginate.ts';
import { readEach } from './kit/read-each.ts';
import { resolved } from './kit/refs.ts';
import { iamInstanceProfileTagging } from './kit/tagging/iam.ts';
import type { FieldRule, Ref, ResourceContext } from './types.ts';

/** InstanceProfileProperties: an IAM instance profile (what EC2 instances get a role through) and its one role. */
export type InstanceProfileProperties = {
  name: string;
  path: string;
  /** The role EC2 instances launched with the profile assume; '' when it holds none. */
  roleName: string | Ref;
};

/** INSTANCE_PROFILE_FIELDS: name and path are the identity (the ARN holds both); the role is swapped in place. */
export const INSTANCE_PROFILE_FIELDS: Record<keyof InstanceProfileProperties, FieldRule> = {
  name: 'replace',
  path: 'replace',
  roleName: 'update',
};

const PROFILE_GONE = ['NoSuchEntity', 'NoSuchEntityException'];

/** PROFILE_PATH_PREFIX is the path every reconciler profile lives under (`/reconciler/<stack>/`). */
const PROFILE_PATH_PREFIX = '/reconciler/';

function liveProfile(profile: InstanceProfile): Live<InstanceProfileProperties> {
  const name = profile.InstanceProfileName ?? '';
  return {
    id: name,
    properties: {
      name,
      path: profile.Path ?? '/',
      roleName: profile.Roles?.[0]?.RoleName ?? '',
    },
    tags: tagListToMap(profile.Tags),
    attributes: { arn: profile.Arn ?? '', name },
  };
}

/** stackOfPath is the stack a `/reconciler/<stack>/` path belongs to. */
function stackOfPath(path: string | undefined): string | undefined {
  return path?.startsWith(PROFILE_PATH_PREFIX) ? path.split('/')[2] : undefined;
}

async function swapRole(ctx: ResourceContext, name: string, from: string, to: string) {
  if (from) {
    await ctx.clients.iam.send(
      new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: from }),
    );
  }
  if (to) {
    try {
      await ctx.clients.iam.send(
        new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: to }),
      );
    } catch (err) {
      // a profile holds one role: a retry of this add whose answer was lost finds it full, with ours
      if (errorCode(err) !== 'LimitExceeded') throw err;
      const got = await ctx.clients.iam.send(
        new GetInstanceProfileCommand({ InstanceProfileName: name }),
      );
      if (got.InstanceProfile?.Roles?.[0]?.RoleName !== to) throw err;
    }
  }
}

/**
 * instanceProfileHandler manages IAM instance profiles under `/reconciler/<stack>/`, identified
 * by name. Observe is one ListInstanceProfiles under the reconciler's path (it carries no tags
 * on AWS) and one GetInstanceProfile for each profile under a path of a stack in scope.
 */
export const instanceProfileHandler = defineKind<InstanceProfileProperties, InstanceProfile>({
  kind: 'instance-profile',
  fields: INSTANCE_PROFILE_FIELDS,
  after: ['iam-role'],
  tagging: iamInstanceProfileTagging,
  notFound: PROFILE_GONE,
  alreadyExists: ['EntityAlreadyExists'],
  iamActions: {
    read: ['iam:ListInstanceProfiles', 'iam:GetInstanceProfile'],
    write: [
      'iam:CreateInstanceProfile',
      'iam:AddRoleToInstanceProfile',
      'iam:RemoveRoleFromInstanceProfile',
      'iam:DeleteInstanceProfile',
    ],
    scope: {
      arn: 'arn:aws:iam::{account}:instance-profile/reconciler/{stack}/*',
      create: ['iam:CreateInstanceProfile'],
      scopedReads: ['iam:GetInstanceProfile'],
    },
  },

  async list(ctx) {
    const listed = await collect(
      paginateListInstanceProfiles(
        { client: ctx.clients.iam },
        { PathPrefix: PROFILE_PATH_PREFIX },
      ),
      (page) => page.InstanceProfiles,
    );
    const inScope = listed.filter((profile) =>
      ctx.stacks.includes(stackOfPath(profile.Path) ?? ''),
    );
    return readEach(inScope, [], async (profile) => {
      const got = await ctx.clients.iam.send(
        new GetInstanceProfileCommand({ InstanceProfileName: profile.InstanceProfileName }),
      );
      return got.InstanceProfile ?? profile;
    });
  },

  toObserved: liveProfile,

  /** Profile names are unique in the account: one GetInstanceProfile per wanted name. */
  findByName: async (ctx, desired) =>
    readEach(desired, PROFILE_GONE, async (resource) => {
      const got = await ctx.clients.iam.send(
        new GetInstanceProfileCommand({ InstanceProfileName: resource.properties.name }),
      );
      return {
        ...liveProfile(required(got.InstanceProfile, 'GetInstanceProfile returned no profile')),
        address: resource.address,
      };
    }),

  async create(ctx, desired) {
    const { name, path } = desired.properties;
    const roleName = resolved(desired.properties.roleName, 'roleName');
    const created = await ctx.clients.iam.send(
      new CreateInstanceProfileCommand({
        InstanceProfileName: name,
        Path: path,
        Tags: tagMapToList(desired.tags),
      }),
    );
    await swapRole(ctx, name, '', roleName);
    return {
      id: name,
      properties: { name, path, roleName },
      tags: { ...desired.tags },
      attributes: { arn: created.InstanceProfile?.Arn ?? '', name },
    };
  },

  updaters: {
    roleName: (ctx, desired, observed) =>
      swapRole(
        ctx,
        observed.id,
        resolved(observed.properties.roleName, 'roleName'),
        resolved(desired.properties.roleName, 'roleName'),
      ),
  },

  /** destroy takes the role out first: IAM refuses to delete a profile that holds one. */
  async destroy(ctx, observed) {
    await swapRole(ctx, observed.id, resolved(observed.properties.roleName, 'roleName'), '');
    await ctx.clients.iam.send(
      new DeleteInstanceProfileCommand({ InstanceProfileName: observed.id }),
    );
  },
});
