import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tags } from '../../aws/tags.ts';
import type { FieldChange } from '../../plan/types.ts';
import type { ObservedResource, ResourceContext } from '../types.ts';
import { defineKind } from './define-kind.ts';
import type { TaggingFamily } from './tagging/delta.ts';

type Properties = { ingress: string[]; routes: string[]; mapPublicIpOnLaunch: boolean };

/** fakeSubnets is a kind over an in-memory list of tagged items; it records updaters and tag writes. */
function fakeSubnets(items: Array<{ id: string; tags: Tags }>) {
  const calls: string[] = [];
  const tagging: TaggingFamily = {
    family: 'fake',
    iamActions: ['fake:Tag'],
    async write(_ctx, target) {
      calls.push(`tags ${target}`);
    },
  };
  const record = (name: string) => async () => {
    calls.push(name);
  };
  const handler = defineKind<Properties, { id: string; tags: Tags }>({
    kind: 'subnet',
    fields: { ingress: 'update', routes: 'update', mapPublicIpOnLaunch: 'update' },
    tagging,
    iamActions: { read: ['fake:List'], write: ['fake:Update'] },
    list: async () => items,
    toObserved: (item) => ({
      id: item.id,
      properties: { ingress: [], routes: [], mapPublicIpOnLaunch: true },
      tags: item.tags,
    }),
    create: async () => {
      throw new Error('not used');
    },
    updaters: {
      routes: record('routes'),
      ingress: record('ingress'),
      mapPublicIpOnLaunch: record('mapPublicIpOnLaunch'),
    },
    destroy: async () => {},
  });
  return { handler, calls };
}

const ctx = { stacks: ['shop', 'blog'] } as unknown as ResourceContext;

const ownerCases: Array<{ reason: string; tags: Tags; want: string[][] }> = [
  {
    reason: 'our stack and an address of the kind',
    tags: { 'reconciler:stack': 'blog', 'reconciler:address': 'subnet.public-a' },
    want: [['blog', 'subnet.public-a']],
  },
  { reason: 'no tags: not ours', tags: {}, want: [] },
  {
    reason: 'another stack: not ours',
    tags: { 'reconciler:stack': 'other', 'reconciler:address': 'subnet.public-a' },
    want: [],
  },
  {
    reason: 'an address of another kind: not this kind',
    tags: { 'reconciler:stack': 'shop', 'reconciler:address': 'vpc.main' },
    want: [],
  },
];

for (const { reason, tags, want } of ownerCases) {
  test(`observe keeps only owned resources of the kind: ${reason}`, async () => {
    const { handler } = fakeSubnets([{ id: 'subnet-1', tags }]);
    const observed = await handler.observeAll(ctx);
    assert.deepStrictEqual(
      observed.map((resource) => [resource.stack, resource.address]),
      want,
    );
  });
}

function change(path: string): FieldChange {
  return { path, before: 1, after: 2, forcesReplacement: false, sensitive: false };
}

const updateCases: Array<{ reason: string; paths: string[]; want: string[] }> = [
  {
    reason: 'nested paths run the updater of their top-level property once, in field order',
    paths: ['routes[1]', 'ingress[0].cidr', 'ingress[1]'],
    want: ['ingress', 'routes'],
  },
  {
    reason: 'tag changes are not properties: the tags are written after the updaters',
    paths: ['tags.Name', 'mapPublicIpOnLaunch'],
    want: ['mapPublicIpOnLaunch', 'tags subnet-1'],
  },
  { reason: 'no changes: nothing is called', paths: [], want: [] },
];

for (const { reason, paths, want } of updateCases) {
  test(`update dispatch: ${reason}`, async () => {
    const { handler, calls } = fakeSubnets([]);
    const observed: ObservedResource<Properties> = {
      address: 'subnet.public-a',
      kind: 'subnet',
      stack: 'shop',
      id: 'subnet-1',
      properties: { ingress: [], routes: [], mapPublicIpOnLaunch: false },
      tags: {},
      status: 'ready',
      attributes: { id: 'subnet-1' },
    };
    const desired = {
      ...observed,
      region: 'us-west-2',
      tags: { Name: 'a' },
      dependsOn: [],
      deletionPolicy: 'delete' as const,
    };
    await handler.update(ctx, desired, observed, paths.map(change));
    assert.deepStrictEqual(calls, want);
  });
}
