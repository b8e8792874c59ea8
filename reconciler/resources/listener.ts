import {
  type Action,
  CreateListenerCommand,
  CreateRuleCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  type Listener,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound } from '../aws/errors.ts';
import { tagMapToList } from '../aws/tags.ts';
import { mapBounded } from '../lib/pool.ts';
import { deepEqual, diffProperties, diffTags } from '../plan/diff.ts';
import type { FieldChange } from '../plan/types.ts';
import {
  changedFields,
  confirmCreated,
  describeElbv2Tags,
  hasTagChanges,
  ownedArns,
  PER_RESOURCE_READS,
  removeElbv2Resource,
  tagsAfterUpdate,
  wrapError,
  writeElbv2Tags,
} from './elbv2-common.ts';
import { ownedLoadBalancers } from './load-balancer.ts';
import type {
  DeleteOptions,
  DesiredResource,
  FieldRule,
  ObservedResource,
  ResourceContext,
  ResourceHandler,
  Tags,
} from './types.ts';

/** ListenerAction is a listener's default action: forward, redirect to HTTPS, or a fixed 404. */
export type ListenerAction =
  | { type: 'forward'; targetGroupArn: string }
  | { type: 'redirect'; protocol: 'HTTPS'; port: string; statusCode: 'HTTP_301' | 'HTTP_302' }
  | { type: 'fixed-response'; statusCode: string; contentType: string };

/** ListenerRule routes path patterns to a target group; rules are part of their listener. */
export type ListenerRule = {
  priority: number;
  pathPatterns: string[];
  targetGroupArn: string;
};

/** ListenerProperties is one ALB listener with its path rules. */
export type ListenerProperties = {
  loadBalancerArn: string;
  protocol: 'HTTP' | 'HTTPS';
  port: number;
  certificateArn?: string;
  sslPolicy?: string;
  defaultAction: ListenerAction;
  /** Path rules, sorted by priority. */
  rules: ListenerRule[];
};

/** LISTENER_FIELDS: only the load balancer is fixed; ModifyListener and the rule calls change the rest. */
export const LISTENER_FIELDS: Record<string, FieldRule> = {
  loadBalancerArn: 'replace',
  protocol: 'update',
  port: 'update',
  certificateArn: 'update',
  sslPolicy: 'update',
  defaultAction: 'update',
  rules: 'update',
};

/** NOT_FOUND_ACTION answers requests no service takes. */
export const NOT_FOUND_ACTION: ListenerAction = {
  type: 'fixed-response',
  statusCode: '404',
  contentType: 'text/plain',
};

/** observedAction normalizes an ELBv2 action to a ListenerAction (AWS-filled redirect parts dropped). */
export function observedAction(action: Action | undefined): ListenerAction {
  if (action?.Type === 'forward') {
    const targetGroupArn =
      action.TargetGroupArn ?? action.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn ?? '';
    return { type: 'forward', targetGroupArn };
  }
  if (action?.Type === 'redirect') {
    return {
      type: 'redirect',
      protocol: (action.RedirectConfig?.Protocol ?? 'HTTPS') as 'HTTPS',
      port: action.RedirectConfig?.Port ?? '443',
      statusCode: (action.RedirectConfig?.StatusCode ?? 'HTTP_301') as 'HTTP_301',
    };
  }
  return {
    type: 'fixed-response',
    statusCode: action?.FixedResponseConfig?.StatusCode ?? '',
    contentType: action?.FixedResponseConfig?.ContentType ?? '',
  };
}

/** actionInput turns a ListenerAction into the ELBv2 action list. */
export function actionInput(action: ListenerAction): Action[] {
  switch (action.type) {
    case 'forward':
      return [{ Type: 'forward', TargetGroupArn: action.targetGroupArn }];
    case 'redirect':
      return [
        {
          Type: 'redirect',
          RedirectConfig: {
            Protocol: action.protocol,
            Port: action.port,
            StatusCode: action.statusCode,
          },
        },
      ];
    case 'fixed-response':
      return [
        {
          Type: 'fixed-response',
          FixedResponseConfig: { StatusCode: action.statusCode, ContentType: action.contentType },
        },
      ];
  }
}

/** observedRules normalizes DescribeRules output: the default rule dropped, sorted by priority. */
export function observedRules(rules: readonly Rule[]): ListenerRule[] {
  return rules
    .filter((rule) => !rule.IsDefault && rule.Priority !== 'default')
    .map((rule) => {
      const pathCondition = rule.Conditions?.find(
        (condition) => condition.Field === 'path-pattern',
      );
      const forward = observedAction(
        [...(rule.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))[0],
      );
      return {
        priority: Number(rule.Priority),
        pathPatterns: pathCondition?.PathPatternConfig?.Values ?? pathCondition?.Values ?? [],
        targetGroupArn: forward.type === 'forward' ? forward.targetGroupArn : '',
      };
    })
    .sort((a, b) => a.priority - b.priority);
}

/** observedListenerProperties normalizes a listener and its rules to the desired shape. */
export function observedListenerProperties(
  listener: Listener,
  rules: readonly Rule[],
): ListenerProperties {
  const defaultAction = [...(listener.DefaultActions ?? [])].sort(
    (a, b) => (a.Order ?? 0) - (b.Order ?? 0),
  )[0];
  const properties: ListenerProperties = {
    loadBalancerArn: listener.LoadBalancerArn ?? '',
    protocol: (listener.Protocol ?? 'HTTP') as ListenerProperties['protocol'],
    port: listener.Port ?? 0,
    defaultAction: observedAction(defaultAction),
    rules: observedRules(rules),
  };
  const certificateArn = listener.Certificates?.[0]?.CertificateArn;
  if (certificateArn) properties.certificateArn = certificateArn;
  if (listener.SslPolicy) properties.sslPolicy = listener.SslPolicy;
  return properties;
}

/** listenerName is the readable name of a listener (`http-80`), its address without the kind. */
export function listenerName(protocol: string, port: number): string {
  return `${protocol.toLowerCase()}-${port}`;
}

function toObserved(
  arn: string,
  properties: ListenerProperties,
  owner: { stack: string; address: string },
  tags: Tags,
): ObservedResource<ListenerProperties> {
  return {
    address: owner.address,
    kind: 'listener',
    stack: owner.stack,
    id: arn,
    properties,
    tags,
    status: 'ready',
    attributes: { id: arn, arn, name: listenerName(properties.protocol, properties.port) },
  };
}

async function describeListeners(
  ctx: ResourceContext,
  loadBalancerArn: string,
): Promise<Listener[]> {
  const listeners: Listener[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.clients.elbv2.send(
      new DescribeListenersCommand({
        LoadBalancerArn: loadBalancerArn,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    listeners.push(...(page.Listeners ?? []));
    marker = page.NextMarker;
  } while (marker);
  return listeners;
}

async function describeRules(ctx: ResourceContext, listenerArn: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.clients.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, ...(marker ? { Marker: marker } : {}) }),
    );
    rules.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker);
  return rules;
}

/**
 * observeAll finds our load balancers (DescribeLoadBalancers + DescribeTags), then per owned load
 * balancer DescribeListeners, one DescribeTags per 20 listeners, and per owned listener DescribeRules.
 */
async function observeAll(ctx: ResourceContext): Promise<ObservedResource<ListenerProperties>[]> {
  const perBalancer = await mapBounded(
    await ownedLoadBalancers(ctx),
    PER_RESOURCE_READS,
    async (balancer) => {
      try {
        return await describeListeners(ctx, balancer.arn);
      } catch (err) {
        if (isNotFound(err)) return [];
        throw err;
      }
    },
  );
  const listeners = new Map<string, Listener>();
  for (const listener of perBalancer.flat()) {
    if (listener.ListenerArn) listeners.set(listener.ListenerArn, listener);
  }
  const arns = [...listeners.keys()];
  const owned = ownedArns(arns, await describeElbv2Tags(ctx, arns), ctx.stacks);
  const observed = await mapBounded(owned, PER_RESOURCE_READS, async (listener) => {
    let rules: Rule[];
    try {
      rules = await describeRules(ctx, listener.arn);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const properties = observedListenerProperties(listeners.get(listener.arn)!, rules);
    return toObserved(listener.arn, properties, listener, listener.tags);
  });
  return observed.filter((resource) => resource !== undefined);
}

function normalize(properties: ListenerProperties): ListenerProperties {
  return {
    ...properties,
    rules: [...(properties.rules ?? [])].sort((a, b) => a.priority - b.priority),
  };
}

function diff(
  desired: ListenerProperties,
  observed: ListenerProperties,
  desiredTags: Tags,
  observedTags: Tags,
): FieldChange[] {
  return [
    ...diffProperties(normalize(desired), normalize(observed), LISTENER_FIELDS),
    ...diffTags(desiredTags, observedTags),
  ];
}

function listenerSettings(properties: ListenerProperties) {
  return {
    Protocol: properties.protocol,
    Port: properties.port,
    DefaultActions: actionInput(properties.defaultAction),
    ...(properties.certificateArn
      ? { Certificates: [{ CertificateArn: properties.certificateArn }] }
      : {}),
    ...(properties.sslPolicy ? { SslPolicy: properties.sslPolicy } : {}),
  };
}

function ruleInput(rule: ListenerRule) {
  return {
    Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: rule.pathPatterns } }],
    Actions: [{ Type: 'forward' as const, TargetGroupArn: rule.targetGroupArn }],
  };
}

/** syncRules makes the listener's rules equal the desired ones, matched by priority. */
async function syncRules(
  ctx: ResourceContext,
  listenerArn: string,
  desiredRules: readonly ListenerRule[],
  liveRules: readonly Rule[],
): Promise<void> {
  const liveByPriority = new Map<number, { arn: string; rule: ListenerRule }>();
  for (const rule of liveRules) {
    const [normalized] = observedRules([rule]);
    if (normalized && rule.RuleArn) {
      liveByPriority.set(normalized.priority, { arn: rule.RuleArn, rule: normalized });
    }
  }
  const wanted = new Set(desiredRules.map((rule) => rule.priority));
  for (const [priority, live] of liveByPriority) {
    if (!wanted.has(priority)) {
      await ctx.clients.elbv2.send(new DeleteRuleCommand({ RuleArn: live.arn }));
    }
  }
  for (const rule of desiredRules) {
    const live = liveByPriority.get(rule.priority);
    if (!live) {
      await ctx.clients.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: rule.priority,
          ...ruleInput(rule),
        }),
      );
    } else if (!deepEqual(live.rule, rule)) {
      await ctx.clients.elbv2.send(
        new ModifyRuleCommand({ RuleArn: live.arn, ...ruleInput(rule) }),
      );
    }
  }
}

async function create(
  ctx: ResourceContext,
  desired: DesiredResource<ListenerProperties>,
): Promise<ObservedResource<ListenerProperties>> {
  const properties = normalize(desired.properties);
  const name = listenerName(properties.protocol, properties.port);
  try {
    const created = await ctx.clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: properties.loadBalancerArn,
        ...listenerSettings(properties),
        Tags: tagMapToList(desired.tags),
      }),
    );
    const arn = created.Listeners?.[0]?.ListenerArn;
    if (!arn) throw new Error('CreateListener returned no listener');
    await confirmCreated(ctx, arn, desired);
    await syncRules(ctx, arn, properties.rules, []);
    return toObserved(arn, properties, desired, desired.tags);
  } catch (err) {
    throw wrapError(`cannot create listener ${name} (${desired.address})`, err);
  }
}

const LISTENER_SETTINGS = new Set([
  'protocol',
  'port',
  'certificateArn',
  'sslPolicy',
  'defaultAction',
]);

async function update(
  ctx: ResourceContext,
  desired: DesiredResource<ListenerProperties>,
  observed: ObservedResource<ListenerProperties>,
  changes: FieldChange[],
): Promise<ObservedResource<ListenerProperties>> {
  const arn = observed.id;
  const want = normalize(desired.properties);
  const fields = changedFields(changes);
  let properties: ListenerProperties = { ...observed.properties };
  try {
    if ([...fields].some((field) => LISTENER_SETTINGS.has(field))) {
      await ctx.clients.elbv2.send(
        new ModifyListenerCommand({ ListenerArn: arn, ...listenerSettings(want) }),
      );
      properties = {
        ...want,
        loadBalancerArn: properties.loadBalancerArn,
        rules: properties.rules,
      };
    }
    if (fields.has('rules')) {
      await syncRules(ctx, arn, want.rules, await describeRules(ctx, arn));
      properties.rules = want.rules;
    }
    let tags = observed.tags;
    if (hasTagChanges(changes)) {
      await writeElbv2Tags(ctx, arn, desired.tags, observed.tags);
      tags = tagsAfterUpdate(desired.tags, observed.tags);
    }
    return { ...observed, properties, tags };
  } catch (err) {
    throw wrapError(
      `cannot update listener ${observed.attributes.name} (${observed.address})`,
      err,
    );
  }
}

/** remove deletes the listener with its rules; retain only removes our tags. */
async function remove(
  ctx: ResourceContext,
  observed: ObservedResource<ListenerProperties>,
  options: DeleteOptions,
): Promise<void> {
  await removeElbv2Resource(ctx, observed, options, 'listener', () =>
    ctx.clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: observed.id })),
  );
}

/** listenerHandler manages ALB listeners and their path rules, identified by listener ARN. */
export const listenerHandler: ResourceHandler<ListenerProperties> = {
  kind: 'listener',
  fields: LISTENER_FIELDS,
  observeAll,
  diff,
  create,
  update,
  delete: remove,
};
