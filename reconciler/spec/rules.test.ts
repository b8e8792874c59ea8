import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contains, formatCidr, hasHostBits, overlaps, parseCidr } from './cidr.ts';
import { didYouMean, editDistance } from './did-you-mean.ts';
import { formatPath } from './errors.ts';
import { checkRules } from './rules.ts';

type Loose = Record<string, unknown> & {
  network: Record<string, unknown>;
  services: Array<Record<string, unknown>>;
  logGroups: Array<Record<string, unknown>>;
  loadBalancer?: Record<string, unknown>;
  database?: Record<string, unknown>;
};

function baseStack(): Loose {
  return {
    name: 'shop',
    region: 'us-west-2',
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b'],
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    },
    loadBalancer: { listeners: [{ port: 80, protocol: 'HTTP' }] },
    services: [
      {
        name: 'api',
        image: 'nginx:1',
        port: 3000,
        cpu: 256,
        memory: 512,
        launchType: 'FARGATE',
        logGroup: '/shop/api',
        loadBalancer: {},
        environment: { LOG_LEVEL: 'info' },
        secrets: { DB_PASSWORD: { fromDatabase: 'password' } },
      },
    ],
    database: { engineVersion: '16', instanceClass: 'db.t4g.micro', logExports: ['postgresql'] },
    logGroups: [{ name: '/shop/api' }],
  };
}

interface RuleCase {
  reason: string;
  change: (stack: Loose) => void;
  expected: Array<{ path: string; target?: 'key' | 'value'; says: string }>;
}

const service = (stack: Loose, index = 0) => stack.services[index]!;

const cases: RuleCase[] = [
  { reason: 'the base stack is valid', change: () => {}, expected: [] },
  {
    reason: 'a VPC block larger than /16',
    change: (stack) => {
      stack.network.cidr = '10.0.0.0/8';
    },
    expected: [{ path: 'spec.network.cidr', says: 'between /16 and /28, got /8' }],
  },
  {
    reason: 'a VPC block with host bits set',
    change: (stack) => {
      stack.network.cidr = '10.0.3.0/16';
    },
    expected: [{ path: 'spec.network.cidr', says: 'did you mean 10.0.0.0/16?' }],
  },
  {
    reason: 'a subnet outside the VPC',
    change: (stack) => {
      stack.network.publicSubnets = ['10.0.0.0/24', '192.168.1.0/24'];
    },
    expected: [
      { path: 'spec.network.publicSubnets[1]', says: 'must be a CIDR inside 10.0.0.0/16' },
    ],
  },
  {
    reason: 'a subnet larger than the VPC',
    change: (stack) => {
      stack.network.cidr = '10.0.0.0/20';
      stack.network.privateSubnets = ['10.0.10.0/24', '10.0.0.0/16'];
    },
    expected: [
      { path: 'spec.network.privateSubnets[1]', says: 'must be a CIDR inside 10.0.0.0/20' },
    ],
  },
  {
    reason: 'a private subnet overlapping a public one',
    change: (stack) => {
      stack.network.privateSubnets = ['10.0.1.0/25', '10.0.11.0/24'];
    },
    expected: [
      {
        path: 'spec.network.privateSubnets[0]',
        says: 'overlaps spec.network.publicSubnets[1] (10.0.1.0/24)',
      },
    ],
  },
  {
    reason: 'two equal private subnets',
    change: (stack) => {
      stack.network.privateSubnets = ['10.0.10.0/24', '10.0.10.0/24'];
    },
    expected: [
      { path: 'spec.network.privateSubnets[1]', says: 'overlaps spec.network.privateSubnets[0]' },
    ],
  },
  {
    reason: 'a subnet smaller than /28',
    change: (stack) => {
      stack.network.publicSubnets = ['10.0.0.0/24', '10.0.1.0/29'];
    },
    expected: [{ path: 'spec.network.publicSubnets[1]', says: 'between /16 and /28, got /29' }],
  },
  {
    reason: 'fewer private subnets than zones',
    change: (stack) => {
      stack.network.privateSubnets = ['10.0.10.0/24'];
    },
    expected: [
      { path: 'spec.network.privateSubnets', says: '2 zones in availabilityZones, got 1 subnet' },
    ],
  },
  {
    reason: 'a zone of another region',
    change: (stack) => {
      stack.network.availabilityZones = ['us-west-2a', 'us-west-1b'];
    },
    expected: [
      {
        path: 'spec.network.availabilityZones[1]',
        says: "not an availability zone of the stack's region us-west-2",
      },
    ],
  },
  {
    reason: 'one zone with a load balancer and a database',
    change: (stack) => {
      stack.network.availabilityZones = ['us-west-2a'];
      stack.network.publicSubnets = ['10.0.0.0/24'];
      stack.network.privateSubnets = ['10.0.10.0/24'];
    },
    expected: [
      {
        path: 'spec.loadBalancer',
        target: 'key',
        says: 'a load balancer needs subnets in at least two',
      },
      { path: 'spec.database', target: 'key', says: 'a database needs subnets in at least two' },
    ],
  },
  {
    reason: 'an explicit load balancer name over 32 characters',
    change: (stack) => {
      stack.loadBalancer!.name = 'a'.repeat(33);
    },
    expected: [{ path: 'spec.loadBalancer.name', says: 'is 33 characters; AWS allows 32' }],
  },
  {
    reason: 'two listeners on one port',
    change: (stack) => {
      stack.loadBalancer!.listeners = [
        { port: 80, protocol: 'HTTP' },
        { port: 80, protocol: 'HTTP' },
      ];
    },
    expected: [
      {
        path: 'spec.loadBalancer.listeners[1].port',
        says: 'port 80 is already used by spec.loadBalancer.listeners[0]',
      },
    ],
  },
  {
    reason: 'an HTTPS listener without a certificate',
    change: (stack) => {
      stack.loadBalancer!.listeners = [{ port: 443, protocol: 'HTTPS' }];
    },
    expected: [
      {
        path: 'spec.loadBalancer.listeners[0]',
        target: 'key',
        says: 'an HTTPS listener needs certificateArn',
      },
    ],
  },
  {
    reason: 'a certificate on an HTTP listener',
    change: (stack) => {
      stack.loadBalancer!.listeners = [{ port: 80, protocol: 'HTTP', certificateArn: 'arn:x' }];
    },
    expected: [
      {
        path: 'spec.loadBalancer.listeners[0].certificateArn',
        target: 'key',
        says: 'only an HTTPS listener takes certificateArn',
      },
    ],
  },
  {
    reason: 'redirectToHttps on an HTTPS listener',
    change: (stack) => {
      stack.loadBalancer!.listeners = [
        { port: 443, protocol: 'HTTPS', certificateArn: 'arn:x', redirectToHttps: true },
      ];
    },
    expected: [
      {
        path: 'spec.loadBalancer.listeners[0].redirectToHttps',
        says: 'applies only to an HTTP listener',
      },
    ],
  },
  {
    reason: 'redirectToHttps with HTTPS on another port than 443',
    change: (stack) => {
      stack.loadBalancer!.listeners = [
        { port: 80, protocol: 'HTTP', redirectToHttps: true },
        { port: 8443, protocol: 'HTTPS', certificateArn: 'arn:x' },
      ];
    },
    expected: [
      {
        path: 'spec.loadBalancer.listeners[0].redirectToHttps',
        says: 'no HTTPS listener on port 443',
      },
    ],
  },
  {
    reason: 'redirectToHttps with HTTPS on 443 is fine',
    change: (stack) => {
      stack.loadBalancer!.listeners = [
        { port: 80, protocol: 'HTTP', redirectToHttps: true },
        { port: 443, protocol: 'HTTPS', certificateArn: 'arn:x' },
      ];
    },
    expected: [],
  },
  {
    reason: 'a health check timeout not below the interval',
    change: (stack) => {
      stack.loadBalancer!.healthCheck = { intervalSeconds: 10, timeoutSeconds: 10 };
    },
    expected: [
      {
        path: 'spec.loadBalancer.healthCheck.timeoutSeconds',
        says: 'less than intervalSeconds (10)',
      },
    ],
  },
  {
    reason: 'a load-balanced service without a load balancer',
    change: (stack) => {
      delete stack.loadBalancer;
    },
    expected: [
      {
        path: 'spec.services[0].loadBalancer',
        target: 'key',
        says: 'needs a loadBalancer section',
      },
    ],
  },
  {
    reason: 'two services without pathPatterns',
    change: (stack) => {
      stack.services.push({ ...service(stack), name: 'web' });
    },
    expected: [
      {
        path: 'spec.services[1].loadBalancer',
        target: 'key',
        says: 'spec.services[0] already does',
      },
    ],
  },
  {
    reason: 'path routing with a default service is fine',
    change: (stack) => {
      stack.services.push({
        ...service(stack),
        name: 'web',
        loadBalancer: { pathPatterns: ['/web/*'], priority: 5 },
      });
    },
    expected: [],
  },
  {
    reason: 'one path pattern and one priority for two services',
    change: (stack) => {
      stack.services.push({
        ...service(stack),
        name: 'web',
        loadBalancer: { pathPatterns: ['/v1/*'], priority: 5 },
      });
      stack.services.push({
        ...service(stack),
        name: 'admin',
        loadBalancer: { pathPatterns: ['/v1/*'], priority: 5 },
      });
    },
    expected: [
      {
        path: 'spec.services[2].loadBalancer.priority',
        says: 'priority 5 is already used by spec.services[1]',
      },
      {
        path: 'spec.services[2].loadBalancer.pathPatterns[0]',
        says: "'/v1/*' is already routed to spec.services[1]",
      },
    ],
  },
  {
    reason: 'a repeated service name',
    change: (stack) => {
      stack.services.push({ ...service(stack), loadBalancer: undefined });
    },
    expected: [
      {
        path: 'spec.services[1].name',
        says: "service name 'api' is already used by spec.services[0]",
      },
    ],
  },
  {
    reason: 'a target group name over 32 characters',
    change: (stack) => {
      stack.name = 'a-rather-long-stack-name';
      service(stack).name = 'ingest-api';
    },
    expected: [
      {
        path: 'spec.services[0].name',
        says: "'a-rather-long-stack-name-ingest-api' is 35 characters; AWS allows 32",
      },
    ],
  },
  {
    reason: 'a long name for a service without load balancer makes no target group',
    change: (stack) => {
      stack.name = 'a-rather-long-stack-name';
      service(stack).name = 'ingest-api';
      delete service(stack).loadBalancer;
    },
    expected: [],
  },
  {
    reason: 'an undeclared log group with a near miss',
    change: (stack) => {
      service(stack).logGroup = '/shop/apii';
    },
    expected: [{ path: 'spec.services[0].logGroup', says: "(did you mean '/shop/api'?)" }],
  },
  {
    reason: 'a repeated log group',
    change: (stack) => {
      stack.logGroups.push({ name: '/shop/api' });
    },
    expected: [{ path: 'spec.logGroups[1].name', says: 'already declared at spec.logGroups[0]' }],
  },
  {
    reason: 'a log group the database export creates',
    change: (stack) => {
      stack.logGroups.push({ name: '/aws/rds/instance/shop-db/postgresql' });
    },
    expected: [{ path: 'spec.logGroups[1].name', says: 'set database.logRetentionDays instead' }],
  },
  {
    reason: 'a Fargate size that does not exist',
    change: (stack) => {
      service(stack).cpu = 1024;
      service(stack).memory = 1024;
    },
    expected: [
      { path: 'spec.services[0].memory', says: 'with cpu 1024 use 2048 to 8192 in steps of 1024' },
    ],
  },
  {
    reason: 'Fargate sizes are not checked for EC2',
    change: (stack) => {
      stack.capacity = {};
      service(stack).launchType = 'EC2';
      service(stack).memory = 300;
    },
    expected: [],
  },
  {
    reason: 'fromDatabase without a database',
    change: (stack) => {
      delete stack.database;
    },
    expected: [
      {
        path: 'spec.services[0].secrets.DB_PASSWORD.fromDatabase',
        says: 'fromDatabase needs a database',
      },
    ],
  },
  {
    reason: 'autoscaling storage below the allocated storage',
    change: (stack) => {
      stack.database!.allocatedStorageGiB = 100;
      stack.database!.maxAllocatedStorageGiB = 50;
    },
    expected: [
      {
        path: 'spec.database.maxAllocatedStorageGiB',
        says: 'greater than allocatedStorageGiB (100)',
      },
    ],
  },
  {
    reason: 'one variable both in environment and secrets',
    change: (stack) => {
      service(stack).environment = { DB_PASSWORD_ARN: 'arn', LOG_LEVEL: 'info' };
      service(stack).secrets = { LOG_LEVEL: { ssmParameter: '/x' } };
    },
    expected: [
      {
        path: 'spec.services[0].secrets.LOG_LEVEL',
        target: 'key',
        says: 'also set in environment',
      },
    ],
  },
  {
    reason: 'an image of a repository the stack does not declare',
    change: (stack) => {
      stack.registry = { repositories: [{ name: 'api' }] };
      service(stack).image = { repository: 'apl', tag: '1.2.3' };
    },
    expected: [
      {
        path: 'spec.services[0].image.repository',
        says: "repository 'apl' is not declared in spec.registry.repositories (did you mean 'api'?)",
      },
    ],
  },
  {
    reason: 'an image of a repository in a stack without a registry',
    change: (stack) => {
      service(stack).image = { repository: 'api', tag: '1.2.3' };
    },
    expected: [
      {
        path: 'spec.services[0].image.repository',
        says: 'the stack declares no registry.repositories',
      },
    ],
  },
  {
    reason: 'an image of a declared repository',
    change: (stack) => {
      stack.registry = { repositories: [{ name: 'api' }] };
      service(stack).image = { repository: 'api', tag: '1.2.3' };
    },
    expected: [],
  },
  {
    reason: 'a repository declared twice, and a KMS key without KMS encryption',
    change: (stack) => {
      stack.registry = {
        repositories: [
          { name: 'api' },
          { name: 'api', kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/abc' },
          {
            name: 'web',
            encryption: 'KMS',
            kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/abc',
          },
        ],
      };
    },
    expected: [
      {
        path: 'spec.registry.repositories[1].name',
        says: 'already declared at spec.registry.repositories[0]',
      },
      { path: 'spec.registry.repositories[1].kmsKeyArn', says: 'needs encryption: KMS' },
    ],
  },
  {
    reason: 'an EC2 service without capacity, and bridge tasks on Fargate',
    change: (stack) => {
      service(stack).launchType = 'EC2';
      stack.services.push({
        ...service(stack),
        loadBalancer: undefined,
        name: 'worker',
        launchType: 'FARGATE',
        networkMode: 'bridge',
      });
    },
    expected: [
      {
        path: 'spec.services[0].launchType',
        says: 'runs on EC2 but the stack has no capacity section',
      },
      { path: 'spec.services[1].networkMode', says: 'networkMode bridge needs launchType EC2' },
    ],
  },
  {
    reason: 'an EC2 service with capacity, bridge or awsvpc, is valid',
    change: (stack) => {
      stack.capacity = { minSize: 1, maxSize: 4, desiredCapacity: 2 };
      service(stack).launchType = 'EC2';
      service(stack).networkMode = 'bridge';
    },
    expected: [],
  },
  {
    reason: 'capacity sizes out of order',
    change: (stack) => {
      stack.capacity = { minSize: 3, maxSize: 4, desiredCapacity: 2 };
    },
    expected: [
      { path: 'spec.capacity.desiredCapacity', says: 'must be between minSize 3 and maxSize 4' },
    ],
  },
  {
    reason: 'minSize above maxSize',
    change: (stack) => {
      stack.capacity = { minSize: 5, maxSize: 4, desiredCapacity: 4 };
    },
    expected: [{ path: 'spec.capacity.minSize', says: 'minSize 5 is more than maxSize 4' }],
  },
  {
    reason: 'auto scaling on cpu and requests per target behind the load balancer is valid',
    change: (stack) => {
      service(stack).autoScaling = {
        minTasks: 2,
        maxTasks: 6,
        cpu: 60,
        requestsPerTarget: 500,
        scheduled: [{ name: 'morning', schedule: 'cron(0 7 * * ? *)', minTasks: 3, maxTasks: 6 }],
      };
    },
    expected: [],
  },
  {
    reason: 'auto scaling bounds out of order, a scheduled action too',
    change: (stack) => {
      service(stack).autoScaling = {
        minTasks: 7,
        maxTasks: 6,
        cpu: 60,
        scheduled: [{ name: 'night', schedule: 'rate(1 day)', minTasks: 4, maxTasks: 2 }],
      };
    },
    expected: [
      { path: 'spec.services[0].autoScaling.minTasks', says: 'minTasks 7 is more than maxTasks 6' },
      {
        path: 'spec.services[0].autoScaling.scheduled[0].minTasks',
        says: 'minTasks 4 is more than maxTasks 2',
      },
    ],
  },
  {
    reason: 'auto scaling without a metric, requests per target without a load balancer',
    change: (stack) => {
      service(stack).autoScaling = { minTasks: 1, maxTasks: 2 };
      stack.services.push({
        ...service(stack),
        name: 'worker',
        loadBalancer: undefined,
        autoScaling: { minTasks: 1, maxTasks: 2, requestsPerTarget: 100 },
      });
    },
    expected: [
      { path: 'spec.services[0].autoScaling', says: 'tracks nothing: set at least one of cpu' },
      {
        path: 'spec.services[1].autoScaling.requestsPerTarget',
        says: "service worker is not behind the stack's load balancer",
      },
    ],
  },
  {
    reason: 'two scheduled actions of one service with one name',
    change: (stack) => {
      service(stack).autoScaling = {
        minTasks: 1,
        maxTasks: 4,
        memory: 70,
        scheduled: [
          { name: 'peak', schedule: 'rate(1 day)', minTasks: 2, maxTasks: 4 },
          { name: 'peak', schedule: 'rate(2 days)', minTasks: 1, maxTasks: 4 },
        ],
      };
    },
    expected: [
      {
        path: 'spec.services[0].autoScaling.scheduled[1].name',
        says: "scheduled action name 'peak' is already used",
      },
    ],
  },
  {
    reason: 'a capacity provider name ECS reserves',
    change: (stack) => {
      stack.name = 'ecs-demo';
      stack.capacity = { minSize: 1, maxSize: 4, desiredCapacity: 2 };
    },
    expected: [
      { path: 'spec.capacity', says: 'ecs-demo-ec2 would start with aws, ecs or fargate' },
    ],
  },
  {
    reason: 'subscription endpoints that do not fit their protocol, and one subscribed twice',
    change: (stack) => {
      stack.monitoring = {
        notifications: {
          subscriptions: [
            { protocol: 'email', endpoint: 'oncall' },
            { protocol: 'https', endpoint: 'http://hooks.example.com/alarms' },
            { protocol: 'email', endpoint: 'ops@example.com' },
            { protocol: 'email', endpoint: 'ops@example.com' },
          ],
        },
      };
    },
    expected: [
      { path: 'spec.monitoring.notifications.subscriptions[0].endpoint', says: 'not an email' },
      { path: 'spec.monitoring.notifications.subscriptions[1].endpoint', says: 'https:// URL' },
      { path: 'spec.monitoring.notifications.subscriptions[3].endpoint', says: 'subscriptions[2]' },
    ],
  },
  {
    reason: 'alarm periods CloudWatch refuses',
    change: (stack) => {
      stack.monitoring = {
        alarms: {
          databaseCpu: { period: 90, evaluationPeriods: 2 },
          targetErrorRate: { period: 3600, evaluationPeriods: 25 },
        },
      };
    },
    expected: [
      { path: 'spec.monitoring.alarms.databaseCpu.period', says: 'multiple of 60' },
      { path: 'spec.monitoring.alarms.targetErrorRate.evaluationPeriods', says: 'one day' },
    ],
  },
  {
    reason: 'a free storage alarm that would always fire, a widget past the last column',
    change: (stack) => {
      stack.database = { ...stack.database, allocatedStorageGiB: 20 };
      stack.monitoring = {
        alarms: { databaseFreeStorage: { threshold: 20 } },
        widgets: [{ type: 'text', x: 18, width: 12, properties: {} }, { type: 'text' }],
      };
    },
    expected: [
      { path: 'spec.monitoring.alarms.databaseFreeStorage.threshold', says: 'always fire' },
      { path: 'spec.monitoring.widgets[0].width', says: '24 columns' },
      { path: 'spec.monitoring.widgets[1]', target: 'key', says: 'needs its properties' },
    ],
  },
  {
    reason: 'garbage where the network should be is skipped, not thrown',
    change: (stack) => {
      stack.network = 'nope' as unknown as Record<string, unknown>;
      stack.services = [42 as unknown as Record<string, unknown>];
    },
    expected: [
      { path: 'spec.loadBalancer', target: 'key', says: 'has 0' },
      { path: 'spec.database', target: 'key', says: 'has 0' },
    ],
  },
];

test('checkRules reports each rule at the field that breaks it', () => {
  for (const { reason, change, expected } of cases) {
    const stack = baseStack();
    change(stack);
    const issues = checkRules(stack);
    assert.deepStrictEqual(
      issues.map((issue) => ({ path: formatPath(issue.path), target: issue.target })),
      expected.map(({ path, target }) => ({ path, target: target ?? 'value' })),
      `${reason}: ${issues.map((issue) => issue.message).join(' | ')}`,
    );
    issues.forEach((issue, index) => {
      assert.ok(issue.message.includes(expected[index]!.says), `${reason}: '${issue.message}'`);
    });
  }
});

const secretCases: Array<{
  reason: string;
  name: string;
  value: string;
  flagged: 'key' | 'value' | undefined;
}> = [
  { reason: 'PASSWORD in the name', name: 'DB_PASSWORD', value: 'x', flagged: 'key' },
  { reason: 'SECRET in the name', name: 'JWT_SECRET', value: 'x', flagged: 'key' },
  { reason: 'TOKEN in the name', name: 'GITHUB_TOKEN', value: 'x', flagged: 'key' },
  { reason: 'API_KEY in the name', name: 'STRIPE_API_KEY', value: 'x', flagged: 'key' },
  { reason: 'APIKEY in the name', name: 'APIKEY', value: 'x', flagged: 'key' },
  { reason: 'PRIVATE_KEY in the name', name: 'SSH_PRIVATE_KEY', value: 'x', flagged: 'key' },
  { reason: 'CREDENTIALS in the name', name: 'GOOGLE_CREDENTIALS', value: 'x', flagged: 'key' },
  { reason: 'lowercase name', name: 'db_password', value: 'x', flagged: 'key' },
  {
    reason: 'a name pointing at a secret is fine',
    name: 'DB_PASSWORD_ARN',
    value: 'arn:aws:x',
    flagged: undefined,
  },
  {
    reason: 'an AWS access key id',
    name: 'UPLOADER',
    value: 'AKIAIOSFODNN7EXAMPLE',
    flagged: 'value',
  },
  {
    reason: 'an STS access key id',
    name: 'UPLOADER',
    value: 'ASIAIOSFODNN7EXAMPLE',
    flagged: 'value',
  },
  {
    reason: 'a PEM private key',
    name: 'TLS',
    value: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
    flagged: 'value',
  },
  {
    reason: 'an EC PEM key',
    name: 'TLS',
    value: '-----BEGIN EC PRIVATE KEY-----',
    flagged: 'value',
  },
  {
    reason: 'a postgres URL with a password',
    name: 'DATABASE_URL',
    value: 'postgres://app:pw@db:5432/app',
    flagged: 'value',
  },
  {
    reason: 'a redis URL with only a password',
    name: 'CACHE_URL',
    value: 'redis://:pw@cache:6379',
    flagged: 'value',
  },
  {
    reason: 'a URL without a password is fine',
    name: 'DATABASE_URL',
    value: 'postgres://app@db:5432/app',
    flagged: undefined,
  },
  {
    reason: 'an https URL is fine',
    name: 'UPSTREAM',
    value: 'https://example.com:8443/path',
    flagged: undefined,
  },
  { reason: 'a plain setting is fine', name: 'LOG_LEVEL', value: 'debug', flagged: undefined },
  {
    reason: 'a public key is fine',
    name: 'JWKS',
    value: '-----BEGIN PUBLIC KEY-----',
    flagged: undefined,
  },
];

test('plaintext secrets in environment are refused by name and by value', () => {
  for (const { reason, name, value, flagged } of secretCases) {
    const stack = baseStack();
    service(stack).environment = { [name]: value };
    service(stack).secrets = {};
    const issues = checkRules(stack);
    assert.deepStrictEqual(
      issues.map((issue) => ({ path: formatPath(issue.path), target: issue.target })),
      flagged ? [{ path: `spec.services[0].environment.${name}`, target: flagged }] : [],
      reason,
    );
    for (const issue of issues) assert.match(issue.message, /use secrets|under secrets/, reason);
  }
});

test('cidr arithmetic', () => {
  const cidr = (text: string) => parseCidr(text)!;
  const cases = [
    {
      reason: 'inside',
      actual: contains(cidr('10.0.0.0/16'), cidr('10.0.255.0/24')),
      expected: true,
    },
    {
      reason: 'the same block is inside',
      actual: contains(cidr('10.0.0.0/16'), cidr('10.0.0.0/16')),
      expected: true,
    },
    {
      reason: 'just outside',
      actual: contains(cidr('10.0.0.0/16'), cidr('10.1.0.0/24')),
      expected: false,
    },
    {
      reason: 'larger is not inside',
      actual: contains(cidr('10.0.0.0/16'), cidr('10.0.0.0/15')),
      expected: false,
    },
    {
      reason: 'overlap',
      actual: overlaps(cidr('10.0.0.0/24'), cidr('10.0.0.128/25')),
      expected: true,
    },
    {
      reason: 'adjacent',
      actual: overlaps(cidr('10.0.0.0/24'), cidr('10.0.1.0/24')),
      expected: false,
    },
    { reason: 'host bits', actual: hasHostBits(cidr('10.0.0.1/16')), expected: true },
    { reason: 'no host bits', actual: hasHostBits(cidr('10.0.0.0/16')), expected: false },
    { reason: 'a /0 has no host bits', actual: hasHostBits(cidr('0.0.0.0/0')), expected: false },
    { reason: 'octet over 255', actual: parseCidr('10.0.0.256/24') === undefined, expected: true },
    { reason: 'prefix over 32', actual: parseCidr('10.0.0.0/33') === undefined, expected: true },
    { reason: 'not a string', actual: parseCidr(42) === undefined, expected: true },
    {
      reason: 'round trip',
      actual: formatCidr(cidr('192.168.10.0/23')) === '192.168.10.0/23',
      expected: true,
    },
  ];
  for (const { reason, actual, expected } of cases) assert.equal(actual, expected, reason);
});

test('did-you-mean suggests only near misses', () => {
  const keys = ['cidr', 'availabilityZones', 'publicSubnets', 'privateSubnets', 'natGateways'];
  const cases = [
    { reason: 'missing s', word: 'natGateway', expected: 'natGateways' },
    { reason: 'case only', word: 'CIDR', expected: 'cidr' },
    { reason: 'transposed letters', word: 'pubilcSubnets', expected: 'publicSubnets' },
    { reason: 'nothing close', word: 'flavour', expected: undefined },
  ];
  for (const { reason, word, expected } of cases)
    assert.equal(didYouMean(word, keys), expected, reason);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});
