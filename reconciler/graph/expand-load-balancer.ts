import { shortName } from '../resources/kit/names.ts';
import type { ListenerAction, ListenerProperties, ListenerRule } from '../resources/listener.ts';
import { NOT_FOUND_ACTION } from '../resources/listener.ts';
import type { LoadBalancerProperties } from '../resources/load-balancer.ts';
import type { TargetGroupProperties } from '../resources/target-group.ts';
import { type DesiredResource, ref } from '../resources/types.ts';
import type {
  ResolvedListener,
  ResolvedLoadBalancer,
  ResolvedService,
  ResolvedStack,
} from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';
import type { WithRefs } from './expand-network.ts';

/** MAX_ELBV2_NAME is the AWS limit on load balancer and target group names. */
const MAX_ELBV2_NAME = 32;

/** targetGroupName is `<stack>-<service>`, cut and hashed to 32 characters when longer. */
export function targetGroupName(stack: string, service: string): string {
  return shortName(`${stack}-${service}`, MAX_ELBV2_NAME);
}

/** loadBalancedServices are the services attached to the load balancer, in spec order. */
export function loadBalancedServices(stack: ResolvedStack): ResolvedService[] {
  return ((stack.services ?? []) as ResolvedService[]).filter((service) => service.loadBalancer);
}

/**
 * serviceHealthCheckPath is where a service is probed, by its target group and by its container
 * health check alike: its own healthCheckPath, else (load-balanced) the load balancer's
 * healthCheck.path, whose default the schema fills in; for a service without load balancer the
 * schema itself fills in healthCheckPath.
 */
export function serviceHealthCheckPath(stack: ResolvedStack, service: ResolvedService): string {
  const path =
    service.healthCheckPath ??
    (service.loadBalancer ? stack.loadBalancer?.healthCheck.path : undefined);
  if (path === undefined) {
    throw new Error(
      `stack ${stack.name}: service ${service.name} is load-balanced but the stack has no loadBalancer`,
    );
  }
  return path;
}

function targetGroupArn(service: ResolvedService) {
  return ref(addresses.targetGroup(service.name), 'arn');
}

/**
 * pathRules routes each path-routed service; without an explicit priority a service gets
 * 10, 20, 30, ... in spec order.
 */
export function pathRules(services: readonly ResolvedService[]): WithRefs<ListenerRule>[] {
  return services
    .filter((service) => service.loadBalancer?.pathPatterns)
    .map((service, index) => ({
      priority: service.loadBalancer?.priority ?? (index + 1) * 10,
      pathPatterns: [...(service.loadBalancer?.pathPatterns ?? [])],
      targetGroupArn: targetGroupArn(service),
    }))
    .sort((a, b) => a.priority - b.priority);
}

function listenerProperties(
  listener: ResolvedListener,
  services: readonly ResolvedService[],
): WithRefs<ListenerProperties> {
  const redirect = listener.protocol === 'HTTP' && listener.redirectToHttps;
  const defaultService = services.find((service) => !service.loadBalancer?.pathPatterns);
  let defaultAction: WithRefs<ListenerAction> = NOT_FOUND_ACTION;
  if (redirect) {
    defaultAction = { type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' };
  } else if (defaultService) {
    defaultAction = { type: 'forward', targetGroupArn: targetGroupArn(defaultService) };
  }
  const properties: WithRefs<ListenerProperties> = {
    loadBalancerArn: ref(addresses.loadBalancer(), 'arn'),
    protocol: listener.protocol,
    port: listener.port,
    defaultAction,
    rules: redirect ? [] : pathRules(services),
  };
  if (listener.protocol === 'HTTPS') {
    if (listener.certificateArn) properties.certificateArn = listener.certificateArn;
    properties.sslPolicy = listener.sslPolicy;
  }
  return properties;
}

function loadBalancerProperties(
  stack: ResolvedStack,
  spec: ResolvedLoadBalancer,
): WithRefs<LoadBalancerProperties> {
  const scheme = spec.scheme;
  const tier = scheme === 'internet-facing' ? 'public' : 'private';
  return {
    name: spec.name ?? stack.name,
    scheme,
    type: 'application',
    subnets: stack.network.availabilityZones.map((zone) => ref(addresses.subnet(tier, zone))),
    securityGroups: [ref(addresses.loadBalancerSecurityGroup())],
    idleTimeoutSeconds: spec.idleTimeoutSeconds,
  };
}

function targetGroupProperties(
  stack: ResolvedStack,
  spec: ResolvedLoadBalancer,
  service: ResolvedService,
): WithRefs<TargetGroupProperties> {
  const check = spec.healthCheck;
  return {
    name: targetGroupName(stack.name, service.name),
    protocol: 'HTTP',
    port: service.port,
    // awsvpc tasks are targets by their own IP, bridge ones as instance:host port
    targetType: service.networkMode === 'bridge' ? 'instance' : 'ip',
    vpcId: ref(addresses.vpc()),
    healthCheck: {
      path: serviceHealthCheckPath(stack, service),
      matcher: check.matcher,
      intervalSeconds: check.intervalSeconds,
      timeoutSeconds: check.timeoutSeconds,
      healthyThreshold: check.healthyThreshold,
      unhealthyThreshold: check.unhealthyThreshold,
    },
    deregistrationDelaySeconds: spec.deregistrationDelaySeconds,
  };
}

/**
 * expandLoadBalancer returns, when the stack declares a load balancer, the ALB
 * (`load-balancer.main`), one target group per load-balanced service (`target-group.<service>`)
 * and one listener per spec listener (`listener.<protocol>-<port>`, path rules included).
 * Values of other resources are Refs: subnets, security group, VPC, target group and ALB ARNs.
 */
export function expandLoadBalancer(stack: ResolvedStack): DesiredResource[] {
  const spec = stack.loadBalancer;
  if (!spec) return [];
  const services = loadBalancedServices(stack);
  return [
    desired(stack, addresses.loadBalancer(), loadBalancerProperties(stack, spec)),
    ...services.map((service) =>
      desired(
        stack,
        addresses.targetGroup(service.name),
        targetGroupProperties(stack, spec, service),
      ),
    ),
    ...spec.listeners.map((listener) =>
      desired(
        stack,
        addresses.listener(listener.protocol, listener.port),
        listenerProperties(listener, services),
      ),
    ),
  ];
}
