import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsClients } from '../../aws/clients.ts';
import { managementTags } from '../../aws/tags.ts';
import type {
  DeletionPolicy,
  DesiredResource,
  ObservedResource,
  ResourceContext,
} from '../types.ts';
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
/** desiredThing is the desired `thing.a` of stack `s`, tagged as ours. */
function desiredThing<P>(properties: P): DesiredResource<P> {
  return {
    address: 'thing.a',
    kind: 'thing',
    stack: 's',
    region: 'us-west-2',
    properties,
    tags: managementTags('s', 'thing.a'),
    dependsOn: [],
    deletionPolicy: 'delete',
  };
}
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

test('a create AWS refuses because the name is taken: ours is claimed, anyone else is refused', async () => {
  type Sized = { name: string; size: number };
  const desired = desiredThing<Sized>({ name: 'a', size: 2 });
  const taken = Object.assign(new Error('name taken'), { name: 'ThingAlreadyExists' });
  const holder = (properties: Sized, tags = desired.tags) => ({
    id: 'id-old',
    address: 'thing.a',
    properties,
    tags: { ...tags },
  });
  const cases: Array<{
    reason: string;
    createError?: Error;
    found?: ReturnType<typeof holder>[];
    byName?: boolean;
    want: { id: string; properties: Sized } | { message: RegExp; disposition: string };
    calls: string[];
  }> = [
    {
      reason: 'a create that succeeds looks nothing up',
      want: { id: 'id-new', properties: { name: 'a', size: 2 } },
      calls: ['create'],
    },
    {
      reason: 'ours, as desired: returned as created, nothing else is called',
      createError: taken,
      found: [holder({ name: 'a', size: 2 })],
      want: { id: 'id-old', properties: { name: 'a', size: 2 } },
      calls: ['create', 'find a (no memo)'],
    },
    {
      reason: 'ours, with a field the lost try never set: brought to the desired value in place',
      createError: taken,
      found: [holder({ name: 'a', size: 1 })],
      want: { id: 'id-old', properties: { name: 'a', size: 2 } },
      calls: ['create', 'find a (no memo)', 'size id-old 2'],
    },
    {
      reason: 'ours, with our tags only partly right: the tags are written',
      createError: taken,
      found: [holder({ name: 'a', size: 2 }, { ...desired.tags, extra: 'x' })],
      want: { id: 'id-old', properties: { name: 'a', size: 2 } },
      calls: ['create', 'find a (no memo)', 'tag id-old remove=extra'],
    },
    {
      reason:
        'ours, with a replace field that differs: the rest in place, the next plan replaces it',
      createError: taken,
      found: [holder({ name: 'b', size: 1 })],
      want: { id: 'id-old', properties: { name: 'b', size: 2 } },
      calls: ['create', 'find a (no memo)', 'size id-old 2'],
    },
    {
      reason: "another stack's: terminal, with the command that adopts it",
      createError: taken,
      found: [holder({ name: 'a', size: 2 }, managementTags('other', 'thing.a'))],
      want: {
        message:
          /^cannot create thing\.a: id-old already exists and is not owned by thing\.a of stack s: adopt it with `reconciler adopt --stack s thing\.a id-old`$/,
        disposition: 'terminal',
      },
      calls: ['create', 'find a (no memo)'],
    },
    {
      reason: 'made by hand, untagged: terminal as well',
      createError: taken,
      found: [holder({ name: 'a', size: 2 }, {})],
      want: {
        message: /id-old already exists and is not owned by thing\.a of stack s/,
        disposition: 'terminal',
      },
      calls: ['create', 'find a (no memo)'],
    },
    {
      reason: 'the name look-up does not see it yet: the AWS error, retryable',
      createError: taken,
      found: [],
      want: {
        message: /^cannot create thing\.a: ThingAlreadyExists: name taken$/,
        disposition: 'retryable',
      },
      calls: ['create', 'find a (no memo)'],
    },
    {
      reason: 'another error code is not looked into',
      createError: Object.assign(new Error('bad'), { name: 'InvalidParameterValue' }),
      found: [holder({ name: 'a', size: 2 })],
      want: {
        message: /^cannot create thing\.a: InvalidParameterValue: bad$/,
        disposition: 'terminal',
      },
      calls: ['create'],
    },
    {
      reason: 'a kind without a look-up by name cannot claim',
      createError: taken,
      byName: false,
      want: {
        message: /^cannot create thing\.a: ThingAlreadyExists: name taken$/,
        disposition: 'retryable',
      },
      calls: ['create'],
    },
  ];
  for (const testCase of cases) {
    const calls: string[] = [];
    const handler = defineKind<Sized, never>({
      kind: 'thing',
      fields: { name: 'replace', size: 'update' },
      tagging: {
        family: 'fake',
        iamActions: [],
        write: async (_ctx, target, delta) => {
          calls.push(`tag ${target} remove=${delta.remove.join(',')}`);
        },
      },
      iamActions: { read: [], write: [] },
      alreadyExists: ['ThingAlreadyExists'],
      list: async () => [],
      toObserved: () => undefined,
      async create(_ctx, wanted) {
        calls.push('create');
        if (testCase.createError) throw testCase.createError;
        return { id: 'id-new', properties: { ...wanted.properties }, tags: wanted.tags };
      },
      updaters: {
        size: async (_ctx, wanted, current) => {
          calls.push(`size ${current.id} ${wanted.properties.size}`);
        },
      },
      destroy: async () => {},
      ...(testCase.byName === false
        ? {}
        : {
            findByName: async (
              lookupCtx: ResourceContext,
              wanted: readonly { address: string }[],
            ) => {
              calls.push(
                `find ${wanted.map((resource) => resource.address.slice(6)).join(',')}${lookupCtx.memo ? '' : ' (no memo)'}`,
              );
              return testCase.found ?? [];
            },
          }),
    });
    const creating = handler.create({ ...ctx, memo: async (_key, read) => read() }, desired);
    if ('message' in testCase.want) {
      const { message, disposition } = testCase.want;
      await assert.rejects(creating, (err: unknown) => {
        assert.ok(err instanceof ResourceError, testCase.reason);
        assert.deepStrictEqual(
          [err.operation, err.disposition],
          ['create', disposition],
          testCase.reason,
        );
        assert.match(err.message, message, testCase.reason);
        return true;
      });
    } else {
      const created = await creating;
      assert.deepStrictEqual(
        { id: created.id, properties: created.properties },
        testCase.want,
        testCase.reason,
      );
      assert.deepStrictEqual(created.tags, desired.tags, testCase.reason);
    }
    assert.deepStrictEqual(calls, testCase.calls, testCase.reason);
  }
});

test('updateAfterCreate: the updaters set what the create call did not', async () => {
  type Sized = { name: string; size: number; color?: string };
  const cases: Array<{ reason: string; reported?: Sized; want: Sized; calls: string[] }> = [
    {
      reason: 'the create call set everything: no updater runs',
      reported: { name: 'a', size: 2 },
      want: { name: 'a', size: 2 },
      calls: ['create'],
    },
    {
      reason: 'the create call left the size at its default: its updater sets it',
      reported: { name: 'a', size: 0 },
      want: { name: 'a', size: 2 },
      calls: ['create', 'size 0 -> 2'],
    },
    {
      reason: 'a create that reports nothing is taken as made as desired',
      want: { name: 'a', size: 2 },
      calls: ['create'],
    },
  ];
  for (const { reason, reported, want, calls: wantCalls } of cases) {
    const calls: string[] = [];
    const handler = defineKind<Sized, never>({
      kind: 'thing',
      fields: { name: 'replace', size: 'update' },
      tagging: { family: 'fake', iamActions: [], write: async () => {} },
      iamActions: { read: [], write: [] },
      updateAfterCreate: true,
      list: async () => [],
      toObserved: () => undefined,
      async create() {
        calls.push('create');
        return { id: 'id-1', ...(reported ? { properties: reported } : {}) };
      },
      updaters: {
        size: async (_ctx, desired, observed) => {
          calls.push(`size ${observed.properties.size} -> ${desired.properties.size}`);
        },
      },
      destroy: async () => {},
    });
    const created = await handler.create(ctx, desiredThing({ name: 'a', size: 2 }));
    assert.deepStrictEqual(created.properties, want, reason);
    assert.deepStrictEqual(calls, wantCalls, reason);
  }
});
