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
import { required } from './kit/errors.ts';
import { compact, sameValue } from './kit/json.ts';
import { keyedDelta } from './kit/keyed-delta.ts';
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
    case 'redirect': {
      const { protocol: Protocol, port: Port, statusCode: StatusCode } = action;
      return [{ Type: 'redirect', RedirectConfig: { Protocol, Port, StatusCode } }];
    }
    case 'fixed-response': {
      const { statusCode: StatusCode, contentType: ContentType } = action;
      return [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode, ContentType } }];
    }
  }
}

/** firstAction is the action ELBv2 runs first (the lowest Order). */
function firstAction(actions: readonly Action[] | undefined): Action | undefined {
  return [...(actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))[0];
}

/** observedRules normalizes DescribeRules output: the default rule dropped, sorted by priority. */
export function observedRules(rules: readonly Rule[]): ListenerRule[] {
  return rules
    .filter((rule) => !rule.IsDefault && rule.Priority !== 'default')
    .map((rule) => {
      const pathCondition = rule.Conditions?.find(
        (condition) => condition.Field === 'path-pattern',
      );
      const forward = observedAction(firstAction(rule.Actions));
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
  return compact({
    loadBalancerArn: listener.LoadBalancerArn ?? '',
    protocol: (listener.Protocol ?? 'HTTP') as ListenerProperties['protocol'],
    port: listener.Port ?? 0,
    certificateArn: listener.Certificates?.[0]?.CertificateArn || undefined,
    sslPolicy: listener.SslPolicy || undefined,
    defaultAction: observedAction(firstAction(listener.DefaultActions)),
    rules: observedRules(rules),
  });
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
    scope: {
      arn: 'arn:aws:elasticloadbalancing:*:{account}:listener*',
      create: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:CreateRule'],
    },
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

  toObserved: ({ arn, resource, rules, tags }) => {
    const properties = observedListenerProperties(resource, rules);
    return { id: arn, properties, tags, attributes: attributesOf(arn, properties) };
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
    const arn = required(created.Listeners?.[0]?.ListenerArn, 'CreateListener returned no ARN');
    await confirmOwned(ctx, arn, desired, { adoptable: false });
    await syncRules(ctx, arn, properties.rules, []);
    return { id: arn, properties, attributes: attributesOf(arn, properties) };
  },

  /** One ModifyListener for the settings, then the rules, matched by priority. */
  async update(ctx, desired, observed, fields) {
    const want = normalize(desired.properties);
    // every field but the rules (and the load balancer, which replaces) is a listener setting
    if ([...fields].some((field) => field !== 'rules')) {
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

function listenerSettings({
  protocol,
  port,
  defaultAction,
  certificateArn,
  sslPolicy,
}: ListenerProperties) {
  return {
    Protocol: protocol,
    Port: port,
    DefaultActions: actionInput(defaultAction),
    Certificates: certificateArn ? [{ CertificateArn: certificateArn }] : undefined,
    SslPolicy: sslPolicy || undefined,
  };
}

/** attributesOf: what other resources refer to, and the readable name (`http-80`). */
function attributesOf(arn: string, { protocol, port }: ListenerProperties) {
  return { arn, name: listenerName(protocol, port) };
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
  ListenerArn: string,
  desiredRules: readonly ListenerRule[],
  liveRules: readonly Rule[],
): Promise<void> {
  const live = liveRules.flatMap((rule) => {
    const [normalized] = observedRules([rule]);
    return normalized && rule.RuleArn ? [{ RuleArn: rule.RuleArn, rule: normalized }] : [];
  });
  const { add, change, remove } = keyedDelta(desiredRules, live, {
    key: (rule) => String(rule.priority),
    liveKey: (current) => String(current.rule.priority),
    same: (rule, current) => sameValue(rule, current.rule),
  });
  const { elbv2 } = ctx.clients;
  for (const { RuleArn } of remove) await elbv2.send(new DeleteRuleCommand({ RuleArn }));
  for (const rule of add) {
    const input = { ListenerArn, Priority: rule.priority, ...ruleInput(rule) };
    await elbv2.send(new CreateRuleCommand(input));
  }
  for (const { desired, live: current } of change) {
    await elbv2.send(new ModifyRuleCommand({ RuleArn: current.RuleArn, ...ruleInput(desired) }));
  }
}
