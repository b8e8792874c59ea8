import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iamPolicy, policyActions } from '../commands/iam-policy.ts';
import { creationOrder, HANDLERS, PROTECTED_KINDS } from './registry.ts';
import type { ResourceHandler } from './types.ts';

test('every registered kind states its facts: IAM actions, stability, inventory, order', () => {
  const stacks = [{ name: 'shop' }];
  const allowed = new Set(policyActions(iamPolicy({ stacks })));
  const readOnly = new Set(policyActions(iamPolicy({ stacks, readOnly: true })));
  const seen = new Set<string>();
  for (const handler of HANDLERS) {
    const actions = handler.iamActions;
    assert.ok(actions && actions.read.length > 0, `${handler.kind} declares its reads`);
    assert.ok(actions.write.length > 0, `${handler.kind} declares its writes`);
    assert.ok(
      actions.scope,
      `${handler.kind} says how a policy narrows its writes (iamActions.scope)`,
    );
    for (const action of [...actions.read, ...actions.write, ...(actions.secret ?? [])]) {
      assert.ok(allowed.has(action), `${handler.kind}: ${action} is in the policy`);
    }
    for (const action of actions.read) {
      assert.ok(readOnly.has(action), `${handler.kind}: ${action} is in the read-only policy`);
    }
    assert.equal(typeof handler.stability, 'function', `${handler.kind} has a stability check`);
    assert.equal(typeof handler.inventory, 'function', `${handler.kind} has an inventory read`);
    for (const kind of handler.after ?? []) {
      assert.ok(seen.has(kind), `${handler.kind} comes after ${kind}`);
    }
    seen.add(handler.kind);
  }
  assert.ok(PROTECTED_KINDS.has('db-instance'), 'a database replacement is guarded');
});

test('creationOrder: kinds follow the kinds they refer to, ties keep registration order', () => {
  const kind = (name: string, after: string[] = []) =>
    ({ kind: name, after }) as unknown as ResourceHandler;
  const cases = [
    {
      reason: 'already ordered',
      handlers: [kind('a'), kind('b', ['a']), kind('c')],
      want: ['a', 'b', 'c'],
    },
    {
      reason: 'a kind registered before what it refers to moves after it',
      handlers: [kind('listener', ['lb']), kind('vpc'), kind('lb', ['vpc'])],
      want: ['vpc', 'lb', 'listener'],
    },
  ];
  for (const { reason, handlers, want } of cases) {
    assert.deepStrictEqual(
      creationOrder(handlers).map((handler) => handler.kind),
      want,
      reason,
    );
  }
  assert.throws(() => creationOrder([kind('a', ['b']), kind('b', ['a'])]), /cycle: a -> b -> a/);
  assert.throws(() => creationOrder([kind('a', ['nope'])]), /unknown kind nope/);
});
