import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DesiredResource, ResourceContext, ResourceHandler } from '../resources/types.ts';
import { lookUpValues } from './lookups.ts';
import { silentLogger } from './reconcile.ts';

function resource(stack: string, address: string, value: unknown): DesiredResource {
  return {
    address,
    kind: address.split('.')[0] ?? '',
    stack,
    region: 'us-west-2',
    properties: { value },
    tags: {},
    dependsOn: [],
    deletionPolicy: 'delete',
  };
}

test('lookUpValues: one call per kind and region for every stack, values filled in, others untouched', async () => {
  const calls: string[][] = [];
  const handler = {
    kind: 'template',
    async lookup(_ctx: ResourceContext, desired: readonly DesiredResource[]) {
      calls.push(desired.map((entry) => `${entry.stack}/${entry.address}`));
      return desired.map((entry) => ({ ...entry, properties: { value: 'looked up' } }));
    },
  } as unknown as ResourceHandler;
  const idle = { kind: 'other' } as unknown as ResourceHandler;
  const ctx = { region: 'us-west-2', stacks: ['a', 'b'], log: silentLogger } as ResourceContext;
  const looked = await lookUpValues(
    new Map([['us-west-2', ctx]]),
    [handler, idle],
    [
      {
        stack: 'a',
        region: 'us-west-2',
        resources: [resource('a', 'template.main', 'x'), resource('a', 'other.main', 'y')],
      },
      { stack: 'b', region: 'us-west-2', resources: [resource('b', 'template.main', 'z')] },
    ],
  );
  assert.deepStrictEqual(calls, [['a/template.main', 'b/template.main']]);
  assert.deepStrictEqual(
    looked.get('a')?.map((entry) => entry.properties.value),
    ['looked up', 'y'],
  );
  assert.deepStrictEqual(
    looked.get('b')?.map((entry) => entry.properties.value),
    ['looked up'],
  );
  const none = await lookUpValues(
    new Map([['us-west-2', ctx]]),
    [handler],
    [{ stack: 'a', region: 'us-west-2', resources: [resource('a', 'other.main', 'y')] }],
  );
  assert.equal(calls.length, 1, 'no desired resource of the kind: no call');
  assert.deepStrictEqual(none.get('a')?.[0]?.properties.value, 'y');
});

test('lookUpValues: a failed look-up fails the pass with the kind and region', async () => {
  const failing = {
    kind: 'template',
    lookup: async () => {
      throw new Error('parameter missing');
    },
  } as unknown as ResourceHandler;
  const ctx = { region: 'eu-west-1', stacks: ['a'], log: silentLogger } as ResourceContext;
  await assert.rejects(
    lookUpValues(
      new Map([['eu-west-1', ctx]]),
      [failing],
      [{ stack: 'a', region: 'eu-west-1', resources: [resource('a', 'template.main', 'x')] }],
    ),
    /cannot look up the values of template in eu-west-1: parameter missing/,
  );
});
