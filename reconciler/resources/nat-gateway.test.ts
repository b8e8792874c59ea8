import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type NatGatewayProperties, natGatewayHandler, natGatewayStatus } from './nat-gateway.ts';
import type { ResourceStatus } from './types.ts';

const base: NatGatewayProperties = {
  subnetId: 'subnet-1',
  allocationId: 'eipalloc-1',
  connectivityType: 'public',
};
const tags = { 'reconciler:stack': 's' };

const diffCases: Array<{ reason: string; observed: NatGatewayProperties; want: string[] }> = [
  { reason: 'identical: no change', observed: base, want: [] },
  {
    reason: 'another subnet forces replacement',
    observed: { ...base, subnetId: 'subnet-2' },
    want: ['subnetId'],
  },
  {
    reason: 'another elastic ip forces replacement',
    observed: { ...base, allocationId: 'eipalloc-2' },
    want: ['allocationId'],
  },
];

for (const { reason, observed, want } of diffCases) {
  test(`nat gateway diff: ${reason}`, () => {
    const changes = natGatewayHandler.diff(base, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => change.path),
      want,
    );
    assert.ok(changes.every((change) => change.forcesReplacement));
  });
}

const statusCases: Array<{ reason: string; state: string | undefined; want: ResourceStatus }> = [
  { reason: 'pending is requeued, never awaited', state: 'pending', want: 'pending' },
  { reason: 'available is ready', state: 'available', want: 'ready' },
  { reason: 'deleting is on its way out', state: 'deleting', want: 'deleting' },
  { reason: 'failed is failed', state: 'failed', want: 'failed' },
  { reason: 'an unknown state is treated as pending', state: undefined, want: 'pending' },
];

for (const { reason, state, want } of statusCases) {
  test(`nat gateway status: ${reason}`, () => {
    assert.deepStrictEqual(natGatewayStatus(state), want);
  });
}
