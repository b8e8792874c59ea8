import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DesiredResource, ref } from '../resources/types.ts';
import { collectRefs, dependenciesOf, GraphError, orderWaves } from './order.ts';

function resource(
  address: string,
  properties: Record<string, unknown> = {},
  dependsOn: string[] = [],
): DesiredResource {
  return {
    address,
    kind: address.split('.')[0] ?? address,
    stack: 'demo',
    region: 'us-west-2',
    properties,
    tags: {},
    dependsOn,
    deletionPolicy: 'delete',
  };
}

describe('collectRefs and dependenciesOf', () => {
  it('finds refs at any depth and merges dependsOn, sorted and unique', () => {
    const subject = resource(
      'route-table.private-a',
      {
        vpcId: ref('vpc.main'),
        routes: [{ cidr: '0.0.0.0/0', natGatewayId: ref('nat-gateway.a') }],
        associations: { subnets: [ref('subnet.private-a'), ref('vpc.main', 'cidr')] },
      },
      ['internet-gateway.main', 'nat-gateway.a'],
    );
    assert.deepStrictEqual(collectRefs(subject.properties).length, 4);
    assert.deepStrictEqual(dependenciesOf(subject), [
      'internet-gateway.main',
      'nat-gateway.a',
      'subnet.private-a',
      'vpc.main',
    ]);
  });
});

describe('orderWaves', () => {
  const cases: Array<{
    reason: string;
    resources: DesiredResource[];
    expected: string[][] | RegExp;
  }> = [
    { reason: 'empty stack', resources: [], expected: [] },
    {
      reason: 'independent resources share the first wave, sorted',
      resources: [resource('log-group.b'), resource('log-group.a')],
      expected: [['log-group.a', 'log-group.b']],
    },
    {
      reason: 'a chain of refs gives one wave per level, dependsOn counts too',
      resources: [
        resource('route-table.public', { vpcId: ref('vpc.main') }, ['internet-gateway.main']),
        resource('internet-gateway.main', { vpcId: ref('vpc.main') }),
        resource('subnet.public-a', { vpcId: ref('vpc.main') }),
        resource('vpc.main', { cidr: '10.0.0.0/16' }),
      ],
      expected: [
        ['vpc.main'],
        ['internet-gateway.main', 'subnet.public-a'],
        ['route-table.public'],
      ],
    },
    {
      reason: 'a dangling reference names both addresses',
      resources: [resource('subnet.public-a', { vpcId: ref('vpc.other') })],
      expected:
        /^dangling reference in stack demo: subnet\.public-a depends on vpc\.other, which the stack does not define$/,
    },
    {
      reason: 'a cycle is spelled out',
      resources: [
        resource('security-group.a', { peer: ref('security-group.b') }),
        resource('security-group.b', { peer: ref('security-group.a') }),
        resource('vpc.main'),
      ],
      expected:
        /^dependency cycle: security-group\.a -> security-group\.b -> security-group\.a in stack demo$/,
    },
    {
      reason: 'a self reference is a cycle',
      resources: [resource('security-group.a', { peer: ref('security-group.a') })],
      expected: /^dependency cycle: security-group\.a -> security-group\.a in stack demo$/,
    },
    {
      reason: 'a duplicate address is rejected',
      resources: [resource('vpc.main'), resource('vpc.main')],
      expected: /^duplicate address vpc\.main in stack demo$/,
    },
  ];
  for (const testCase of cases) {
    it(testCase.reason, () => {
      if (testCase.expected instanceof RegExp) {
        const pattern = testCase.expected;
        assert.throws(
          () => orderWaves(testCase.resources),
          (err: unknown) => err instanceof GraphError && pattern.test(err.message),
        );
      } else {
        assert.deepStrictEqual(orderWaves(testCase.resources), testCase.expected);
      }
    });
  }
});
