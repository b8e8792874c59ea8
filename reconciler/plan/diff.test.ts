import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldRule, Tags } from '../resources/types.ts';
import { countUnchanged, creationFields, diffProperties, diffTags, ruleFor } from './diff.ts';
import { type FieldChange, UNKNOWN } from './types.ts';

function fc(
  path: string,
  before: unknown,
  after: unknown,
  flags: { replace?: boolean; sensitive?: boolean } = {},
): FieldChange {
  return {
    path,
    before,
    after,
    forcesReplacement: flags.replace ?? false,
    sensitive: flags.sensitive ?? false,
  };
}

describe('diffProperties', () => {
  const cases: Array<{
    reason: string;
    desired: Record<string, unknown>;
    observed: Record<string, unknown>;
    fields?: Record<string, FieldRule>;
    sensitive?: string[];
    expected: FieldChange[];
  }> = [
    {
      reason: 'equal scalars, arrays and objects produce no change',
      desired: { a: 1, b: 'x', c: [1, 2], d: { e: true } },
      observed: { a: 1, b: 'x', c: [1, 2], d: { e: true } },
      expected: [],
    },
    {
      reason: 'a changed scalar is an in-place update by default',
      desired: { mapPublicIpOnLaunch: true },
      observed: { mapPublicIpOnLaunch: false },
      expected: [fc('mapPublicIpOnLaunch', false, true)],
    },
    {
      reason: 'a replace field forces replacement',
      desired: { cidrBlock: '10.0.1.0/24' },
      observed: { cidrBlock: '10.0.2.0/24' },
      fields: { cidrBlock: 'replace' },
      expected: [fc('cidrBlock', '10.0.2.0/24', '10.0.1.0/24', { replace: true })],
    },
    {
      reason: 'ignored fields never show',
      desired: { arn: 'x', name: 'a' },
      observed: { arn: 'y', name: 'a' },
      fields: { arn: 'ignore' },
      expected: [],
    },
    {
      reason: 'properties absent from desired are not managed',
      desired: { name: 'a' },
      observed: { name: 'a', ownerId: '123' },
      expected: [],
    },
    {
      reason: 'nested array element fields get bracket paths',
      desired: {
        ingress: [
          { fromPort: 80, toPort: 80 },
          { fromPort: 443, toPort: 443 },
        ],
      },
      observed: {
        ingress: [
          { fromPort: 80, toPort: 80 },
          { fromPort: 8443, toPort: 443 },
        ],
      },
      expected: [fc('ingress[1].fromPort', 8443, 443)],
    },
    {
      reason: 'a longer desired array shows the added element, a shorter one the removed element',
      desired: { a: [1, 2, 3], b: ['x'] },
      observed: { a: [1, 2], b: ['x', 'y'] },
      expected: [fc('a[2]', undefined, 3), fc('b[1]', 'y', undefined)],
    },
    {
      reason: 'arrays compare by position: the handler sorts them first',
      desired: { zones: ['a', 'b'] },
      observed: { zones: ['b', 'a'] },
      expected: [fc('zones[0]', 'b', 'a'), fc('zones[1]', 'a', 'b')],
    },
    {
      reason: 'nested object keys removed from desired show as removals',
      desired: { environment: { A: '1' } },
      observed: { environment: { A: '1', B: '2' } },
      expected: [fc('environment.B', '2', undefined)],
    },
    {
      reason: 'a nested rule overrides its parent rule',
      desired: { healthCheck: { path: '/a', port: 80 } },
      observed: { healthCheck: { path: '/b', port: 81 } },
      fields: { healthCheck: 'replace', 'healthCheck.path': 'update' },
      expected: [
        fc('healthCheck.path', '/b', '/a'),
        fc('healthCheck.port', 81, 80, { replace: true }),
      ],
    },
    {
      reason: 'an unknown value is a change known after apply',
      desired: { vpcId: UNKNOWN },
      observed: { vpcId: 'vpc-1' },
      expected: [fc('vpcId', 'vpc-1', UNKNOWN)],
    },
    {
      reason: 'an unknown value in a replace field forces replacement',
      desired: { vpcId: UNKNOWN },
      observed: { vpcId: 'vpc-1' },
      fields: { vpcId: 'replace' },
      expected: [fc('vpcId', 'vpc-1', UNKNOWN, { replace: true })],
    },
    {
      reason: 'an unknown deep inside an array element keeps its path',
      desired: { routes: [{ cidr: '0.0.0.0/0', natGatewayId: UNKNOWN }] },
      observed: { routes: [{ cidr: '0.0.0.0/0', natGatewayId: 'nat-1' }] },
      expected: [fc('routes[0].natGatewayId', 'nat-1', UNKNOWN)],
    },
    {
      reason: 'sensitive fields and their children are flagged',
      desired: { secrets: { DB_PASSWORD: 'arn:b' }, name: 'a' },
      observed: { secrets: { DB_PASSWORD: 'arn:a' }, name: 'b' },
      sensitive: ['secrets'],
      expected: [
        fc('name', 'b', 'a'),
        fc('secrets.DB_PASSWORD', 'arn:a', 'arn:b', { sensitive: true }),
      ],
    },
    {
      reason: 'a type change (object to scalar) is one change at the field',
      desired: { value: 'x' },
      observed: { value: { nested: 1 } },
      expected: [fc('value', { nested: 1 }, 'x')],
    },
    {
      reason: 'null is a value, distinct from a missing observed field',
      desired: { description: null },
      observed: {},
      expected: [fc('description', undefined, null)],
    },
  ];
  for (const testCase of cases) {
    it(testCase.reason, () => {
      assert.deepStrictEqual(
        diffProperties(
          testCase.desired,
          testCase.observed,
          testCase.fields ?? {},
          testCase.sensitive ?? [],
        ),
        testCase.expected,
      );
    });
  }
});

describe('diffTags', () => {
  const cases: Array<{ reason: string; desired: Tags; observed: Tags; expected: FieldChange[] }> = [
    { reason: 'equal tags', desired: { a: '1' }, observed: { a: '1' }, expected: [] },
    {
      reason: 'added, changed and removed keys, sorted by key',
      desired: { a: '1', b: '2' },
      observed: { b: '3', c: '4' },
      expected: [
        fc('tags.a', undefined, '1'),
        fc('tags.b', '3', '2'),
        fc('tags.c', '4', undefined),
      ],
    },
    {
      reason: 'observed aws: tags are ignored',
      desired: { a: '1' },
      observed: { a: '1', 'aws:cloudformation:stack-name': 'x' },
      expected: [],
    },
  ];
  for (const testCase of cases) {
    it(testCase.reason, () => {
      assert.deepStrictEqual(diffTags(testCase.desired, testCase.observed), testCase.expected);
    });
  }
});

describe('ruleFor', () => {
  const fields: Record<string, FieldRule> = { a: 'replace', 'a.b': 'ignore', c: 'update' };
  const cases: Array<{ reason: string; path: string; expected: FieldRule }> = [
    { reason: 'exact match', path: 'a', expected: 'replace' },
    { reason: 'inherits from the parent', path: 'a[2].x', expected: 'replace' },
    { reason: 'most specific ancestor wins', path: 'a.b.c', expected: 'ignore' },
    { reason: 'unknown fields update in place', path: 'z', expected: 'update' },
  ];
  for (const testCase of cases) {
    it(testCase.reason, () => {
      assert.deepStrictEqual(ruleFor(testCase.path, fields), testCase.expected);
    });
  }
});

describe('creationFields', () => {
  it('flattens nested objects, keeps scalar arrays whole, skips ignored fields, adds tags', () => {
    assert.deepStrictEqual(
      creationFields(
        {
          name: 'a',
          arn: 'x',
          zones: ['a', 'b'],
          routes: [{ cidr: '0.0.0.0/0', gatewayId: UNKNOWN }],
          secret: { value: 's' },
        },
        { env: 'dev' },
        { arn: 'ignore' },
        ['secret'],
      ),
      [
        fc('name', undefined, 'a'),
        fc('routes[0].cidr', undefined, '0.0.0.0/0'),
        fc('routes[0].gatewayId', undefined, UNKNOWN),
        fc('secret.value', undefined, 's', { sensitive: true }),
        fc('zones', undefined, ['a', 'b']),
        fc('tags.env', undefined, 'dev'),
      ],
    );
  });
});

describe('countUnchanged', () => {
  it('counts managed top-level properties without a change', () => {
    assert.deepStrictEqual(
      countUnchanged({ a: 1, b: 2, c: 3, d: undefined, e: 5 }, { e: 'ignore' }, [fc('b', 1, 2)]),
      2,
    );
  });
});
