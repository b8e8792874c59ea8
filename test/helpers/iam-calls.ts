/**
 * Records every SDK call the reconciler makes, as IAM would authorize it: the action, each
 * resource the request names (ARN and the tags it carries at that moment) and the tags the
 * request itself sets. The resources are found in the request (and, for a create, in the
 * response); their tags are read just before the call with a second, unrecorded set of clients.
 */
import {
  DescribeScalableTargetsCommand,
  ListTagsForResourceCommand as ListScalingTags,
  type ScalableDimension,
  type ServiceNamespace,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { ListTagsForResourceCommand as ListAlarmTags } from '@aws-sdk/client-cloudwatch';
import { ListTagsForResourceCommand as ListLogTags } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { ListTagsForResourceCommand as ListEcrTags } from '@aws-sdk/client-ecr';
import { ListTagsForResourceCommand as ListEcsTags } from '@aws-sdk/client-ecs';
import { DescribeTagsCommand as DescribeElbTags } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetInstanceProfileCommand,
  GetRoleCommand,
  ListInstanceProfileTagsCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import { ListTagsForResourceCommand as ListRdsTags } from '@aws-sdk/client-rds';
import { ListTagsForResourceCommand as ListTopicTags } from '@aws-sdk/client-sns';
import { type AwsClients, createClients } from '../../reconciler/aws/clients.ts';
import { type Tags, tagListToMap } from '../../reconciler/aws/tags.ts';

/** IAM_SERVICE maps an SDK client name to the IAM prefix of its actions. */
const IAM_SERVICE: Record<string, string> = {
  EC2Client: 'ec2',
  CloudWatchLogsClient: 'logs',
  IAMClient: 'iam',
  ElasticLoadBalancingV2Client: 'elasticloadbalancing',
  ECSClient: 'ecs',
  RDSClient: 'rds',
  DynamoDBClient: 'dynamodb',
  STSClient: 'sts',
  ResourceGroupsTaggingAPIClient: 'tag',
  SecretsManagerClient: 'secretsmanager',
  AutoScalingClient: 'autoscaling',
  ECRClient: 'ecr',
  SSMClient: 'ssm',
  ApplicationAutoScalingClient: 'application-autoscaling',
  CloudWatchClient: 'cloudwatch',
  SNSClient: 'sns',
};

/** CallResource is one resource a call acts on, with its tags when the call was made. */
export interface CallResource {
  arn: string;
  tags: Tags;
  /** The resource the call creates: it has no tags yet, the request's tags are its tags. */
  created?: boolean;
}

/** RecordedCall is one SDK call as IAM sees it. */
export interface RecordedCall {
  action: string;
  resources: CallResource[];
  /** The tags the request sets (on create, or by a tagging call); undefined when it sets none. */
  requestTags?: Tags;
  /** The tag keys the request names (aws:TagKeys): those it sets, or those it removes. */
  tagKeys?: string[];
  outcome: string;
}

const EC2_TYPES: Record<string, string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  sg: 'security-group',
  rtb: 'route-table',
  igw: 'internet-gateway',
  nat: 'natgateway',
  eipalloc: 'elastic-ip',
  lt: 'launch-template',
};

const CREATES = /^(Create|Allocate|Register|Run|Put(ScalingPolicy|MetricAlarm|ScheduledAction))/;

/** ARN_TYPE_IN_OPERATION: resource types whose create operation names them otherwise. */
const ARN_TYPE_IN_OPERATION: Record<string, string> = {
  'elastic-ip': 'address',
  subgrp: 'subnetgroup',
  db: 'dbinstance',
  'listener-rule': 'rule',
};

/** creates tells whether a resource named in a create's response is the one it creates (not its VPC). */
function creates(operation: string, arn: string): boolean {
  const [, , service = '', , , resource = ''] = arn.split(':');
  if (service === 'sns') return true; // a topic ARN names no type
  const type = resource.split('/')[0] ?? '';
  const named = (ARN_TYPE_IN_OPERATION[type] ?? type).replaceAll('-', '').toLowerCase();
  return operation.toLowerCase().includes(named);
}

/** requestTagsOf finds the tags a request sets, in any of the SDK's shapes. */
function requestTagsOf(input: Record<string, unknown>): Tags | undefined {
  const specs = input.TagSpecifications as Array<{ Tags?: unknown[] }> | undefined;
  const list = specs?.[0]?.Tags ?? input.Tags ?? input.tags;
  if (list === undefined) return undefined;
  if (Array.isArray(list)) return tagListToMap(list as Array<{ Key?: string; Value?: string }>);
  return { ...(list as Tags) };
}

function removedKeysOf(input: Record<string, unknown>): string[] | undefined {
  const keys = input.TagKeys ?? input.tagKeys;
  if (Array.isArray(keys)) return keys as string[];
  // EC2 DeleteTags and Auto Scaling DeleteTags name the keys in Tags
  return undefined;
}

/** Recorder wraps a client set so that every call through it is recorded. */
export class Recorder {
  readonly calls: RecordedCall[] = [];
  readonly #side: AwsClients;
  readonly #region: string;
  readonly #account: string;
  readonly #instrumented = new WeakSet<object>();

  constructor(region: string, account = '123456789012') {
    this.#region = region;
    this.#account = account;
    this.#side = createClients({ region });
  }

  /** wrap returns clients whose every call is recorded (each SDK client instrumented once). */
  wrap(clients: AwsClients): AwsClients {
    const done = this.#instrumented;
    return new Proxy(clients, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (value && typeof value === 'object' && 'middlewareStack' in value && !done.has(value)) {
          done.add(value);
          this.#instrument(value as never);
        }
        return value;
      },
    });
  }

  close(): void {
    this.#side.destroy();
  }

  #instrument(client: {
    middlewareStack: {
      add(
        middleware: (
          next: (args: { input: Record<string, unknown> }) => Promise<{ output: unknown }>,
          context: Record<string, unknown>,
        ) => (args: { input: Record<string, unknown> }) => Promise<{ output: unknown }>,
        options: { step: 'initialize'; name: string },
      ): void;
    };
  }) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const service = IAM_SERVICE[String(context.clientName)] ?? String(context.clientName);
        const operation = String(context.commandName).replace(/Command$/, '');
        const input = args.input ?? {};
        const existing = await this.#resourcesOf(service, input);
        const call: RecordedCall = {
          action: `${service}:${operation}`,
          resources: existing,
          outcome: 'ok',
        };
        const requestTags = requestTagsOf(input);
        if (requestTags && !/^(Delete|Remove|Untag)/.test(operation)) {
          call.requestTags = requestTags;
          call.tagKeys = Object.keys(requestTags);
        } else {
          const removed =
            removedKeysOf(input) ?? (requestTags ? Object.keys(requestTags) : undefined);
          if (removed) call.tagKeys = removed;
        }
        try {
          const result = await next(args);
          if (CREATES.test(operation)) {
            const known = new Set(existing.map((resource) => resource.arn));
            for (const arn of this.#arnsIn(service, result.output, 2)) {
              if (!known.has(arn) && arn.startsWith('arn:') && creates(operation, arn)) {
                call.resources.push({ arn, tags: {}, created: true });
              }
            }
          }
          return result;
        } catch (err) {
          call.outcome = (err as { name?: string }).name ?? 'error';
          throw err;
        } finally {
          this.calls.push(call);
        }
      },
      { step: 'initialize', name: 'iamCallRecorder' },
    );
  }

  /** #arnsIn finds the resources an object names: ARNs, EC2 ids, and the names each service uses. */
  #arnsIn(service: string, value: unknown, depth: number): string[] {
    const found = new Set<string>();
    const ec2 = (id: string) => {
      const type = EC2_TYPES[id.split('-')[0] ?? ''];
      if (type && /^[a-z]+-[0-9a-f]{8,}$/.test(id)) {
        found.add(`arn:aws:ec2:${this.#region}:${this.#account}:${type}/${id}`);
      }
    };
    const visit = (node: unknown, level: number, key: string) => {
      if (typeof node === 'string') {
        if (node.startsWith('arn:aws:')) {
          if (!/^arn:aws:(secretsmanager|kms|iam::aws:)/.test(node)) found.add(node);
        } else if (service === 'ec2' && /Id$|^Resources$/.test(key)) ec2(node);
        else {
          const arn = this.#nameArn(service, key, node);
          if (arn) found.add(arn);
        }
        return;
      }
      if (level < 0 || !node || typeof node !== 'object') return;
      if (Array.isArray(node)) {
        for (const item of node) visit(item, level, key);
        return;
      }
      for (const [childKey, child] of Object.entries(node)) {
        // tags, filters and rule contents name no resource the call acts on
        if (
          /^(Tags|tags|TagSpecifications|Filters|IpPermissions|containerDefinitions)$/.test(
            childKey,
          )
        )
          continue;
        visit(child, level - 1, childKey);
      }
    };
    visit(value, depth, '');
    return [...found];
  }

  #nameArn(service: string, key: string, name: string): string | undefined {
    const base = (svc: string) => `arn:aws:${svc}:${this.#region}:${this.#account}`;
    if (service === 'rds' && key === 'DBInstanceIdentifier') return `${base('rds')}:db:${name}`;
    if (service === 'rds' && key === 'DBSubnetGroupName') return `${base('rds')}:subgrp:${name}`;
    if (service === 'logs' && key === 'logGroupName') return `${base('logs')}:log-group:${name}`;
    if (service === 'ecr' && key === 'repositoryName') return `${base('ecr')}:repository/${name}`;
    if (service === 'iam' && key === 'RoleName') return `iam-role:${name}`;
    if (service === 'iam' && key === 'InstanceProfileName') return `iam-profile:${name}`;
    if (service === 'autoscaling' && key === 'AutoScalingGroupName') return `asg:${name}`;
    if (service === 'ecs' && key === 'cluster') return `${base('ecs')}:cluster/${name}`;
    if (service === 'cloudwatch' && key === 'DashboardNames') {
      return `arn:aws:cloudwatch::${this.#account}:dashboard/${name}`;
    }
    if (service === 'cloudwatch' && key === 'AlarmNames')
      return `${base('cloudwatch')}:alarm:${name}`;
    if (service === 'ssm' && key === 'Names' && name.startsWith('/')) {
      return `arn:aws:ssm:${this.#region}::parameter${name}`;
    }
    if (service === 'ecs' && key === 'capacityProvider')
      return `${base('ecs')}:capacity-provider/${name}`;
    return undefined;
  }

  /** #resourcesOf resolves the resources a request names and reads their tags now. */
  async #resourcesOf(service: string, input: Record<string, unknown>): Promise<CallResource[]> {
    const resources: CallResource[] = [];
    const names = this.#arnsIn(service, input, 1);
    if (service === 'application-autoscaling' && typeof input.ResourceId === 'string') {
      // authorized on the scalable target, whose ARN ends in an id AWS gives it
      const targets = await this.#side.applicationAutoScaling
        .send(
          new DescribeScalableTargetsCommand({
            ServiceNamespace: input.ServiceNamespace as ServiceNamespace,
            ResourceIds: [input.ResourceId],
            ScalableDimension: input.ScalableDimension as ScalableDimension,
          }),
        )
        .catch(() => undefined);
      const arn = targets?.ScalableTargets?.[0]?.ScalableTargetARN;
      if (arn) names.push(arn);
    }
    for (const named of names) {
      const arn = await this.#resolve(named);
      if (arn) resources.push({ arn, tags: await this.#tagsOf(arn) });
    }
    return resources;
  }

  /** #resolve turns the names that carry no ARN (IAM paths, Auto Scaling group ids) into ARNs. */
  async #resolve(named: string): Promise<string | undefined> {
    const side = this.#side;
    try {
      if (named.startsWith('iam-role:')) {
        const role = await side.iam.send(new GetRoleCommand({ RoleName: named.slice(9) }));
        return role.Role?.Arn;
      }
      if (named.startsWith('iam-profile:')) {
        const profile = await side.iam.send(
          new GetInstanceProfileCommand({ InstanceProfileName: named.slice(12) }),
        );
        return profile.InstanceProfile?.Arn;
      }
      if (named.startsWith('asg:')) {
        const groups = await side.autoscaling.send(
          new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [named.slice(4)] }),
        );
        return groups.AutoScalingGroups?.[0]?.AutoScalingGroupARN;
      }
    } catch {
      return undefined; // not created yet: the create call's response names it
    }
    return named;
  }

  /** #tagsOf reads a resource's tags from its own service ({} when it has none or is gone). */
  async #tagsOf(arn: string): Promise<Tags> {
    const side = this.#side;
    const [, , service, , , rest = ''] = arn.split(':');
    try {
      switch (service) {
        case 'ec2': {
          const id = rest.split('/')[1];
          const tags = await side.ec2.send(
            new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id ?? ''] }] }),
          );
          return tagListToMap(tags.Tags);
        }
        case 'elasticloadbalancing': {
          const tags = await side.elbv2.send(new DescribeElbTags({ ResourceArns: [arn] }));
          return tagListToMap(tags.TagDescriptions?.[0]?.Tags);
        }
        case 'ecs':
          return tagListToMap((await side.ecs.send(new ListEcsTags({ resourceArn: arn }))).tags);
        case 'rds':
          return tagListToMap(
            (await side.rds.send(new ListRdsTags({ ResourceName: arn }))).TagList,
          );
        case 'logs':
          return (
            (await side.logs.send(new ListLogTags({ resourceArn: arn.replace(/:\*$/, '') })))
              .tags ?? {}
          );
        case 'ecr':
          return tagListToMap((await side.ecr.send(new ListEcrTags({ resourceArn: arn }))).tags);
        case 'iam': {
          const name = arn.split('/').at(-1) ?? '';
          if (arn.includes(':role/')) {
            return tagListToMap(
              (await side.iam.send(new ListRoleTagsCommand({ RoleName: name }))).Tags,
            );
          }
          const listed = await side.iam
            .send(new ListInstanceProfileTagsCommand({ InstanceProfileName: name }))
            .then((out) => out.Tags)
            .catch(() => undefined);
          return tagListToMap(
            listed ??
              (await side.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })))
                .InstanceProfile?.Tags,
          );
        }
        case 'autoscaling': {
          const name = arn.split('autoScalingGroupName/')[1] ?? '';
          const groups = await side.autoscaling.send(
            new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
          );
          return tagListToMap(groups.AutoScalingGroups?.[0]?.Tags);
        }
        case 'sns':
          return tagListToMap((await side.sns.send(new ListTopicTags({ ResourceArn: arn }))).Tags);
        case 'cloudwatch':
          return tagListToMap(
            (await side.cloudwatch.send(new ListAlarmTags({ ResourceARN: arn }))).Tags,
          );
        case 'application-autoscaling':
          return (
            (await side.applicationAutoScaling.send(new ListScalingTags({ ResourceARN: arn })))
              .Tags ?? {}
          );
        default:
          return {};
      }
    } catch {
      return {};
    }
  }
}
