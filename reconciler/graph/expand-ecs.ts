import type { EcsServiceProperties } from '../resources/ecs-service.ts';
import type { ContainerSecret, TaskDefinitionProperties } from '../resources/task-definition.ts';
import { type DesiredResource, type Ref, ref } from '../resources/types.ts';
import type { ResolvedService, ResolvedStack, SecretRef } from '../spec/types.generated.ts';
import { addresses } from './addresses.ts';
import { desired } from './common.ts';
import { replicaNumbers } from './expand-database.ts';
import { serviceHealthCheckPath } from './expand-load-balancer.ts';
import { serviceImage } from './expand-registry.ts';

/** taskFamily is the task definition family of a service: `<stack>-<service>`. */
export function taskFamily(stack: ResolvedStack, service: ResolvedService): string {
  return `${stack.name}-${service.name}`;
}

/**
 * healthCheckCommand probes the service from inside its container with Node's fetch (the service
 * image has no curl): exit 0 on a 2xx answer, 1 otherwise.
 */
export function healthCheckCommand(port: number, path: string): string[] {
  const url = `http://127.0.0.1:${port}${path}`;
  return [
    'CMD-SHELL',
    `node -e "fetch('${url}').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
  ];
}

/** containerSecret turns a spec SecretRef into the ECS secret (the database secret by Ref). */
export function containerSecret(name: string, secret: SecretRef): ContainerSecret {
  if ('fromDatabase' in secret) {
    return {
      name,
      valueFrom: ref(addresses.dbInstance(), 'masterUserSecretArn'),
      jsonKey: secret.fromDatabase,
    };
  }
  if ('secretsManagerArn' in secret) {
    return secret.jsonKey
      ? { name, valueFrom: secret.secretsManagerArn, jsonKey: secret.jsonKey }
      : { name, valueFrom: secret.secretsManagerArn };
  }
  return { name, valueFrom: secret.ssmParameter };
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** serviceEnvironment: the database connection variables (when the stack has one), then the spec's, sorted by name. */
export function serviceEnvironment(
  stack: ResolvedStack,
  service: ResolvedService,
): { name: string; value: string | Ref }[] {
  const variables = new Map<string, string | Ref>();
  if (stack.database) {
    variables.set('DB_HOST', ref(addresses.dbInstance(), 'endpoint'));
    variables.set('DB_PORT', ref(addresses.dbInstance(), 'port'));
    variables.set('DB_NAME', stack.database.databaseName);
    if (stack.database.iamAuthentication) {
      // a 15-minute token for the services' own user (service/db-auth.ts), no password
      variables.set('DB_AUTH', 'iam');
      // the token is signed for the database's region
      variables.set('AWS_REGION', stack.region);
      variables.set('DB_USER', stack.database.serviceUser ?? 'logs_service');
      // an ARN, not the secret: the service reads the master credentials once at start to
      // create its user and migrate (service/db-setup.ts), then connects on tokens only
      variables.set('DB_MASTER_SECRET_ARN', ref(addresses.dbInstance(), 'masterUserSecretArn'));
    } else variables.set('DB_USER', stack.database.masterUsername);
    for (const n of replicaNumbers(stack.database)) {
      variables.set(`DB_READ_HOST_${n}`, ref(addresses.dbReplica(n), 'endpoint'));
    }
  }
  for (const [name, value] of Object.entries(service.environment ?? {})) variables.set(name, value);
  return [...variables].map(([name, value]) => ({ name, value })).sort(byName);
}

function taskDefinition(stack: ResolvedStack, service: ResolvedService): DesiredResource {
  const properties: TaskDefinitionProperties = {
    family: taskFamily(stack, service),
    cpu: String(service.cpu),
    memory: String(service.memory),
    networkMode: service.networkMode,
    requiresCompatibilities: [service.launchType],
    executionRoleArn: ref(addresses.executionRole(), 'arn'),
    taskRoleArn: ref(addresses.taskRole(service.name), 'arn'),
    containerDefinitions: [
      {
        name: service.name,
        image: serviceImage(service),
        essential: true,
        ...(service.command && service.command.length > 0 ? { command: [...service.command] } : {}),
        // bridge: a dynamic host port (0), the load balancer targets instance:port
        portMappings: [
          {
            containerPort: service.port,
            hostPort: service.networkMode === 'bridge' ? 0 : service.port,
            protocol: 'tcp',
          },
        ],
        environment: serviceEnvironment(stack, service),
        secrets: Object.entries(service.secrets ?? {})
          // IAM database authentication: no master password in the task
          .filter(([, secret]) => !('fromDatabase' in secret && stack.database?.iamAuthentication))
          .map(([name, secret]) => containerSecret(name, secret))
          .sort(byName),
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': service.logGroup,
            'awslogs-region': stack.region,
            'awslogs-stream-prefix': service.name,
          },
        },
        healthCheck: {
          command: healthCheckCommand(service.port, serviceHealthCheckPath(stack, service)),
          interval: 15,
          timeout: 5,
          retries: 3,
          startPeriod: 30,
        },
      },
    ],
  };
  return desired(stack, addresses.taskDefinition(service.name), properties, {
    dependsOn: [addresses.logGroup(service.logGroup)],
  });
}

/**
 * launchOf places a service: FARGATE by launch type, EC2 on the stack's capacity provider (a
 * strategy, which rules out a launch type).
 */
function launchOf(service: ResolvedService):
  | Pick<EcsServiceProperties, 'launchType'>
  | {
      capacityProviderStrategy: NonNullable<EcsServiceProperties['capacityProviderStrategy']>;
    } {
  if (service.launchType !== 'EC2') return { launchType: service.launchType };
  return {
    capacityProviderStrategy: [
      { capacityProvider: ref(addresses.capacityProvider(), 'name'), weight: 1, base: 0 },
    ],
  };
}

/**
 * startingCount: the spec's desiredCount, or with autoScaling the count a new service starts
 * with (desiredCount clamped into minTasks..maxTasks), which the scaler owns from then on.
 */
export function startingCount(
  service: ResolvedService,
): Pick<EcsServiceProperties, 'desiredCount' | 'autoScaled'> {
  const scaling = service.autoScaling;
  if (!scaling) return { desiredCount: service.desiredCount };
  const clamped = Math.min(Math.max(service.desiredCount, scaling.minTasks), scaling.maxTasks);
  return { desiredCount: clamped, autoScaled: true };
}

function ecsService(stack: ResolvedStack, service: ResolvedService): DesiredResource {
  const deployment = service.deployment;
  const properties: EcsServiceProperties = {
    cluster: ref(addresses.ecsCluster(), 'arn'),
    serviceName: service.name,
    ...launchOf(service),
    taskDefinition: ref(addresses.taskDefinition(service.name), 'arn'),
    ...startingCount(service),
    ...(service.networkMode === 'awsvpc'
      ? {
          networkConfiguration: {
            subnets: stack.network.availabilityZones.map((zone) =>
              ref(addresses.subnet('private', zone)),
            ),
            securityGroups: [ref(addresses.serviceSecurityGroup(service.name))],
            assignPublicIp: 'DISABLED',
          },
        }
      : {}),
    loadBalancers: service.loadBalancer
      ? [
          {
            targetGroupArn: ref(addresses.targetGroup(service.name), 'arn'),
            containerName: service.name,
            containerPort: service.port,
          },
        ]
      : [],
    deploymentConfiguration: {
      minimumHealthyPercent: deployment.minimumHealthyPercent,
      maximumPercent: deployment.maximumPercent,
      deploymentCircuitBreaker: {
        enable: deployment.circuitBreaker.enable,
        rollback: deployment.circuitBreaker.rollback,
      },
    },
    enableECSManagedTags: true,
    propagateTags: 'SERVICE',
  };
  if (service.loadBalancer) {
    properties.healthCheckGracePeriodSeconds = service.healthCheckGracePeriodSeconds;
  }
  // A target group must be attached to a listener before a service can register tasks in it.
  const dependsOn =
    service.loadBalancer && stack.loadBalancer
      ? stack.loadBalancer.listeners.map((listener) =>
          addresses.listener(listener.protocol, listener.port),
        )
      : [];
  return desired(stack, addresses.ecsService(service.name), properties, { dependsOn });
}

/**
 * expandEcs returns the stack's ECS resources: the cluster (named after the stack, Container
 * Insights enabled) when there is at least one service or EC2 capacity to join it, and per
 * service a task definition and a service.
 */
export function expandEcs(stack: ResolvedStack): DesiredResource[] {
  const services = (stack.services ?? []) as ResolvedService[];
  if (services.length === 0 && !stack.capacity) return [];
  return [
    desired(stack, addresses.ecsCluster(), { name: stack.name, containerInsights: 'enabled' }),
    ...services.flatMap((service) => [taskDefinition(stack, service), ecsService(stack, service)]),
  ];
}
