import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SubnetProperties, subnetHandler } from './subnet.ts';

const base: SubnetProperties = {
  vpcId: 'vpc-1',
  cidrBlock: '10.0.0.0/24',
  availabilityZone: 'us-west-2a',
  mapPublicIpOnLaunch: true,
};
const tags = { 'reconciler:stack': 's' };

const cases: Array<{
  reason: string;
  observed: SubnetProperties;
  want: Array<[path: string, forcesReplacement: boolean]>;
}> = [
  { reason: 'identical: no change', observed: base, want: [] },
  {
    reason: 'a different cidr forces replacement',
    observed: { ...base, cidrBlock: '10.0.5.0/24' },
    want: [['cidrBlock', true]],
  },
  {
    reason: 'another zone forces replacement',
    observed: { ...base, availabilityZone: 'us-west-2b' },
    want: [['availabilityZone', true]],
  },
  {
    reason: 'another vpc forces replacement',
    observed: { ...base, vpcId: 'vpc-2' },
    want: [['vpcId', true]],
  },
  {
    reason: 'public ip mapping changes in place',
    observed: { ...base, mapPublicIpOnLaunch: false },
    want: [['mapPublicIpOnLaunch', false]],
  },
];

for (const { reason, observed, want } of cases) {
  test(`subnet diff: ${reason}`, () => {
    const changes = subnetHandler.diff(base, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      want,
    );
  });
}
