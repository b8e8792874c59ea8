import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPath } from './errors.ts';
import { describeValue, pointerToPath } from './messages.ts';
import { validateStackValue } from './validate.ts';

function stackWith(change: (stack: Record<string, unknown>) => void): Record<string, unknown> {
  const stack: Record<string, unknown> = {
    name: 'shop',
    region: 'us-west-2',
    network: {
      cidr: '10.0.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b'],
      publicSubnets: ['10.0.0.0/24', '10.0.1.0/24'],
      privateSubnets: ['10.0.10.0/24', '10.0.11.0/24'],
    },
    logGroups: [{ name: '/shop/api' }],
    services: [{ name: 'api', image: 'nginx:1', port: 80, logGroup: '/shop/api' }],
  };
  change(stack);
  return stack;
}

type Loose = Record<string, unknown>;
const network = (stack: Loose) => stack.network as Loose;
const firstService = (stack: Loose) => (stack.services as Loose[])[0]!;

const cases: Array<{ reason: string; change: (stack: Loose) => void; expected: string[] }> = [
  { reason: 'valid', change: () => {}, expected: [] },
  {
    reason: 'type: number where a string belongs suggests quotes',
    change: (stack) => {
      stack.environment = 2024;
    },
    expected: ['spec.environment: must be a string, got number 2024 (quote it in YAML: "2024")'],
  },
  {
    reason: 'type: string where an integer belongs',
    change: (stack) => {
      firstService(stack).port = '80';
    },
    expected: ["spec.services[0].port: must be an integer, got string '80'"],
  },
  {
    reason: 'type: a fraction is not an integer',
    change: (stack) => {
      firstService(stack).desiredCount = 1.5;
    },
    expected: ['spec.services[0].desiredCount: must be an integer, got number 1.5'],
  },
  {
    reason: 'enum lists the values and suggests the near one',
    change: (stack) => {
      network(stack).natGateways = 'single-az';
    },
    expected: [
      "spec.network.natGateways: must be one of: none, single, perAz; got string 'single-az' (did you mean 'single'?)",
    ],
  },
  {
    reason: 'enum of numbers',
    change: (stack) => {
      firstService(stack).cpu = 300;
    },
    expected: [
      'spec.services[0].cpu: must be one of: 256, 512, 1024, 2048, 4096, 8192, 16384; got number 300',
    ],
  },
  {
    reason: 'additionalProperties with did-you-mean',
    change: (stack) => {
      network(stack).availabilityZone = ['us-west-2a'];
    },
    expected: [
      "spec.network.availabilityZone: unknown key 'availabilityZone' (did you mean 'availabilityZones'?)",
    ],
  },
  {
    reason: 'required names the missing key at the parent',
    change: (stack) => {
      delete firstService(stack).image;
    },
    expected: ["spec.services[0]: missing required key 'image'"],
  },
  {
    reason: 'pattern quotes the Format sentence of the description',
    change: (stack) => {
      stack.region = 'Oregon';
    },
    expected: [
      "spec.region: must be a region name such as us-west-2 or eu-central-1, got string 'Oregon'",
    ],
  },
  {
    reason: 'const',
    change: (stack) => {
      stack.database = {
        engineVersion: '16',
        instanceClass: 'db.t4g.micro',
        manageMasterPassword: false,
      };
    },
    expected: ['spec.database.manageMasterPassword: must be true, got boolean false'],
  },
  {
    reason: 'maxItems',
    change: (stack) => {
      network(stack).availabilityZones = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(
        (zone) => `us-west-2${zone}`,
      );
    },
    expected: [
      'spec.network.availabilityZones: must have at most 6 entries, got 7',
      'spec.network.privateSubnets: must have one subnet per availability zone: 7 zones in availabilityZones, got 2 subnets',
      'spec.network.publicSubnets: must have one subnet per availability zone: 7 zones in availabilityZones, got 2 subnets',
    ],
  },
  {
    reason: 'a secret given as its value',
    change: (stack) => {
      firstService(stack).secrets = { TOKEN: 'abc' };
    },
    expected: [
      'spec.services[0].secrets.TOKEN: must be a reference to a secret, never its value: one of { fromDatabase: password }, { secretsManagerArn: <arn> } or { ssmParameter: <name> }',
    ],
  },
  {
    reason: 'a secret reference with an unknown key',
    change: (stack) => {
      firstService(stack).secrets = { TOKEN: { ssmParameter: '/x', version: 2 } };
    },
    expected: [
      "spec.services[0].secrets.TOKEN.version: unknown key 'version'; allowed keys: ssmParameter",
    ],
  },
  {
    reason: 'a secret reference without any known key',
    change: (stack) => {
      firstService(stack).secrets = { TOKEN: { vault: 'kv/x' } };
    },
    expected: [
      'spec.services[0].secrets.TOKEN: must be a map with exactly one of the keys: fromDatabase, secretsManagerArn, ssmParameter',
    ],
  },
  {
    reason: 'an image given as a string is checked as a reference',
    change: (stack) => {
      firstService(stack).image = 'Nginx Latest';
    },
    expected: [
      "spec.services[0].image: must be repository:tag or repository@sha256:<64 hex digits>, in lowercase, e.g. public.ecr.aws/acme/api:1.2.3, got string 'Nginx Latest'",
    ],
  },
  {
    reason: 'an image of a registry repository is checked as a map',
    change: (stack) => {
      stack.registry = { repositories: [{ name: 'api' }] };
      firstService(stack).image = { repository: 'api', tag: '-1', digest: 'x' };
    },
    expected: [
      "spec.services[0].image.digest: unknown key 'digest'; allowed keys: repository, tag",
      "spec.services[0].image.tag: must be 1 to 128 letters, digits, _ . and -, not starting with . or -, e.g. 1.2.3, got string '-1'",
    ],
  },
  {
    reason: 'a bad environment variable name is reported at the key',
    change: (stack) => {
      firstService(stack).environment = { 'LOG-LEVEL': 'info' };
    },
    expected: [
      'spec.services[0].environment["LOG-LEVEL"]: key \'LOG-LEVEL\' is not valid: must be letters, digits and underscores, not starting with a digit',
    ],
  },
];

test('schema errors read as sentences at field paths', () => {
  for (const { reason, change, expected } of cases) {
    const { stack, issues } = validateStackValue(stackWith(change));
    const rendered = issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).sort();
    assert.deepStrictEqual(rendered, [...expected].sort(), reason);
    assert.equal(stack === undefined, expected.length > 0, reason);
  }
});

test('pointerToPath turns JSON pointers into keys and indexes', () => {
  const data = { services: [{ environment: { 'a/b': 'x', '~t': 'y' } }] };
  const cases = [
    { pointer: '', expected: [] },
    { pointer: '/services/0', expected: ['services', 0] },
    { pointer: '/services/0/environment/a~1b', expected: ['services', 0, 'environment', 'a/b'] },
    { pointer: '/services/0/environment/~0t', expected: ['services', 0, 'environment', '~t'] },
  ];
  for (const { pointer, expected } of cases) {
    assert.deepStrictEqual(pointerToPath(pointer, data), expected, pointer);
  }
});

test('describeValue names what was found', () => {
  const cases = [
    { value: null, expected: 'an empty value' },
    { value: [1], expected: 'a list' },
    { value: { a: 1 }, expected: 'a map' },
    { value: 'x'.repeat(50), expected: `string '${'x'.repeat(37)}...'` },
    { value: 3, expected: 'number 3' },
    { value: true, expected: 'boolean true' },
  ];
  for (const { value, expected } of cases) assert.equal(describeValue(value), expected);
});
