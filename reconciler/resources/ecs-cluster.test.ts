import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ecsClusterHandler, observedCluster } from './ecs-cluster.ts';

const tags = { 'reconciler:stack': 'demo', 'reconciler:address': 'ecs-cluster.main' };

test('ecs-cluster diff', () => {
  const cases = [
    {
      reason: 'same name and setting: no change',
      desired: { name: 'demo', containerInsights: 'enabled' },
      observed: { name: 'demo', containerInsights: 'enabled' },
      observedTags: tags,
      expected: [],
    },
    {
      reason: 'container insights turned off out of band: update in place',
      desired: { name: 'demo', containerInsights: 'enabled' },
      observed: { name: 'demo', containerInsights: 'disabled' },
      observedTags: tags,
      expected: [['containerInsights', 'disabled', 'enabled', false]],
    },
    {
      reason: 'another name is another cluster: replace',
      desired: { name: 'demo2', containerInsights: 'enabled' },
      observed: { name: 'demo', containerInsights: 'enabled' },
      observedTags: tags,
      expected: [['name', 'demo', 'demo2', true]],
    },
    {
      reason: 'a tag changed out of band shows and is corrected in place',
      desired: { name: 'demo', containerInsights: 'enabled' },
      observed: { name: 'demo', containerInsights: 'enabled' },
      observedTags: { ...tags, 'reconciler:stack': 'demo', extra: 'x' },
      expected: [['tags.extra', 'x', undefined, false]],
    },
  ];
  for (const { reason, desired, observed, observedTags, expected } of cases) {
    const changes = ecsClusterHandler.diff(desired, observed, tags, observedTags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.before, change.after, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('observedCluster reads the Container Insights setting, disabled when AWS reports none', () => {
  const cases = [
    {
      reason: 'setting present',
      settings: [{ name: 'containerInsights' as const, value: 'enabled' }],
      expected: 'enabled',
    },
    { reason: 'no settings reported', settings: undefined, expected: 'disabled' },
  ];
  for (const { reason, settings, expected } of cases) {
    const observed = observedCluster({
      clusterName: 'demo',
      clusterArn: 'arn:aws:ecs:us-west-2:1:cluster/demo',
      status: 'ACTIVE',
      settings,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    assert.deepStrictEqual(observed.properties.containerInsights, expected, reason);
    assert.deepStrictEqual(observed.attributes, {
      id: 'arn:aws:ecs:us-west-2:1:cluster/demo',
      arn: 'arn:aws:ecs:us-west-2:1:cluster/demo',
      name: 'demo',
    });
  }
});
