import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elasticIpHandler } from './elastic-ip.ts';
import type { Tags } from './types.ts';

const tags: Tags = { Name: 's-nat-a', environment: 'dev', 'reconciler:stack': 's' };

const cases: Array<{ reason: string; observedTags: Tags; want: string[] }> = [
  { reason: 'same tags: no change', observedTags: tags, want: [] },
  {
    reason: 'a removed tag and a foreign tag both show',
    observedTags: { Name: 's-nat-a', 'reconciler:stack': 's', extra: 'x' },
    want: ['tags.environment', 'tags.extra'],
  },
  {
    reason: 'a changed value shows',
    observedTags: { ...tags, Name: 'renamed' },
    want: ['tags.Name'],
  },
  {
    reason: 'aws: tags are ignored',
    observedTags: { ...tags, 'aws:createdBy': 'console' },
    want: [],
  },
];

for (const { reason, observedTags, want } of cases) {
  test(`elastic ip diff: ${reason}`, () => {
    const changes = elasticIpHandler.diff({ domain: 'vpc' }, { domain: 'vpc' }, tags, observedTags);
    assert.deepStrictEqual(
      changes.map((change) => change.path),
      want,
    );
  });
}
