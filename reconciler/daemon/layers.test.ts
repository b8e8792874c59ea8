import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HANDLERS } from '../resources/registry.ts';
import { LAYER_OF_KIND, LAYERS, type Layer, treeParents } from './layers.ts';

test('every registered kind has a layer, and the table names no kind that is not registered', () => {
  const kinds = HANDLERS.map((handler) => handler.kind).sort();
  assert.deepStrictEqual(Object.keys(LAYER_OF_KIND).sort(), kinds);
  for (const layer of Object.values(LAYER_OF_KIND)) assert.ok(LAYERS.includes(layer), layer);
});

const node = (address: string, layer: Layer, dependsOn: string[] = []) => ({
  address,
  layer,
  dependsOn,
});

test('treeParents hangs each resource under its deepest dependency of the same layer', () => {
  const cases: Array<{ reason: string; nodes: ReturnType<typeof node>[]; parents: object }> = [
    {
      reason: 'a chain: each under the one before',
      nodes: [
        node('vpc.main', 'network'),
        node('internet-gateway.main', 'network', ['vpc.main']),
        node('nat-gateway.a', 'network', ['internet-gateway.main', 'vpc.main']),
      ],
      parents: { 'internet-gateway.main': 'vpc.main', 'nat-gateway.a': 'internet-gateway.main' },
    },
    {
      reason: 'the deeper of two dependencies wins over the shallower one',
      nodes: [
        node('vpc.main', 'network'),
        node('subnet.a', 'network', ['vpc.main']),
        node('route-table.a', 'network', ['vpc.main', 'subnet.a']),
      ],
      parents: { 'subnet.a': 'vpc.main', 'route-table.a': 'subnet.a' },
    },
    {
      reason: 'a dependency in another layer makes no parent',
      nodes: [
        node('subnet.a', 'network'),
        node('load-balancer.main', 'load balancer', ['subnet.a']),
        node('listener.http-80', 'load balancer', ['load-balancer.main']),
      ],
      parents: { 'listener.http-80': 'load-balancer.main' },
    },
    {
      reason: 'equal depths: the first dependency in address order',
      nodes: [
        node('a.one', 'compute'),
        node('a.two', 'compute'),
        node('b.child', 'compute', ['a.two', 'a.one']),
      ],
      parents: { 'b.child': 'a.one' },
    },
    {
      reason: 'a dependency outside the stack is ignored',
      nodes: [node('a.one', 'logs', ['gone.elsewhere'])],
      parents: {},
    },
  ];
  for (const { reason, nodes, parents } of cases) {
    assert.deepStrictEqual(Object.fromEntries(treeParents(nodes)), parents, reason);
  }
});
