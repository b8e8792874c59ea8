import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tags } from './types.ts';
import { type VpcProperties, vpcHandler } from './vpc.ts';

const base: VpcProperties = {
  cidrBlock: '10.0.0.0/16',
  enableDnsSupport: true,
  enableDnsHostnames: true,
};
const tags: Tags = { Name: 's-main', 'reconciler:stack': 's', environment: 'dev' };

const cases: Array<{
  reason: string;
  observed: VpcProperties;
  observedTags: Tags;
  want: Array<[path: string, forcesReplacement: boolean]>;
}> = [
  { reason: 'identical: no change', observed: base, observedTags: tags, want: [] },
  {
    reason: 'a different cidr forces replacement',
    observed: { ...base, cidrBlock: '10.1.0.0/16' },
    observedTags: tags,
    want: [['cidrBlock', true]],
  },
  {
    reason: 'dns host names turned off is an in-place update',
    observed: { ...base, enableDnsHostnames: false },
    observedTags: tags,
    want: [['enableDnsHostnames', false]],
  },
  {
    reason: 'a tag removed out of band is tag drift',
    observed: base,
    observedTags: { Name: 's-main', 'reconciler:stack': 's' },
    want: [['tags.environment', false]],
  },
  {
    reason: 'aws: tags are never drift',
    observed: base,
    observedTags: { ...tags, 'aws:cloudformation:stack-name': 'x' },
    want: [],
  },
];

for (const { reason, observed, observedTags, want } of cases) {
  test(`vpc diff: ${reason}`, () => {
    const changes = vpcHandler.diff(base, observed, tags, observedTags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      want,
    );
  });
}
