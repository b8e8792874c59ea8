import {
  type ContainerDefinition as AwsContainerDefinition,
  type TaskDefinition as AwsTaskDefinition,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { errorCode } from '../aws/errors.ts';
import { ownedBy, TAG_STACK, tagListToMap } from '../aws/tags.ts';
import { kindOf } from '../graph/addresses.ts';
import { diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  changedFields,
  ecsTagList,
  hasTagChanges,
  paginate,
  removeEcsManagementTags,
  syncEcsTags,
} from './ecs-common.ts';
import type {
  DeleteOptions,
  DesiredResource,
  FieldRule,
  ObservedResource,
  Ref,
  ResourceContext,
  ResourceHandler,
  Tags,
} from './types.ts';

/** ContainerSecret is one secret environment variable; `jsonKey` selects a key of a JSON Secrets Manager secret. */
export interface ContainerSecret {
  name: string;
  valueFrom: string | Ref;
  jsonKey?: string;
}

/** ContainerDefinition is the part of an ECS container definition the reconciler manages. */
export interface ContainerDefinition {
  name: string;
  image: string;
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

/** sortDesiredLists orders the set-like lists of desired properties the way observe reports them. */
function sortDesiredLists(properties: TaskDefinitionProperties): TaskDefinitionProperties {
  return {
    ...properties,
    requiresCompatibilities: [...properties.requiresCompatibilities].sort(),
    containerDefinitions: properties.containerDefinitions.map((container) => ({
      ...container,
      environment: [...container.environment].sort(byName),
      secrets: [...container.secrets].sort(byName),
    })),
  };
}

function observedTaskDefinition(
  stack: string,
  address: string,
  taskDefinition: AwsTaskDefinition,
  tags: Tags,
): ObservedResource<TaskDefinitionProperties> {
  const arn = taskDefinition.taskDefinitionArn ?? '';
  return {
    address,
    kind: 'task-definition',
    stack,
    id: arn,
    properties: normalizeTaskDefinition(taskDefinition),
    tags,
    status: taskDefinition.status === 'DELETE_IN_PROGRESS' ? 'deleting' : 'ready',
    attributes: {
      id: arn,
      arn,
      family: taskDefinition.family ?? '',
      revision: String(taskDefinition.revision ?? ''),
    },
  };
}

function resolved(value: string | Ref, what: string): string {
  if (typeof value !== 'string')
    throw new Error(`${what} is an unresolved reference to ${value.$ref}`);
  return value;
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
      containerDefinitions: properties.containerDefinitions.map((container) => ({
        name: container.name,
        image: container.image,
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
      })),
      tags: ecsTagList(desired.tags),
    }),
  );
  if (!output.taskDefinition) throw new Error('RegisterTaskDefinition returned no task definition');
  return output.taskDefinition;
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
  const arns = await paginate(async (nextToken) => {
    const page = await ctx.clients.ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: family,
        status: 'ACTIVE',
        sort: 'DESC',
        nextToken,
      }),
    );
    return { items: page.taskDefinitionArns, nextToken: page.nextToken };
  });
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
    const stale = (await activeRevisionArns(ctx, family)).slice(KEEP_REVISIONS);
    for (const arn of stale) {
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

/**
 * familiesInScope keeps the distinct families named `<stack>-<service>` for a stack in scope.
 * A name alone cannot tell stack `a`'s family `a-b-api` from stack `a-b`'s `api`: observe confirms
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
 * Observe lists the ACTIVE families once for all stacks (ListTaskDefinitionFamilies, paginated),
 * keeps those of the stacks in scope and describes the newest ACTIVE revision of each; update
 * registers a new revision, so its `id`, `arn` and `revision` change (attributesChangedByUpdate).
 */
export const taskDefinitionHandler: ResourceHandler<TaskDefinitionProperties> = {
  kind: 'task-definition',
  fields: TASK_DEFINITION_FIELDS,
  attributesChangedByUpdate: ['id', 'arn', 'revision'],

  async observeAll(ctx) {
    const families = await paginate(async (nextToken) => {
      const page = await ctx.clients.ecs.send(
        new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', nextToken }),
      );
      return { items: page.families, nextToken: page.nextToken };
    });
    const observed = await Promise.all(
      familiesInScope(families, ctx.stacks).map(async (family) => {
        const described = await ctx.clients.ecs.send(
          new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }),
        );
        const taskDefinition = described.taskDefinition;
        if (taskDefinition?.status !== 'ACTIVE') return undefined;
        const tags = tagListToMap(described.tags);
        const owner = ownedBy(tags, ctx.stacks);
        if (!owner || kindOf(owner.address) !== 'task-definition') return undefined;
        return observedTaskDefinition(owner.stack, owner.address, taskDefinition, tags);
      }),
    );
    return observed.filter((resource) => resource !== undefined);
  },

  diff(desired, observed, desiredTags: Tags, observedTags: Tags): FieldChange[] {
    return [
      ...diffProperties(
        sortDesiredLists(desired),
        sortDesiredLists(observed),
        TASK_DEFINITION_FIELDS,
      ),
      ...diffTags(desiredTags, observedTags),
    ];
  },

  async create(ctx, desired) {
    try {
      const taskDefinition = await register(ctx, desired);
      return observedTaskDefinition(desired.stack, desired.address, taskDefinition, {
        ...desired.tags,
      });
    } catch (err) {
      throw new Error(
        `cannot register task definition ${desired.properties.family}: ${errorCode(err) ?? (err as Error).message}`,
        { cause: err },
      );
    }
  },

  async update(ctx, desired, observed, changes) {
    const family = desired.properties.family;
    if (changedFields(changes).size === 0) {
      if (hasTagChanges(changes)) {
        try {
          await syncEcsTags(ctx, observed.id, desired.tags, observed.tags);
        } catch (err) {
          throw new Error(`cannot tag task definition ${observed.id}: ${errorCode(err) ?? err}`, {
            cause: err,
          });
        }
      }
      return { ...observed, tags: { ...desired.tags } };
    }
    let taskDefinition: AwsTaskDefinition;
    try {
      taskDefinition = await register(ctx, desired);
    } catch (err) {
      throw new Error(
        `cannot register a new revision of task definition ${family}: ${errorCode(err) ?? (err as Error).message}`,
        { cause: err },
      );
    }
    await pruneRevisions(ctx, family, desired.stack);
    return observedTaskDefinition(desired.stack, desired.address, taskDefinition, {
      ...desired.tags,
    });
  },

  async delete(ctx, observed, options: DeleteOptions) {
    const family = observed.properties.family;
    try {
      if (options.deletionPolicy === 'retain') {
        await removeEcsManagementTags(ctx, observed.id, observed.tags);
        return;
      }
      for (const arn of await activeRevisionArns(ctx, family)) {
        await ctx.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
      }
    } catch (err) {
      throw new Error(
        `cannot delete task definition family ${family}: ${errorCode(err) ?? (err as Error).message}`,
        { cause: err },
      );
    }
  },
};
