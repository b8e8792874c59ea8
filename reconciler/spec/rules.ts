/**
 * The rules of the stack spec that JSON Schema cannot say, checked in code and reported in the same
 * shape as schema errors. Every rule reads the value defensively: the rules also run on specs the
 * schema rejected, so that one run reports every problem, and a malformed part is simply skipped.
 */
import {
  contains,
  formatCidr,
  hasHostBits,
  type Ipv4Block,
  networkAddress,
  overlaps,
  parseCidr,
} from './cidr.ts';
import { didYouMean } from './did-you-mean.ts';
import { formatPath, type PathSegment } from './errors.ts';
import type { SpecIssue } from './issue.ts';
import type { Stack } from './types.generated.ts';

type Loose = Record<string, unknown>;

/** A rule inspects the whole stack and returns its violations. */
type Rule = (stack: Loose) => SpecIssue[];

function map(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Loose)
    : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function issue(path: PathSegment[], message: string, target: 'value' | 'key' = 'value'): SpecIssue {
  return { path, target, message };
}

/** repeats are the positions whose key an earlier position has, each with that first position. */
function repeats<K>(keys: readonly (K | undefined)[]): { index: number; first: number; key: K }[] {
  const firstAt = new Map<K, number>();
  return keys.flatMap((key, index) => {
    if (key === undefined) return [];
    const first = firstAt.get(key);
    if (first !== undefined) return [{ index, first, key }];
    firstAt.set(key, index);
    return [];
  });
}

/** AWS limits that the derived names must respect. */
export const AWS_NAME_LIMITS = { targetGroup: 32, loadBalancer: 32, dbInstance: 63 } as const;

/** SECRET_NAME matches environment variable names that announce a secret. */
export const SECRET_NAME =
  /PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|CLIENT_?KEY/i;

/** NOT_A_SECRET_SUFFIX marks names that hold where a secret is, not the secret (DB_PASSWORD_ARN). */
const NOT_A_SECRET_SUFFIX = /_(ARN|FILE|PATH|NAME)$/i;

/** CREDENTIAL_VALUES are value shapes that are credentials whatever the variable is called. */
export const CREDENTIAL_VALUES: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, what: 'an AWS access key id' },
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/, what: 'a PEM private key' },
  {
    pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i,
    what: 'a URL with a password in it (scheme://user:password@host)',
  },
  { pattern: /\b(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}\b/, what: 'a GitHub token' },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, what: 'a Slack token' },
];

const USE_SECRETS =
  'put it under secrets as a reference ({ fromDatabase: password }, { secretsManagerArn: <arn> } or { ssmParameter: <name> })';

function availabilityZones(stack: Loose): string[] {
  return list(map(stack.network)?.availabilityZones).filter(
    (zone): zone is string => typeof zone === 'string',
  );
}

const networkRules: Rule[] = [
  function vpcCidr(stack) {
    const cidr = parseCidr(map(stack.network)?.cidr);
    if (!cidr) return [];
    const path = ['network', 'cidr'];
    if (cidr.prefix < 16 || cidr.prefix > 28) {
      return [issue(path, `the VPC block must be between /16 and /28, got /${cidr.prefix}`)];
    }
    if (hasHostBits(cidr)) {
      return [issue(path, `has host bits set: did you mean ${formatCidr(networkAddress(cidr))}?`)];
    }
    return [];
  },
  function subnetsInsideVpcAndDisjoint(stack) {
    const network = map(stack.network);
    if (!network) return [];
    const vpc = parseCidr(network.cidr);
    const issues: SpecIssue[] = [];
    const seen: Array<{ block: Ipv4Block; path: PathSegment[]; cidr: string }> = [];
    for (const kind of ['publicSubnets', 'privateSubnets'] as const) {
      list(network[kind]).forEach((cidrText, index) => {
        const block = parseCidr(cidrText);
        if (!block) return;
        const path: PathSegment[] = ['network', kind, index];
        if (block.prefix < 16 || block.prefix > 28) {
          issues.push(issue(path, `a subnet must be between /16 and /28, got /${block.prefix}`));
          return;
        }
        if (hasHostBits(block)) {
          issues.push(
            issue(path, `has host bits set: did you mean ${formatCidr(networkAddress(block))}?`),
          );
          return;
        }
        if (vpc && vpc.prefix >= 16 && vpc.prefix <= 28 && !contains(vpc, block)) {
          issues.push(
            issue(
              path,
              `must be a CIDR inside ${formatCidr(networkAddress(vpc))} (the VPC), got ${String(cidrText)}`,
            ),
          );
          return;
        }
        const clash = seen.find((earlier) => overlaps(earlier.block, block));
        if (clash) {
          issues.push(
            issue(
              path,
              `${String(cidrText)} overlaps ${formatPath(clash.path)} (${clash.cidr}); subnets must not overlap`,
            ),
          );
          return;
        }
        seen.push({ block, path, cidr: String(cidrText) });
      });
    }
    return issues;
  },
  function oneSubnetPerZone(stack) {
    const network = map(stack.network);
    if (!network || !Array.isArray(network.availabilityZones)) return [];
    const zones = network.availabilityZones.length;
    const issues: SpecIssue[] = [];
    for (const kind of ['publicSubnets', 'privateSubnets'] as const) {
      const subnets = network[kind];
      if (!Array.isArray(subnets) || subnets.length === zones) continue;
      issues.push(
        issue(
          ['network', kind],
          `must have one subnet per availability zone: ${zones} zone${zones === 1 ? '' : 's'} in availabilityZones, got ${subnets.length} subnet${subnets.length === 1 ? '' : 's'}`,
        ),
      );
    }
    return issues;
  },
  function zonesInRegion(stack) {
    const region = text(stack.region);
    // A malformed region is the schema's error; comparing zones with it would only add noise.
    if (!region || !/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/.test(region)) return [];
    const issues: SpecIssue[] = [];
    list(map(stack.network)?.availabilityZones).forEach((zone, index) => {
      if (typeof zone !== 'string') return;
      if (!new RegExp(`^${region.replace(/[-]/g, '\\-')}[a-z]$`).test(zone)) {
        issues.push(
          issue(
            ['network', 'availabilityZones', index],
            `'${zone}' is not an availability zone of the stack's region ${region} (expected ${region}a, ${region}b, ...)`,
          ),
        );
      }
    });
    return issues;
  },
];

function listeners(stack: Loose): Array<{ listener: Loose; index: number }> {
  return list(map(stack.loadBalancer)?.listeners)
    .map((listener, index) => ({ listener: map(listener), index }))
    .filter((entry): entry is { listener: Loose; index: number } => entry.listener !== undefined);
}

const loadBalancerRules: Rule[] = [
  function loadBalancerZones(stack) {
    if (!map(stack.loadBalancer)) return [];
    const zones = availabilityZones(stack).length;
    if (zones >= 2) return [];
    return [
      issue(
        ['loadBalancer'],
        `a load balancer needs subnets in at least two availability zones; spec.network.availabilityZones has ${zones}`,
        'key',
      ),
    ];
  },
  function loadBalancerName(stack) {
    const loadBalancer = map(stack.loadBalancer);
    if (!loadBalancer) return [];
    const explicit = text(loadBalancer.name);
    const name = explicit ?? text(stack.name);
    if (name === undefined || name.length <= AWS_NAME_LIMITS.loadBalancer) return [];
    const path: PathSegment[] = explicit !== undefined ? ['loadBalancer', 'name'] : ['name'];
    return [
      issue(
        path,
        `the load balancer name '${name}' is ${name.length} characters; AWS allows ${AWS_NAME_LIMITS.loadBalancer}`,
      ),
    ];
  },
  function listenerPortsUnique(stack) {
    const ports = list(map(stack.loadBalancer)?.listeners).map((listener) => {
      const port = map(listener)?.port;
      return typeof port === 'number' ? port : undefined;
    });
    return repeats(ports).map(({ index, first, key }) =>
      issue(
        ['loadBalancer', 'listeners', index, 'port'],
        `port ${key} is already used by spec.loadBalancer.listeners[${first}]; one listener per port`,
      ),
    );
  },
  function listenerProtocols(stack) {
    const issues: SpecIssue[] = [];
    const all = listeners(stack);
    const httpsOn443 = all.some(
      ({ listener }) => listener.protocol === 'HTTPS' && listener.port === 443,
    );
    for (const { listener, index } of all) {
      const path: PathSegment[] = ['loadBalancer', 'listeners', index];
      if (listener.protocol === 'HTTPS' && listener.certificateArn === undefined) {
        issues.push(
          issue(
            path,
            'an HTTPS listener needs certificateArn (the ARN of an ACM certificate)',
            'key',
          ),
        );
      }
      if (listener.protocol === 'HTTP' && listener.certificateArn !== undefined) {
        issues.push(
          issue(
            [...path, 'certificateArn'],
            'only an HTTPS listener takes certificateArn; use protocol: HTTPS',
            'key',
          ),
        );
      }
      if (listener.redirectToHttps === true) {
        if (listener.protocol !== 'HTTP') {
          issues.push(
            issue([...path, 'redirectToHttps'], 'redirectToHttps applies only to an HTTP listener'),
          );
        } else if (!httpsOn443) {
          issues.push(
            issue(
              [...path, 'redirectToHttps'],
              'redirectToHttps sends clients to HTTPS on port 443, but no HTTPS listener on port 443 is declared',
            ),
          );
        }
      }
    }
    return issues;
  },
  function healthCheckTimeout(stack) {
    const healthCheck = map(map(stack.loadBalancer)?.healthCheck);
    if (!healthCheck) return [];
    const { timeoutSeconds, intervalSeconds } = healthCheck;
    if (typeof timeoutSeconds !== 'number' || typeof intervalSeconds !== 'number') return [];
    if (timeoutSeconds < intervalSeconds) return [];
    return [
      issue(
        ['loadBalancer', 'healthCheck', 'timeoutSeconds'],
        `must be less than intervalSeconds (${intervalSeconds}), got ${timeoutSeconds}`,
      ),
    ];
  },
];

/** FARGATE_MEMORY lists, per cpu, the memory sizes (MiB) Fargate accepts. */
export const FARGATE_MEMORY: Readonly<
  Record<number, { min: number; max: number; step: number; extra?: number[] }>
> = {
  256: { min: 1024, max: 2048, step: 1024, extra: [512] },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

function fargateAccepts(cpu: number, memory: number): boolean {
  const sizes = FARGATE_MEMORY[cpu];
  if (!sizes) return true;
  if (sizes.extra?.includes(memory)) return true;
  return memory >= sizes.min && memory <= sizes.max && (memory - sizes.min) % sizes.step === 0;
}

function services(stack: Loose): Array<{ service: Loose; index: number }> {
  return list(stack.services)
    .map((service, index) => ({ service: map(service), index }))
    .filter((entry): entry is { service: Loose; index: number } => entry.service !== undefined);
}

const serviceRules: Rule[] = [
  function serviceNamesUnique(stack) {
    const names = list(stack.services).map((service) => text(map(service)?.name));
    return repeats(names).map(({ index, first, key }) =>
      issue(
        ['services', index, 'name'],
        `service name '${key}' is already used by spec.services[${first}]`,
      ),
    );
  },
  function targetGroupNames(stack) {
    const stackName = text(stack.name);
    // A stack name the schema rejects is reported there; its derived names would only add noise.
    if (stackName === undefined || stackName.length > 24) return [];
    return services(stack)
      .filter(
        ({ service }) => service.loadBalancer !== undefined && typeof service.name === 'string',
      )
      .map(({ service, index }) => ({ index, derived: `${stackName}-${String(service.name)}` }))
      .filter(({ derived }) => derived.length > AWS_NAME_LIMITS.targetGroup)
      .map(({ index, derived }) =>
        issue(
          ['services', index, 'name'],
          `the derived target group name '${derived}' is ${derived.length} characters; AWS allows ${AWS_NAME_LIMITS.targetGroup}: shorten the stack or service name`,
        ),
      );
  },
  function logGroupDeclared(stack) {
    const declared = list(stack.logGroups)
      .map((group) => text(map(group)?.name))
      .filter((name): name is string => name !== undefined);
    const issues: SpecIssue[] = [];
    for (const { service, index } of services(stack)) {
      const logGroup = text(service.logGroup);
      if (logGroup === undefined || declared.includes(logGroup)) continue;
      const suggestion = didYouMean(logGroup, declared);
      const known =
        declared.length > 0 ? `declared: ${declared.join(', ')}` : 'spec.logGroups declares none';
      issues.push(
        issue(
          ['services', index, 'logGroup'],
          `log group '${logGroup}' is not declared in spec.logGroups${suggestion ? ` (did you mean '${suggestion}'?)` : ` (${known})`}`,
        ),
      );
    }
    return issues;
  },
  function loadBalancedServices(stack) {
    const issues: SpecIssue[] = [];
    const hasLoadBalancer = map(stack.loadBalancer) !== undefined;
    let defaultService: number | undefined;
    const priorities = new Map<number, number>();
    const patterns = new Map<string, number>();
    for (const { service, index } of services(stack)) {
      const attachment = map(service.loadBalancer);
      if (!attachment) continue;
      const path: PathSegment[] = ['services', index, 'loadBalancer'];
      if (!hasLoadBalancer) {
        issues.push(
          issue(
            path,
            'a load-balanced service needs a loadBalancer section in the stack (spec.loadBalancer)',
            'key',
          ),
        );
        continue;
      }
      if (attachment.pathPatterns === undefined) {
        if (defaultService !== undefined) {
          issues.push(
            issue(
              path,
              `only one load-balanced service may leave out pathPatterns (it receives the default route), and spec.services[${defaultService}] already does`,
              'key',
            ),
          );
        } else {
          defaultService = index;
        }
      }
      if (typeof attachment.priority === 'number') {
        const first = priorities.get(attachment.priority);
        if (first !== undefined) {
          issues.push(
            issue(
              [...path, 'priority'],
              `priority ${attachment.priority} is already used by spec.services[${first}]`,
            ),
          );
        } else {
          priorities.set(attachment.priority, index);
        }
      }
      list(attachment.pathPatterns).forEach((pattern, patternIndex) => {
        if (typeof pattern !== 'string') return;
        const first = patterns.get(pattern);
        if (first !== undefined && first !== index) {
          issues.push(
            issue(
              [...path, 'pathPatterns', patternIndex],
              `path pattern '${pattern}' is already routed to spec.services[${first}]`,
            ),
          );
        } else {
          patterns.set(pattern, index);
        }
      });
    }
    return issues;
  },
  function fargateSizes(stack) {
    const issues: SpecIssue[] = [];
    for (const { service, index } of services(stack)) {
      const { cpu, memory, launchType } = service;
      if (launchType !== 'FARGATE' || typeof cpu !== 'number' || typeof memory !== 'number')
        continue;
      if (fargateAccepts(cpu, memory)) continue;
      const sizes = FARGATE_MEMORY[cpu]!;
      issues.push(
        issue(
          ['services', index, 'memory'],
          `Fargate does not run cpu ${cpu} with memory ${memory}; with cpu ${cpu} use ${sizes.extra ? `${sizes.extra.join(', ')} or ` : ''}${sizes.min} to ${sizes.max} in steps of ${sizes.step}`,
        ),
      );
    }
    return issues;
  },
  function secretsFromDatabase(stack) {
    if (map(stack.database)) return [];
    const issues: SpecIssue[] = [];
    for (const { service, index } of services(stack)) {
      for (const [name, reference] of Object.entries(map(service.secrets) ?? {})) {
        if (map(reference)?.fromDatabase === undefined) continue;
        issues.push(
          issue(
            ['services', index, 'secrets', name, 'fromDatabase'],
            'fromDatabase needs a database: the stack declares none (add a database section or use secretsManagerArn / ssmParameter)',
          ),
        );
      }
    }
    return issues;
  },
  function noPlaintextSecrets(stack) {
    const issues: SpecIssue[] = [];
    for (const { service, index } of services(stack)) {
      for (const [name, value] of Object.entries(map(service.environment) ?? {})) {
        const path: PathSegment[] = ['services', index, 'environment', name];
        const secretWord = SECRET_NAME.exec(name);
        if (secretWord && !NOT_A_SECRET_SUFFIX.test(name)) {
          issues.push(
            issue(
              path,
              `'${name}' looks like a secret (its name contains ${secretWord[0].toUpperCase()}): never put a secret in environment; ${USE_SECRETS}`,
              'key',
            ),
          );
          continue;
        }
        if (typeof value !== 'string') continue;
        const credential = CREDENTIAL_VALUES.find(({ pattern }) => pattern.test(value));
        if (credential) {
          issues.push(
            issue(
              path,
              `the value of '${name}' looks like ${credential.what}: never put a secret in environment; ${USE_SECRETS}`,
            ),
          );
        }
      }
    }
    return issues;
  },
  function environmentAndSecretsDisjoint(stack) {
    const issues: SpecIssue[] = [];
    for (const { service, index } of services(stack)) {
      const environment = map(service.environment) ?? {};
      for (const name of Object.keys(map(service.secrets) ?? {})) {
        if (!(name in environment)) continue;
        issues.push(
          issue(
            ['services', index, 'secrets', name],
            `'${name}' is also set in environment; a variable comes either from environment or from secrets`,
            'key',
          ),
        );
      }
    }
    return issues;
  },
];

const databaseRules: Rule[] = [
  function databaseZones(stack) {
    if (!map(stack.database)) return [];
    const zones = availabilityZones(stack).length;
    if (zones >= 2) return [];
    return [
      issue(
        ['database'],
        `a database needs subnets in at least two availability zones (RDS subnet group); spec.network.availabilityZones has ${zones}`,
        'key',
      ),
    ];
  },
  function storageAutoscaling(stack) {
    const database = map(stack.database);
    if (!database) return [];
    const { allocatedStorageGiB, maxAllocatedStorageGiB } = database;
    if (typeof allocatedStorageGiB !== 'number' || typeof maxAllocatedStorageGiB !== 'number')
      return [];
    if (maxAllocatedStorageGiB > allocatedStorageGiB) return [];
    return [
      issue(
        ['database', 'maxAllocatedStorageGiB'],
        `must be greater than allocatedStorageGiB (${allocatedStorageGiB}), got ${maxAllocatedStorageGiB}`,
      ),
    ];
  },
  function databaseLogGroupsNotDeclared(stack) {
    const database = map(stack.database);
    const stackName = text(stack.name);
    if (!database || stackName === undefined) return [];
    const identifier = text(database.identifier) ?? `${stackName}-db`;
    const exported = new Set(
      list(database.logExports).map((kind) => `/aws/rds/instance/${identifier}/${String(kind)}`),
    );
    return list(stack.logGroups)
      .map((group, index) => ({ name: text(map(group)?.name), index }))
      .filter(({ name }) => name !== undefined && exported.has(name))
      .map(({ name, index }) =>
        issue(
          ['logGroups', index, 'name'],
          `'${name}' is the log group of the database's logExports, which the stack creates itself; set database.logRetentionDays instead`,
        ),
      );
  },
];

const logGroupRules: Rule[] = [
  function logGroupNamesUnique(stack) {
    const names = list(stack.logGroups).map((group) => text(map(group)?.name));
    return repeats(names).map(({ index, first, key }) =>
      issue(
        ['logGroups', index, 'name'],
        `log group '${key}' is already declared at spec.logGroups[${first}]`,
      ),
    );
  },
];

function repositories(stack: Loose): Array<{ repository: Loose; index: number }> {
  return list(map(stack.registry)?.repositories)
    .map((repository, index) => ({ repository: map(repository), index }))
    .filter(
      (entry): entry is { repository: Loose; index: number } => entry.repository !== undefined,
    );
}

const registryRules: Rule[] = [
  function repositoryNamesUnique(stack) {
    const names = list(map(stack.registry)?.repositories).map((repository) =>
      text(map(repository)?.name),
    );
    return repeats(names).map(({ index, first, key }) =>
      issue(
        ['registry', 'repositories', index, 'name'],
        `repository '${key}' is already declared at spec.registry.repositories[${first}]`,
      ),
    );
  },
  function kmsKeyOnlyWithKms(stack) {
    return repositories(stack)
      .filter(({ repository }) => repository.kmsKeyArn !== undefined)
      .filter(({ repository }) => repository.encryption !== 'KMS')
      .map(({ index }) =>
        issue(
          ['registry', 'repositories', index, 'kmsKeyArn'],
          'kmsKeyArn needs encryption: KMS (the default encryption AES256 uses no KMS key)',
        ),
      );
  },
  function imageRepositoryDeclared(stack) {
    const declared = repositories(stack)
      .map(({ repository }) => text(repository.name))
      .filter((name): name is string => name !== undefined);
    const issues: SpecIssue[] = [];
    for (const { service, index } of services(stack)) {
      const named = text(map(service.image)?.repository);
      if (named === undefined || declared.includes(named)) continue;
      const suggestion = didYouMean(named, declared);
      const known =
        declared.length > 0
          ? `declared: ${declared.join(', ')}`
          : 'the stack declares no registry.repositories';
      issues.push(
        issue(
          ['services', index, 'image', 'repository'],
          `repository '${named}' is not declared in spec.registry.repositories${suggestion ? ` (did you mean '${suggestion}'?)` : ` (${known})`}`,
        ),
      );
    }
    return issues;
  },
];

/** RESERVED_PROVIDER_PREFIX: ECS refuses capacity provider names starting with these. */
const RESERVED_PROVIDER_PREFIX = /^(aws|ecs|fargate)/i;

const capacityRules: Rule[] = [
  function ec2NeedsCapacity(stack) {
    if (map(stack.capacity)) return [];
    return services(stack)
      .filter(({ service }) => service.launchType === 'EC2')
      .map(({ service, index }) =>
        issue(
          ['services', index, 'launchType'],
          `service ${text(service.name) ?? index} runs on EC2 but the stack has no capacity section: add capacity (the instances to run it on) or use FARGATE`,
        ),
      );
  },
  function bridgeNeedsEc2(stack) {
    return services(stack)
      .filter(({ service }) => service.networkMode === 'bridge' && service.launchType !== 'EC2')
      .map(({ index }) =>
        issue(
          ['services', index, 'networkMode'],
          'networkMode bridge needs launchType EC2 (Fargate tasks are awsvpc only)',
        ),
      );
  },
  function capacitySizes(stack) {
    const capacity = map(stack.capacity);
    if (!capacity) return [];
    const { minSize, maxSize, desiredCapacity } = capacity;
    if (typeof minSize !== 'number' || typeof maxSize !== 'number') return [];
    if (minSize > maxSize) {
      return [issue(['capacity', 'minSize'], `minSize ${minSize} is more than maxSize ${maxSize}`)];
    }
    if (
      typeof desiredCapacity === 'number' &&
      (desiredCapacity < minSize || desiredCapacity > maxSize)
    ) {
      return [
        issue(
          ['capacity', 'desiredCapacity'],
          `desiredCapacity ${desiredCapacity} must be between minSize ${minSize} and maxSize ${maxSize}`,
        ),
      ];
    }
    return [];
  },
  function capacityProviderName(stack) {
    const name = text(stack.name);
    if (!map(stack.capacity) || name === undefined || !RESERVED_PROVIDER_PREFIX.test(name))
      return [];
    return [
      issue(
        ['capacity'],
        `a stack with capacity cannot be named '${name}': its capacity provider ${name}-ec2 would start with aws, ecs or fargate, which ECS reserves`,
      ),
    ];
  },
];

/** EMAIL is the shape SNS takes for an email endpoint: one @, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** DAY_SECONDS: CloudWatch refuses an alarm whose period x evaluationPeriods is longer than a day. */
const DAY_SECONDS = 86_400;

/** DASHBOARD_COLUMNS: a CloudWatch dashboard is 24 columns wide. */
const DASHBOARD_COLUMNS = 24;

const monitoringRules: Rule[] = [
  function subscriptionEndpoints(stack) {
    const subscriptions = list(map(map(stack.monitoring)?.notifications)?.subscriptions);
    const issues: SpecIssue[] = [];
    const seen = new Map<string, number>();
    subscriptions.forEach((entry, index) => {
      const subscription = map(entry);
      const protocol = text(subscription?.protocol);
      const endpoint = text(subscription?.endpoint);
      if (!protocol || endpoint === undefined) return;
      const path = ['monitoring', 'notifications', 'subscriptions', index, 'endpoint'];
      if (protocol === 'email' && !EMAIL.test(endpoint)) {
        issues.push(issue(path, `'${endpoint}' is not an email address (name@example.com)`));
      }
      if (protocol === 'https' && !/^https:\/\/[^\s/?#]+[^\s]*$/i.test(endpoint)) {
        issues.push(issue(path, `'${endpoint}' is not an https:// URL`));
      }
      const key = `${protocol} ${endpoint}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        issues.push(
          issue(path, `${protocol} ${endpoint} is already subscribed at subscriptions[${earlier}]`),
        );
      } else {
        seen.set(key, index);
      }
    });
    return issues;
  },
  function alarmPeriods(stack) {
    const alarms = map(map(stack.monitoring)?.alarms) ?? {};
    return Object.entries(alarms).flatMap(([name, value]) => {
      const alarm = map(value);
      const { period, evaluationPeriods } = alarm ?? {};
      if (typeof period !== 'number') return [];
      const path = ['monitoring', 'alarms', name, 'period'];
      if (period !== 10 && period !== 30 && period % 60 !== 0) {
        return [issue(path, `a period must be 10, 30 or a multiple of 60 seconds, got ${period}`)];
      }
      if (typeof evaluationPeriods === 'number' && period * evaluationPeriods > DAY_SECONDS) {
        return [
          issue(
            ['monitoring', 'alarms', name, 'evaluationPeriods'],
            `period x evaluationPeriods is ${period * evaluationPeriods} seconds; CloudWatch evaluates at most one day (86400)`,
          ),
        ];
      }
      return [];
    });
  },
  function freeStorageBelowAllocated(stack) {
    const threshold = map(map(map(stack.monitoring)?.alarms)?.databaseFreeStorage)?.threshold;
    const allocated = map(stack.database)?.allocatedStorageGiB;
    if (typeof threshold !== 'number' || typeof allocated !== 'number' || threshold < allocated)
      return [];
    return [
      issue(
        ['monitoring', 'alarms', 'databaseFreeStorage', 'threshold'],
        `${threshold} GiB is not below the database's ${allocated} GiB: the alarm would always fire`,
      ),
    ];
  },
  function widgetsInsideDashboard(stack) {
    return list(map(stack.monitoring)?.widgets).flatMap((entry, index) => {
      const widget = map(entry);
      if (widget && !map(widget.properties)) {
        return [
          issue(
            ['monitoring', 'widgets', index],
            'a widget needs its properties (an object)',
            'key',
          ),
        ];
      }
      const { x, width } = widget ?? {};
      if (typeof x !== 'number' || typeof width !== 'number' || x + width <= DASHBOARD_COLUMNS)
        return [];
      return [
        issue(
          ['monitoring', 'widgets', index, 'width'],
          `x ${x} + width ${width} is past the dashboard's ${DASHBOARD_COLUMNS} columns`,
        ),
      ];
    });
  },
];

/** autoScalingRules: the scaler's bounds, what it tracks and what it can track. */
const autoScalingRules: Rule[] = [
  function autoScalingBounds(stack) {
    const issues: SpecIssue[] = [];
    for (const { service, index } of services(stack)) {
      const scaling = map(service.autoScaling);
      if (!scaling) continue;
      const at = ['services', index, 'autoScaling'];
      if (
        typeof scaling.minTasks === 'number' &&
        typeof scaling.maxTasks === 'number' &&
        scaling.minTasks > scaling.maxTasks
      ) {
        issues.push(
          issue(
            [...at, 'minTasks'],
            `minTasks ${scaling.minTasks} is more than maxTasks ${scaling.maxTasks}`,
          ),
        );
      }
      list(scaling.scheduled).forEach((entry, position) => {
        const action = map(entry);
        if (
          action &&
          typeof action.minTasks === 'number' &&
          typeof action.maxTasks === 'number' &&
          action.minTasks > action.maxTasks
        ) {
          issues.push(
            issue(
              [...at, 'scheduled', position, 'minTasks'],
              `minTasks ${action.minTasks} is more than maxTasks ${action.maxTasks}`,
            ),
          );
        }
      });
    }
    return issues;
  },
  function autoScalingTracksSomething(stack) {
    return services(stack)
      .filter(({ service }) => {
        const scaling = map(service.autoScaling);
        return scaling && !['cpu', 'memory', 'requestsPerTarget'].some((key) => key in scaling);
      })
      .map(({ service, index }) =>
        issue(
          ['services', index, 'autoScaling'],
          `service ${text(service.name) ?? index} scales automatically but tracks nothing: set at least one of cpu, memory or requestsPerTarget`,
        ),
      );
  },
  function requestsPerTargetNeedsLoadBalancer(stack) {
    return services(stack)
      .filter(
        ({ service }) =>
          map(service.autoScaling)?.requestsPerTarget !== undefined &&
          (!map(service.loadBalancer) || !map(stack.loadBalancer)),
      )
      .map(({ service, index }) =>
        issue(
          ['services', index, 'autoScaling', 'requestsPerTarget'],
          `requestsPerTarget counts the load balancer's requests, but service ${text(service.name) ?? index} is not behind the stack's load balancer: add loadBalancer to the service or track cpu or memory`,
        ),
      );
  },
  function scheduledNamesUnique(stack) {
    return services(stack).flatMap(({ service, index }) => {
      const names = list(map(service.autoScaling)?.scheduled).map((entry) =>
        text(map(entry)?.name),
      );
      return repeats(names).map(({ index: position, key }) =>
        issue(
          ['services', index, 'autoScaling', 'scheduled', position, 'name'],
          `scheduled action name '${key}' is already used in this service`,
        ),
      );
    });
  },
];

/** RULES is every code-level rule, in the order their issues are reported. */
export const RULES: readonly Rule[] = [
  ...networkRules,
  ...loadBalancerRules,
  ...serviceRules,
  ...autoScalingRules,
  ...capacityRules,
  ...databaseRules,
  ...logGroupRules,
  ...registryRules,
  ...monitoringRules,
];

/**
 * checkRules returns every rule violation in a stack. It accepts any value (also one the schema
 * rejected); a rule that meets a shape it cannot read reports nothing rather than throwing.
 */
export function checkRules(stack: Stack | unknown): SpecIssue[] {
  const root = map(stack);
  if (!root) return [];
  return RULES.flatMap((rule) => {
    try {
      return rule(root);
    } catch {
      return [];
    }
  });
}
