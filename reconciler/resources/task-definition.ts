import {
  type ContainerDefinition as AwsContainerDefinition,
  type TaskDefinition as AwsTaskDefinition,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandOutput,
  paginateListTaskDefinitionFamilies,
  paginateListTaskDefinitions,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { TAG_STACK, tagListToMap } from '../aws/tags.ts';
import { defineKind, type Live } from './kit/define-kind.ts';
import { sortedValues } from './kit/json.ts';
import { collect } from './kit/paginate.ts';
import { resolved } from './kit/refs.ts';
import { ecsTagging, ecsTagList } from './kit/tagging/ecs.ts';
import type { DesiredResource, FieldRule, Ref, ResourceContext } from './types.ts';

/** ContainerSecret is one secret environment variable; `jsonKey` selects a key of a JSON Secrets Manager secret. */
export interface ContainerSecret {
  name: string;
  valueFrom: string | Ref;
  jsonKey?: string;
}

/** ContainerDefinition is the part of an ECS container definition the reconciler manages. */
export interface ContainerDefinition {
  name: string;
  /** A Ref for an image of the stack's registry: the repository's `uri` and `:<tag>`. */
  image: string | Ref;
  essential: boolean;
  command?: string[];
  portMappings: { containerPort: number; hostPort: number; protocol: string }[];
  environment: { name: string; value: string | Ref }[];
  secrets: ContainerSecret[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
  healthCheck?: {
    command: string[];
    interval: number;
    timeout: number;
    retries: number;
    startPeriod: number;
  };
}

/** TaskDefinitionProperties mirror RegisterTaskDefinition's input (cpu and memory as strings, as AWS returns them). */
export interface TaskDefinitionProperties extends Record<string, unknown> {
  family: string;
  cpu: string;
  memory: string;
  networkMode: string;
  requiresCompatibilities: string[];
  executionRoleArn: string | Ref;
  taskRoleArn: string | Ref;
  containerDefinitions: ContainerDefinition[];
}

/**
 * TASK_DEFINITION_FIELDS: a task definition revision is immutable, so every change registers a
 * new revision of the same family; the engine sees that as an in-place `update` (the family, the
 * identity, is the only field that would need a new resource). AWS-added members (essential,
 * empty mountPoints/volumesFrom/systemControls, default protocol, hostPort, compatibilities order)
 * are normalized away by observe, so they never show as drift.
 */
export const TASK_DEFINITION_FIELDS: Record<keyof TaskDefinitionProperties, FieldRule> = {
  family: 'replace',
  cpu: 'update',
  memory: 'update',
  networkMode: 'update',
  requiresCompatibilities: 'update',
  executionRoleArn: 'update',
  taskRoleArn: 'update',
  containerDefinitions: 'update',
};

/** KEEP_REVISIONS is how many of the newest ACTIVE revisions of a family survive a register. */
export const KEEP_REVISIONS = 3;

const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:/;

/**
 * splitSecretValueFrom splits `arn:...:secret:name-AbCdEf:jsonKey::` into the secret ARN and its
 * JSON key, so a secret observed from AWS compares with the desired `{ valueFrom, jsonKey }`.
 */
export function splitSecretValueFrom(valueFrom: string): { valueFrom: string; jsonKey?: string } {
  if (!SECRETS_MANAGER_ARN.test(valueFrom)) return { valueFrom };
  const parts = valueFrom.split(':');
  if (parts.length <= 7) return { valueFrom };
  const [jsonKey = '', versionStage = '', versionId = ''] = parts.slice(7);
  if (versionStage !== '' || versionId !== '' || jsonKey === '') return { valueFrom };
  return { valueFrom: parts.slice(0, 7).join(':'), jsonKey };
}

/** joinSecretValueFrom is the inverse of splitSecretValueFrom: the valueFrom ECS expects. */
export function joinSecretValueFrom(secret: { valueFrom: string; jsonKey?: string }): string {
  return secret.jsonKey ? `${secret.valueFrom}:${secret.jsonKey}::` : secret.valueFrom;
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * normalizeContainer reduces an ECS container definition (as DescribeTaskDefinition returns it)
 * to the managed shape: essential defaults to true, protocol to tcp, hostPort to containerPort
 * (awsvpc), environment and secrets sorted by name, empty command dropped.
 */
export function normalizeContainer(container: AwsContainerDefinition): ContainerDefinition {
  const normalized: ContainerDefinition = {
    name: container.name ?? '',
    image: container.image ?? '',
    essential: container.essential ?? true,
    portMappings: (container.portMappings ?? []).map((mapping) => ({
      containerPort: mapping.containerPort ?? 0,
      hostPort: mapping.hostPort ?? mapping.containerPort ?? 0,
      protocol: mapping.protocol ?? 'tcp',
    })),
    environment: (container.environment ?? [])
      .map((variable) => ({ name: variable.name ?? '', value: variable.value ?? '' }))
      .sort(byName),
    secrets: (container.secrets ?? [])
      .map((secret) => ({
        name: secret.name ?? '',
        ...splitSecretValueFrom(secret.valueFrom ?? ''),
      }))
      .sort(byName),
    logConfiguration: {
      logDriver: container.logConfiguration?.logDriver ?? '',
      options: { ...(container.logConfiguration?.options ?? {}) },
    },
  };
  if (container.command && container.command.length > 0)
    normalized.command = [...container.command];
  if (container.healthCheck?.command) {
    normalized.healthCheck = {
      command: [...container.healthCheck.command],
      interval: container.healthCheck.interval ?? 30,
      timeout: container.healthCheck.timeout ?? 5,
      retries: container.healthCheck.retries ?? 3,
      startPeriod: container.healthCheck.startPeriod ?? 0,
    };
  }
  return normalized;
}

/** normalizeTaskDefinition turns a described task definition into TaskDefinitionProperties. */
export function normalizeTaskDefinition(
  taskDefinition: AwsTaskDefinition,
): TaskDefinitionProperties {
  return {
    family: taskDefinition.family ?? '',
    cpu: String(taskDefinition.cpu ?? ''),
    memory: String(taskDefinition.memory ?? ''),
    networkMode: taskDefinition.networkMode ?? 'bridge',
    requiresCompatibilities: [...(taskDefinition.requiresCompatibilities ?? [])].sort(),
    executionRoleArn: taskDefinition.executionRoleArn ?? '',
    taskRoleArn: taskDefinition.taskRoleArn ?? '',
    containerDefinitions: (taskDefinition.containerDefinitions ?? []).map(normalizeContainer),
  };
}

/**
 * familiesInScope keeps the distinct families named `<stack>-<service>` for a stack in scope.
 * A name alone cannot tell stack `a`'s family `a-b-api` from stack `a-b`'s `api`: the kit confirms
 * ownership from the tags of the described revision.
 */
export function familiesInScope(families: readonly string[], stacks: readonly string[]): string[] {
  const prefixes = stacks.map((stack) => `${stack}-`);
  return [...new Set(families)].filter((family) =>
    prefixes.some((prefix) => family.startsWith(prefix) && family.length > prefix.length),
  );
}

/**
 * taskDefinitionHandler manages one task definition family per service (`<stack>-<service>`).
 * Observe lists the ACTIVE families once for all stacks (ListTaskDefinitionFamilies), keeps those
 * of the stacks in scope and describes the newest ACTIVE revision of each. A revision is
 * immutable: every change registers a new one (its `id`, `arn` and `revision` change) and
 * deregisters this stack's revisions beyond the newest KEEP_REVISIONS.
 */
export const taskDefinitionHandler = defineKind<TaskDefinitionProperties, Described>({
  kind: 'task-definition',
  fields: TASK_DEFINITION_FIELDS,
  attributesChangedByUpdate: ['id', 'arn', 'revision'],
  after: ['iam-role', 'log-group', 'ecr-repository'],
  tagging: ecsTagging,
  iamActions: {
    read: [
      'ecs:ListTaskDefinitionFamilies',
      'ecs:DescribeTaskDefinition',
      'ecs:ListTaskDefinitions',
    ],
    // registering passes the task and execution roles to ECS
    write: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'iam:PassRole'],
    scope: {
      arn: 'arn:aws:ecs:*:{account}:task-definition/*',
      create: ['ecs:RegisterTaskDefinition'],
      unscoped: ['ecs:DeregisterTaskDefinition'],
    },
  },

  async list(ctx) {
    const families = await collect(
      paginateListTaskDefinitionFamilies({ client: ctx.clients.ecs }, { status: 'ACTIVE' }),
      (page) => page.families,
    );
    return Promise.all(
      familiesInScope(families, ctx.stacks).map((family) =>
        ctx.clients.ecs.send(
          new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }),
        ),
      ),
    );
  },

  toObserved: ({ taskDefinition, tags }) =>
    taskDefinition?.status === 'ACTIVE'
      ? liveTaskDefinition(taskDefinition, tagListToMap(tags))
      : undefined,

  normalize: (properties) => ({
    ...properties,
    requiresCompatibilities: sortedValues(properties.requiresCompatibilities),
    containerDefinitions: properties.containerDefinitions.map((container) => ({
      ...container,
      environment: [...container.environment].sort(byName),
      secrets: [...container.secrets].sort(byName),
    })),
  }),

  async create(ctx, desired) {
    return liveTaskDefinition(await register(ctx, desired), { ...desired.tags });
  },

  /** Any change is a new revision, registered with every desired field at once. */
  async update(ctx, desired) {
    const registered = liveTaskDefinition(await register(ctx, desired), { ...desired.tags });
    await pruneRevisions(ctx, desired.properties.family, desired.stack);
    return registered;
  },

  async destroy(ctx, observed) {
    for (const arn of await activeRevisionArns(ctx, observed.properties.family)) {
      await ctx.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    }
  },
});

type Described = Pick<DescribeTaskDefinitionCommandOutput, 'taskDefinition' | 'tags'>;

function liveTaskDefinition(
  taskDefinition: AwsTaskDefinition,
  tags: Record<string, string>,
): Live<TaskDefinitionProperties> {
  const arn = taskDefinition.taskDefinitionArn ?? '';
  return {
    id: arn,
    properties: normalizeTaskDefinition(taskDefinition),
    tags,
    status: taskDefinition.status === 'DELETE_IN_PROGRESS' ? 'deleting' : 'ready',
    attributes: {
      arn,
      family: taskDefinition.family ?? '',
      revision: String(taskDefinition.revision ?? ''),
    },
  };
}

async function register(
  ctx: ResourceContext,
  desired: DesiredResource<TaskDefinitionProperties>,
): Promise<AwsTaskDefinition> {
  const properties = desired.properties;
  const output = await ctx.clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: properties.family,
      cpu: properties.cpu,
      memory: properties.memory,
      networkMode: properties.networkMode as 'awsvpc',
      requiresCompatibilities: properties.requiresCompatibilities as 'FARGATE'[],
      executionRoleArn: resolved(properties.executionRoleArn, 'executionRoleArn'),
      taskRoleArn: resolved(properties.taskRoleArn, 'taskRoleArn'),
      containerDefinitions: properties.containerDefinitions.map(awsContainer),
      tags: ecsTagList(desired.tags),
    }),
  );
  if (!output.taskDefinition) throw new Error('RegisterTaskDefinition returned no task definition');
  return output.taskDefinition;
}

function awsContainer(container: ContainerDefinition): AwsContainerDefinition {
  return {
    name: container.name,
    image: resolved(container.image, 'image'),
    essential: container.essential,
    ...(container.command ? { command: container.command } : {}),
    portMappings: container.portMappings.map((mapping) => ({
      ...mapping,
      protocol: mapping.protocol as 'tcp',
    })),
    environment: container.environment.map((variable) => ({
      name: variable.name,
      value: resolved(variable.value, `environment ${variable.name}`),
    })),
    secrets: container.secrets.map((secret) => ({
      name: secret.name,
      valueFrom: joinSecretValueFrom({
        valueFrom: resolved(secret.valueFrom, `secret ${secret.name}`),
        ...(secret.jsonKey ? { jsonKey: secret.jsonKey } : {}),
      }),
    })),
    logConfiguration: {
      logDriver: container.logConfiguration.logDriver as 'awslogs',
      options: container.logConfiguration.options,
    },
    ...(container.healthCheck ? { healthCheck: container.healthCheck } : {}),
  };
}

function revisionOf(arn: string): number {
  return Number(arn.slice(arn.lastIndexOf(':') + 1));
}

function familyOf(arn: string): string {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  return name.slice(0, name.lastIndexOf(':'));
}

/** activeRevisionArns lists the ACTIVE revision ARNs of one family, newest first. */
async function activeRevisionArns(ctx: ResourceContext, family: string): Promise<string[]> {
  const arns = await collect(
    paginateListTaskDefinitions(
      { client: ctx.clients.ecs },
      { familyPrefix: family, status: 'ACTIVE', sort: 'DESC' },
    ),
    (page) => page.taskDefinitionArns,
  );
  return arns
    .filter((arn) => familyOf(arn) === family)
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/**
 * pruneRevisions deregisters the ACTIVE revisions of `family` beyond the newest KEEP_REVISIONS that
 * carry this stack's tag (revisions registered by hand are left alone). A failure is only logged:
 * the new revision is already registered.
 */
async function pruneRevisions(ctx: ResourceContext, family: string, stack: string): Promise<void> {
  try {
    for (const arn of (await activeRevisionArns(ctx, family)).slice(KEEP_REVISIONS)) {
      const described = await ctx.clients.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
      );
      if (tagListToMap(described.tags)[TAG_STACK] !== stack) continue;
      await ctx.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    }
  } catch (err) {
    ctx.log.warn({ family, err }, 'cannot deregister old task definition revisions');
  }
}
