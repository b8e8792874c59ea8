import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { processServiceLimits, type ServiceLimits } from './concurrency.ts';
import { errorCode, isThrottling } from './errors.ts';

/** CallKey identifies one counted call: service (`ec2`), operation (`DescribeVpcs`), outcome (`ok` or the error code). */
export interface CallKey {
  service: string;
  operation: string;
  outcome: string;
}

/** CallStats counts every SDK call (one per logical call, retries not included) by service, operation and outcome. */
export class CallStats {
  readonly #counts = new Map<string, number>();
  readonly #listeners: Array<(call: CallKey) => void> = [];

  /** record adds one call. */
  record(call: CallKey): void {
    const key = `${call.service}\u0000${call.operation}\u0000${call.outcome}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    for (const listener of this.#listeners) listener(call);
  }

  /** onCall registers a listener (metrics) called after each call. */
  onCall(listener: (call: CallKey) => void): void {
    this.#listeners.push(listener);
  }

  /** entries lists every counted key with its count, sorted by service then operation. */
  entries(): Array<CallKey & { count: number }> {
    return [...this.#counts]
      .map(([key, count]) => {
        const [service = '', operation = '', outcome = ''] = key.split('\u0000');
        return { service, operation, outcome, count };
      })
      .sort(
        (a, b) =>
          a.service.localeCompare(b.service) ||
          a.operation.localeCompare(b.operation) ||
          a.outcome.localeCompare(b.outcome),
      );
  }

  /** total counts calls, optionally only those matching a filter. */
  total(filter: (call: CallKey) => boolean = () => true): number {
    return this.entries()
      .filter(filter)
      .reduce((sum, entry) => sum + entry.count, 0);
  }

  /** reset forgets every count. */
  reset(): void {
    this.#counts.clear();
  }
}

/** RequestLimiter is a shared request budget: acquire() resolves when one more HTTP attempt may be sent. */
export interface RequestLimiter {
  acquire(): Promise<void>;
}

/** ClientOptions configures createClients. */
export interface ClientOptions {
  region: string;
  /** Defaults to AWS_ENDPOINT_URL, so the same binary talks to AWS or to an emulator. */
  endpoint?: string;
  stats?: CallStats;
  limiter?: RequestLimiter;
  /** The per-service bound on requests in flight; by default the one the whole process shares. */
  concurrency?: ServiceLimits;
  maxAttempts?: number;
  /** One credential provider for several createClients (the daemon's regions); by default each call makes its own. */
  credentials?: CredentialProvider;
}

/** CredentialProvider is the SDK's memoized default chain, shareable between clients. */
export type CredentialProvider = ReturnType<typeof defaultProvider>;

/** sharedCredentials is a fresh default-chain provider to hand to several createClients calls. */
export function sharedCredentials(): CredentialProvider {
  return defaultProvider();
}

interface ConfigurableClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: Record<string, unknown>,
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize' | 'finalizeRequest'; name: string; priority?: 'low' | 'high' },
    ): void;
  };
}

const CLIENT_CLASSES = {
  ec2: EC2Client,
  logs: CloudWatchLogsClient,
  iam: IAMClient,
  elbv2: ElasticLoadBalancingV2Client,
  ecs: ECSClient,
  rds: RDSClient,
  dynamodb: DynamoDBClient,
  sts: STSClient,
  tagging: ResourceGroupsTaggingAPIClient,
  secretsmanager: SecretsManagerClient,
  autoscaling: AutoScalingClient,
  applicationAutoScaling: ApplicationAutoScalingClient,
  ecr: ECRClient,
  ssm: SSMClient,
  cloudwatch: CloudWatchClient,
  sns: SNSClient,
} as const;

type ClientName = keyof typeof CLIENT_CLASSES;

/** AwsClients holds one lazily created SDK client per service, all sharing one CallStats. */
export type AwsClients = {
  readonly [K in ClientName]: InstanceType<(typeof CLIENT_CLASSES)[K]>;
} & {
  readonly stats: CallStats;
  readonly region: string;
  /** destroy closes every client that was created (keep-alive sockets). */
  destroy(): void;
};

function serviceLabel(clientName: unknown, fallback: string): string {
  if (typeof clientName !== 'string') return fallback;
  return clientName.replace(/Client$/, '').toLowerCase();
}

function operationLabel(commandName: unknown): string {
  return typeof commandName === 'string' ? commandName.replace(/Command$/, '') : 'unknown';
}

function instrument(
  client: ConfigurableClient,
  name: ClientName,
  options: ClientOptions,
  stats: CallStats,
) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const call = {
        service: serviceLabel(context.clientName, name),
        operation: operationLabel(context.commandName),
      };
      try {
        const output = await next(args);
        stats.record({ ...call, outcome: 'ok' });
        return output;
      } catch (err) {
        stats.record({ ...call, outcome: errorCode(err) ?? 'error' });
        throw err;
      }
    },
    { step: 'initialize', name: 'reconcilerCallStats' },
  );
  // finalizeRequest runs once per HTTP attempt, after the retry middleware: each attempt takes a
  // slot of its service, and a throttled one pauses the service for every kind
  const concurrency = options.concurrency ?? processServiceLimits();
  client.middlewareStack.add(
    (next, context) => (args) =>
      concurrency.run(
        options.region,
        serviceLabel(context.clientName, name),
        () => next(args),
        isThrottling,
      ),
    { step: 'finalizeRequest', name: 'reconcilerServiceConcurrency', priority: 'low' },
  );
  const limiter = options.limiter;
  if (limiter) {
    // finalizeRequest runs once per HTTP attempt, after the retry middleware: every retry spends budget too.
    client.middlewareStack.add(
      (next) => async (args) => {
        await limiter.acquire();
        return next(args);
      },
      { step: 'finalizeRequest', name: 'reconcilerRequestBudget', priority: 'low' },
    );
  }
}

/**
 * createClients is the one factory for SDK v3 clients: endpoint from AWS_ENDPOINT_URL,
 * credentials from the default provider chain, adaptive retries, every call counted. The clients
 * share one memoized credential provider: left to themselves, each of the sixteen would look up
 * credentials on its own (an SSO cache read, a container or instance metadata call) and refresh
 * them on its own.
 */
export function createClients(options: ClientOptions): AwsClients {
  const stats = options.stats ?? new CallStats();
  const endpoint = options.endpoint ?? (process.env.AWS_ENDPOINT_URL || undefined);
  const created = new Map<ClientName, { destroy(): void }>();
  let credentials = options.credentials;
  const clients = {
    stats,
    region: options.region,
    destroy() {
      for (const client of created.values()) client.destroy();
      created.clear();
    },
  } as Record<string, unknown>;
  for (const name of Object.keys(CLIENT_CLASSES) as ClientName[]) {
    Object.defineProperty(clients, name, {
      enumerable: true,
      get() {
        let client = created.get(name);
        if (!client) {
          const ClientClass = CLIENT_CLASSES[name];
          credentials ??= defaultProvider();
          const instance = new ClientClass({
            region: options.region,
            ...(endpoint ? { endpoint } : {}),
            credentials,
            retryMode: 'adaptive',
            maxAttempts: options.maxAttempts ?? 5,
          });
          instrument(instance as unknown as ConfigurableClient, name, options, stats);
          client = instance;
          created.set(name, client);
        }
        return client;
      },
    });
  }
  return clients as unknown as AwsClients;
}
