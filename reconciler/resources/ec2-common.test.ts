import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldChange } from '../plan/types.ts';
import { canonicalJson, changedFields, hasTagChanges, ownerOf, sameValue } from './ec2-common.ts';
import type { ResourceContext } from './types.ts';

const sameCases: Array<{ reason: string; a: unknown; b: unknown; want: boolean }> = [
  { reason: 'key order does not matter', a: { x: 1, y: 2 }, b: { y: 2, x: 1 }, want: true },
  {
    reason: 'an undefined member equals a missing one',
    a: { x: 1, y: undefined },
    b: { x: 1 },
    want: true,
  },
  { reason: 'array order matters', a: [1, 2], b: [2, 1], want: false },
  { reason: 'null equals undefined', a: null, b: undefined, want: true },
  {
    reason: 'different nested values differ',
    a: { r: [{ p: 1 }] },
    b: { r: [{ p: 2 }] },
    want: false,
  },
];

for (const { reason, a, b, want } of sameCases) {
  test(`sameValue: ${reason}`, () => {
    assert.deepStrictEqual(sameValue(a, b), want);
  });
}

test('canonicalJson: sorted keys at every depth', () => {
  assert.deepStrictEqual(
    canonicalJson({ b: { d: 1, c: 2 }, a: [{ f: 1, e: 2 }] }),
    '{"a":[{"e":2,"f":1}],"b":{"c":2,"d":1}}',
  );
});

function change(path: string): FieldChange {
  return { path, before: 1, after: 2, forcesReplacement: false, sensitive: false };
}

const fieldCases: Array<{ reason: string; paths: string[]; fields: string[]; tags: boolean }> = [
  {
    reason: 'nested paths map to their top-level property',
    paths: ['ingress[0].cidr', 'routes[1]', 'vpcId'],
    fields: ['ingress', 'routes', 'vpcId'],
    tags: false,
  },
  {
    reason: 'tag changes are not properties',
    paths: ['tags.Name', 'mapPublicIpOnLaunch'],
    fields: ['mapPublicIpOnLaunch'],
    tags: true,
  },
  { reason: 'no changes', paths: [], fields: [], tags: false },
];

for (const { reason, paths, fields, tags } of fieldCases) {
  test(`changedFields / hasTagChanges: ${reason}`, () => {
    const changes = paths.map(change);
    assert.deepStrictEqual([...changedFields(changes)].sort(), fields);
    assert.deepStrictEqual(hasTagChanges(changes), tags);
  });
}

const ctx = { stacks: ['shop', 'blog'] } as unknown as ResourceContext;
const ownerCases: Array<{ reason: string; tags: Record<string, string>; want: unknown }> = [
  {
    reason: 'our stack and an address of the kind',
    tags: { 'reconciler:stack': 'blog', 'reconciler:address': 'subnet.public-a' },
    want: { stack: 'blog', address: 'subnet.public-a' },
  },
  { reason: 'no tags: not ours', tags: {}, want: undefined },
  {
    reason: 'another stack: not ours',
    tags: { 'reconciler:stack': 'other', 'reconciler:address': 'subnet.public-a' },
    want: undefined,
  },
  {
    reason: 'an address of another kind: not this kind',
    tags: { 'reconciler:stack': 'shop', 'reconciler:address': 'vpc.main' },
    want: undefined,
  },
];

for (const { reason, tags, want } of ownerCases) {
  test(`ownerOf: ${reason}`, () => {
    assert.deepStrictEqual(ownerOf(ctx, 'subnet', tags), want);
  });
}
