import {
  type Action,
  CreateListenerCommand,
  CreateRuleCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  type Listener,
  ModifyListenerCommand,
  ModifyRuleCommand,
  paginateDescribeListeners,
  paginateDescribeRules,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { tagMapToList } from '../aws/tags.ts';
import { defineKind } from './kit/define-kind.ts';
import { LOAD_BALANCER_READS, taggedLoadBalancers } from './kit/elbv2-listings.ts';
import { sameValue } from './kit/json.ts';
import { collect } from './kit/paginate.ts';
import { readEach } from './kit/read-each.ts';
import {
  confirmOwned,
  describeTagged,
  elbv2Tagging,
  inStacks,
  type Tagged,
} from './kit/tagging/elbv2.ts';
import type { FieldRule, ResourceContext } from './types.ts';

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

/** LiveListener is one listener with its tags and its rules. */
type LiveListener = Tagged<Listener> & { rules: Rule[] };

/** NOT_FOUND: a listener, a rule, or the load balancer listed with its listeners deleted meanwhile. */
const NOT_FOUND = [
  'ListenerNotFound',
  'ListenerNotFoundException',
  'RuleNotFound',
  'RuleNotFoundException',
  'LoadBalancerNotFound',
  'LoadBalancerNotFoundException',
];

/** LISTENER_SETTINGS are the fields one ModifyListener call sets. */
const LISTENER_SETTINGS = new Set([
  'protocol',
  'port',
  'certificateArn',
  'sslPolicy',
  'defaultAction',
]);

/** listenerHandler manages ALB listeners and their path rules, identified by listener ARN. */
export const listenerHandler = defineKind<ListenerProperties, LiveListener>({
  kind: 'listener',
  fields: LISTENER_FIELDS,
  after: ['load-balancer', 'target-group'],
  tagging: elbv2Tagging,
  notFound: NOT_FOUND,
  iamActions: {
    read: [
      ...LOAD_BALANCER_READS,
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeRules',
    ],
    write: [
      'elasticloadbalancing:CreateListener',
      'elasticloadbalancing:ModifyListener',
      'elasticloadbalancing:DeleteListener',
      'elasticloadbalancing:CreateRule',
      'elasticloadbalancing:ModifyRule',
      'elasticloadbalancing:DeleteRule',
    ],
  },

  /**
   * The load balancers of the pass (shared with the load-balancer kind), per one of ours
   * DescribeListeners, DescribeTags per 20 listeners, and per one of ours DescribeRules.
   */
  async list(ctx) {
    const balancers = inStacks(ctx, await taggedLoadBalancers(ctx));
    const perBalancer = await readEach(balancers, NOT_FOUND, (balancer) =>
      collect(
        paginateDescribeListeners({ client: ctx.clients.elbv2 }, { LoadBalancerArn: balancer.arn }),
        (page) => page.Listeners,
      ),
    );
    const listeners = await describeTagged(ctx, perBalancer.flat(), (item) => item.ListenerArn);
    return readEach(inStacks(ctx, listeners), NOT_FOUND, async (listener) => ({
      ...listener,
      rules: await describeRules(ctx, listener.arn),
    }));
  },

  toObserved: (live) => {
    const properties = observedListenerProperties(live.resource, live.rules);
    return {
      id: live.arn,
      properties,
      tags: live.tags,
      attributes: { arn: live.arn, name: listenerName(properties.protocol, properties.port) },
    };
  },

  normalize,

  /** ELBv2 may answer a create with an existing listener of the same settings: confirm it is ours. */
  async create(ctx, desired) {
    const properties = normalize(desired.properties);
    const created = await ctx.clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: properties.loadBalancerArn,
        ...listenerSettings(properties),
        Tags: tagMapToList(desired.tags),
      }),
    );
    const arn = created.Listeners?.[0]?.ListenerArn;
    if (!arn) throw new Error('CreateListener returned no listener');
    await confirmOwned(ctx, arn, desired, { adoptable: false });
    await syncRules(ctx, arn, properties.rules, []);
    return {
      id: arn,
      properties,
      tags: { ...desired.tags },
      attributes: { arn, name: listenerName(properties.protocol, properties.port) },
    };
  },

  /** One ModifyListener for the settings, then the rules, matched by priority. */
  async update(ctx, desired, observed, fields) {
    const want = normalize(desired.properties);
    if ([...fields].some((field) => LISTENER_SETTINGS.has(field))) {
      await ctx.clients.elbv2.send(
        new ModifyListenerCommand({ ListenerArn: observed.id, ...listenerSettings(want) }),
      );
    }
    if (!fields.has('rules')) return;
    await syncRules(ctx, observed.id, want.rules, await describeRules(ctx, observed.id));
    return { properties: { rules: want.rules } };
  },

  /** Deletes the listener with its rules. */
  async destroy(ctx, observed) {
    await ctx.clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: observed.id }));
  },
});

function normalize(properties: ListenerProperties): ListenerProperties {
  return {
    ...properties,
    rules: [...(properties.rules ?? [])].sort((a, b) => a.priority - b.priority),
  };
}

function describeRules(ctx: ResourceContext, listenerArn: string): Promise<Rule[]> {
  return collect(
    paginateDescribeRules({ client: ctx.clients.elbv2 }, { ListenerArn: listenerArn }),
    (page) => page.Rules,
  );
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
    } else if (!sameValue(live.rule, rule)) {
      await ctx.clients.elbv2.send(
        new ModifyRuleCommand({ RuleArn: live.arn, ...ruleInput(rule) }),
      );
    }
  }
}
