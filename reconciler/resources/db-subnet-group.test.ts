import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DbSubnetGroupProperties, dbSubnetGroupHandler } from './db-subnet-group.ts';

test('db-subnet-group diff', () => {
  const observed: DbSubnetGroupProperties = {
    name: 'demo-db',
    description: 'private subnets of the demo database',
    subnetIds: ['subnet-a', 'subnet-b'],
  };
  const cases: {
    reason: string;
    desired: DbSubnetGroupProperties;
    expected: [string, boolean][];
  }[] = [
    {
      reason: 'same subnets in another order: no change',
      desired: { ...observed, subnetIds: ['subnet-b', 'subnet-a'] },
      expected: [],
    },
    {
      reason: 'another subnet: ModifyDBSubnetGroup, in place',
      desired: { ...observed, subnetIds: ['subnet-a', 'subnet-c'] },
      expected: [['subnetIds[1]', false]],
    },
    {
      reason: 'a third zone: in place',
      desired: { ...observed, subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'] },
      expected: [['subnetIds[2]', false]],
    },
    {
      reason: 'description: in place',
      desired: { ...observed, description: 'db' },
      expected: [['description', false]],
    },
    {
      reason: 'another name is another group: replace',
      desired: { ...observed, name: 'other-db' },
      expected: [['name', true]],
    },
  ];
  for (const { reason, desired, expected } of cases) {
    const changes = dbSubnetGroupHandler.diff(desired, observed, {}, {});
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});
