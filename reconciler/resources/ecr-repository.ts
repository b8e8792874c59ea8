import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  GetLifecyclePolicyCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  paginateDescribeRepositories,
  type Repository,
} from '@aws-sdk/client-ecr';
import { errorCode } from '../aws/errors.ts';
import { type Tags, tagListToMap, tagMapToList } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { ResourceError } from './kit/errors.ts';
import { memoized } from './kit/memo.ts';
import { foundByName } from './kit/names.ts';
import { pick } from './kit/outputs.ts';
import { collect } from './kit/paginate.ts';
import { readEach } from './kit/read-each.ts';
import { ecrTagging } from './kit/tagging/ecr.ts';
import type { FieldRule, ResourceContext } from './types.ts';

/** LifecyclePolicy is an ECR lifecycle policy document; no rules means no policy at all. */
export type LifecyclePolicy = { rules: Record<string, unknown>[] };

/** EcrRepositoryProperties: an ECR repository as the spec and observe describe it. */
export type EcrRepositoryProperties = {
  name: string;
  tagMutability: 'IMMUTABLE' | 'MUTABLE';
  scanOnPush: boolean;
  encryption: 'AES256' | 'KMS';
  /** Absent: whatever key AWS chose (the AWS managed key aws/ecr for KMS). */
  kmsKeyArn?: string;
  lifecyclePolicy: LifecyclePolicy;
};

/** ECR_REPOSITORY_FIELDS: encryption is fixed at creation; the rest changes in place. */
export const ECR_REPOSITORY_FIELDS: Record<keyof EcrRepositoryProperties, FieldRule> = {
  name: 'replace',
  tagMutability: 'update',
  scanOnPush: 'update',
  encryption: 'replace',
  kmsKeyArn: 'replace',
  lifecyclePolicy: 'update',
};

/**
 * TAG_FORCE_DELETE records `force: true` on the repository itself, so a destroy or a removal
 * from the spec (which see only what AWS holds, there is no state file) knows it may delete images.
 */
export const TAG_FORCE_DELETE = 'reconciler:force-delete';

const NOT_FOUND = ['RepositoryNotFoundException'];
const NO_POLICY = 'LifecyclePolicyNotFoundException';

/** repositoryName is the ECR name of a stack's repository: `<stack>/<name>`. */
export function repositoryName(stack: string, name: string): string {
  return `${stack}/${name}`;
}

/** normalizePolicy orders rules by priority, so two documents compare as JSON, not as text. */
export function normalizePolicy(policy: LifecyclePolicy): LifecyclePolicy {
  const priority = (rule: Record<string, unknown>) => Number(rule.rulePriority ?? 0);
  return { rules: [...policy.rules].sort((a, b) => priority(a) - priority(b)) };
}

type ReadRepository = { repository: Repository; tags: Tags; policy: LifecyclePolicy };

function liveRepository({ repository, tags, policy }: ReadRepository) {
  const encryption = repository.encryptionConfiguration;
  const properties: EcrRepositoryProperties = {
    name: repository.repositoryName ?? '',
    tagMutability: repository.imageTagMutability === 'IMMUTABLE' ? 'IMMUTABLE' : 'MUTABLE',
    scanOnPush: repository.imageScanningConfiguration?.scanOnPush ?? false,
    encryption: encryption?.encryptionType === 'KMS' ? 'KMS' : 'AES256',
    lifecyclePolicy: policy,
  };
  if (encryption?.kmsKey) properties.kmsKeyArn = encryption.kmsKey;
  return {
    id: properties.name,
    properties,
    tags,
    attributes: {
      arn: repository.repositoryArn ?? '',
      uri: repository.repositoryUri ?? '',
      name: properties.name,
    },
  } satisfies Live<EcrRepositoryProperties>;
}

/** allRepositories is every repository of the region, read once a pass (observe and the name look-up). */
function allRepositories(ctx: ResourceContext): Promise<Repository[]> {
  return memoized(ctx, 'ecr:DescribeRepositories', () =>
    collect(
      paginateDescribeRepositories({ client: ctx.clients.ecr, pageSize: 1000 }, {}),
      (page) => page.repositories,
    ),
  );
}

/** read completes a listed repository with its tags and lifecycle policy (ECR has no batch form). */
async function read(ctx: ResourceContext, repository: Repository): Promise<ReadRepository> {
  const repositoryName = repository.repositoryName;
  const [listed, policy] = await Promise.all([
    ctx.clients.ecr.send(new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn })),
    ctx.clients.ecr.send(new GetLifecyclePolicyCommand({ repositoryName })).then(
      (found) => JSON.parse(found.lifecyclePolicyText ?? '{}') as Partial<LifecyclePolicy>,
      (err: unknown) => {
        if (errorCode(err) === NO_POLICY) return { rules: [] };
        throw err;
      },
    ),
  ]);
  return { repository, tags: tagListToMap(listed.tags), policy: { rules: policy.rules ?? [] } };
}

async function putPolicy(ctx: ResourceContext, repositoryName: string, policy: LifecyclePolicy) {
  if (policy.rules.length > 0) {
    const lifecyclePolicyText = JSON.stringify(policy);
    await ctx.clients.ecr.send(
      new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText }),
    );
    return;
  }
  try {
    await ctx.clients.ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName }));
  } catch (err) {
    if (errorCode(err) !== NO_POLICY) throw err;
  }
}

/**
 * ecrRepositoryHandler manages ECR repositories named `<stack>/<name>`, tagged at creation.
 * Observe is one paginated DescribeRepositories of the region; only the names of the stacks in
 * scope get their tags and lifecycle policy read. A repository that still holds images is
 * deleted only when it carries TAG_FORCE_DELETE (`force: true` in the spec).
 */
export const ecrRepositoryHandler = defineKind<EcrRepositoryProperties, ReadRepository>({
  kind: 'ecr-repository',
  outputs: (repository) => pick(repository.attributes, ['uri']),
  fields: ECR_REPOSITORY_FIELDS,
  protected: true,
  after: [],
  tagging: ecrTagging,
  tagTarget: (repository) => repository.attributes.arn ?? '',
  notFound: NOT_FOUND,
  alreadyExists: ['RepositoryAlreadyExistsException'],
  iamActions: {
    read: ['ecr:DescribeRepositories', 'ecr:ListTagsForResource', 'ecr:GetLifecyclePolicy'],
    write: [
      'ecr:CreateRepository',
      'ecr:PutImageTagMutability',
      'ecr:PutImageScanningConfiguration',
      'ecr:PutLifecyclePolicy',
      'ecr:DeleteLifecyclePolicy',
      'ecr:DeleteRepository',
      // a KMS-encrypted repository: ECR takes a grant on the key at creation, retires it at deletion
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:RetireGrant',
    ],
    scope: {
      arn: 'arn:aws:ecr:*:{account}:repository/{stack}/*',
      create: ['ecr:CreateRepository'],
    },
  },

  async list(ctx) {
    const prefixes = ctx.stacks.map((stack) => repositoryName(stack, ''));
    const inScope = (await allRepositories(ctx)).filter((repository) =>
      prefixes.some((prefix) => repository.repositoryName?.startsWith(prefix)),
    );
    return readEach(inScope, NOT_FOUND, (repository) => read(ctx, repository));
  },

  toObserved: liveRepository,

  normalize: (properties) => ({
    ...properties,
    lifecyclePolicy: normalizePolicy(properties.lifecyclePolicy),
  }),

  async create(ctx, desired) {
    const { name, tagMutability, scanOnPush, encryption, kmsKeyArn, lifecyclePolicy } =
      desired.properties;
    const created = await ctx.clients.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageTagMutability: tagMutability,
        imageScanningConfiguration: { scanOnPush },
        encryptionConfiguration: {
          encryptionType: encryption,
          ...(kmsKeyArn ? { kmsKey: kmsKeyArn } : {}),
        },
        tags: tagMapToList(desired.tags),
      }),
    );
    if (!created.repository) throw new Error('CreateRepository returned no repository');
    await putPolicy(ctx, name, lifecyclePolicy);
    return liveRepository({
      repository: created.repository,
      tags: { ...desired.tags },
      policy: lifecyclePolicy,
    });
  },

  updaters: {
    tagMutability: async (ctx, { properties: { tagMutability } }, { id: repositoryName }) => {
      await ctx.clients.ecr.send(
        new PutImageTagMutabilityCommand({ repositoryName, imageTagMutability: tagMutability }),
      );
    },
    scanOnPush: async (ctx, { properties: { scanOnPush } }, { id: repositoryName }) => {
      await ctx.clients.ecr.send(
        new PutImageScanningConfigurationCommand({
          repositoryName,
          imageScanningConfiguration: { scanOnPush },
        }),
      );
    },
    lifecyclePolicy: (ctx, { properties: { lifecyclePolicy } }, { id }) =>
      putPolicy(ctx, id, lifecyclePolicy),
  },

  async destroy(ctx, observed) {
    const force = observed.tags[TAG_FORCE_DELETE] === 'true';
    try {
      await ctx.clients.ecr.send(
        new DeleteRepositoryCommand({ repositoryName: observed.id, force }),
      );
    } catch (err) {
      if (errorCode(err) !== 'RepositoryNotEmptyException') throw err;
      throw new ResourceError(
        `cannot delete ${observed.address}: repository ${observed.id} still holds images, and deleting it deletes them: set force: true on it and apply, or keep it with deletionPolicy retain`,
        {
          kind: 'ecr-repository',
          address: observed.address,
          operation: 'delete',
          disposition: 'terminal',
          cause: err,
        },
      );
    }
  },

  findByName: async (ctx, desired) =>
    foundByName({
      desired,
      listed: await allRepositories(ctx),
      nameOf: (repository) => repository.repositoryName,
      notFound: NOT_FOUND,
      read: (repository) => read(ctx, repository),
      toObserved: liveRepository,
    }),
});
