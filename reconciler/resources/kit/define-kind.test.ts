import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsClients } from '../../aws/clients.ts';
import { managementTags } from '../../aws/tags.ts';
import type { DeletionPolicy, ObservedResource, ResourceContext } from '../types.ts';
import { defineKind } from './define-kind.ts';
import { ResourceError } from './errors.ts';
import type { TagDelta, TaggingFamily } from './tagging/delta.ts';

/** A kind over an in-memory "AWS": records what the kit asked of it. */
function fakeKind(options: { snapshot: boolean; gone?: boolean }) {
  const calls: string[] = [];
  const tagging: TaggingFamily = {
    family: 'fake',
    iamActions: ['fake:Tag'],
    async write(_ctx, target, delta: TagDelta) {
      calls.push(
        `tag ${target} set=${Object.keys(delta.set).join(',')} remove=${delta.remove.join(',')}`,
      );
    },
  };
  const handler = defineKind<{ name: string }, { id: string }>({
    kind: options.snapshot ? 'thing-with-snapshots' : 'thing',
    fields: { name: 'replace' },
    tagging,
    snapshot: options.snapshot,
    iamActions: { read: ['fake:List'], write: ['fake:Delete'] },
    list: async () => [],
    toObserved: () => undefined,
    create: async () => ({ id: 'x', properties: { name: 'x' }, tags: {} }),
    async destroy(_ctx, observed, { snapshot }) {
      calls.push(`destroy ${observed.id}${snapshot ? ' with snapshot' : ''}`);
      if (options.gone)
        throw Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' });
    },
  });
  return { handler, calls };
}

const ctx = {
  clients: {} as AwsClients,
  region: 'us-west-2',
  stacks: ['s'],
  log: console,
} as unknown as ResourceContext;
const observed: ObservedResource<{ name: string }> = {
  address: 'thing.a',
  kind: 'thing',
  stack: 's',
  id: 'id-1',
  properties: { name: 'a' },
  tags: { ...managementTags('s', 'thing.a'), team: 'web' },
  status: 'ready',
  attributes: { id: 'id-1' },
};

test('the deletion policy table: kind x policy -> what happens', async () => {
  const cases: Array<{
    reason: string;
    snapshot: boolean;
    policy: DeletionPolicy;
    gone?: boolean;
    want: string[] | RegExp;
  }> = [
    { reason: 'delete deletes', snapshot: false, policy: 'delete', want: ['destroy id-1'] },
    {
      reason: 'retain only removes our tags, keeping the others',
      snapshot: false,
      policy: 'retain',
      want: ['tag id-1 set= remove=reconciler:address,reconciler:managed-by,reconciler:stack'],
    },
    {
      reason: 'snapshot on a kind without snapshots is refused, nothing is called',
      snapshot: false,
      policy: 'snapshot',
      want: /deletionPolicy snapshot is not supported by thing/,
    },
    {
      reason: 'snapshot on a kind with snapshots deletes with a final snapshot',
      snapshot: true,
      policy: 'snapshot',
      want: ['destroy id-1 with snapshot'],
    },
    {
      reason: 'delete on a kind with snapshots deletes without one',
      snapshot: true,
      policy: 'delete',
      want: ['destroy id-1'],
    },
    {
      reason: 'retain on a kind with snapshots untags only',
      snapshot: true,
      policy: 'retain',
      want: ['tag id-1 set= remove=reconciler:address,reconciler:managed-by,reconciler:stack'],
    },
    {
      reason: 'already gone is success',
      snapshot: false,
      policy: 'delete',
      gone: true,
      want: ['destroy id-1'],
    },
  ];
  for (const { reason, snapshot, policy, gone, want } of cases) {
    const { handler, calls } = fakeKind({ snapshot, ...(gone ? { gone } : {}) });
    const deleting = handler.delete(ctx, observed, { deletionPolicy: policy });
    if (want instanceof RegExp) {
      await assert.rejects(deleting, (err: unknown) => {
        assert.ok(err instanceof ResourceError, reason);
        assert.equal(err.disposition, 'terminal', reason);
        assert.match(err.message, want, reason);
        return true;
      });
      assert.deepStrictEqual(calls, [], reason);
    } else {
      await deleting;
      assert.deepStrictEqual(calls, want, reason);
    }
  }
});

test('errors of a kind are typed: kind, address, operation, AWS code, disposition', async () => {
  const cases = [
    { reason: 'throttling', name: 'ThrottlingException', disposition: 'throttled' },
    { reason: 'access denied', name: 'AccessDeniedException', disposition: 'terminal' },
    { reason: 'anything else', name: 'InternalFailure', disposition: 'retryable' },
  ];
  for (const { reason, name, disposition } of cases) {
    const handler = defineKind<{ name: string }, never>({
      kind: 'thing',
      fields: {},
      tagging: { family: 'fake', iamActions: [], write: async () => {} },
      iamActions: { read: [], write: [] },
      list: async () => [],
      toObserved: () => undefined,
      create: async () => {
        throw Object.assign(new Error('no'), { name });
      },
      destroy: async () => {},
    });
    await assert.rejects(
      handler.create(ctx, {
        address: 'thing.a',
        kind: 'thing',
        stack: 's',
        region: 'us-west-2',
        properties: { name: 'a' },
        tags: {},
        dependsOn: [],
        deletionPolicy: 'delete',
      }),
      (err: unknown) => {
        assert.ok(err instanceof ResourceError, reason);
        assert.deepStrictEqual(
          [err.kind, err.address, err.operation, err.code, err.disposition, err.message],
          ['thing', 'thing.a', 'create', name, disposition, `cannot create thing.a: ${name}: no`],
          reason,
        );
        return true;
      },
    );
  }
});
