/**
 * setImageTag, the deploy's write-back of a new image tag to a spec: only the tag's characters
 * change, whatever the layout (block or flow maps, quotes, comments), and the result reads back
 * with the new tag.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { setImageTag } from '../scripts/deploy/spec-image.ts';

const spec = `# the stack
name: shop   # the stack's name

services:
  # the API
  - name: api
    image:
      repository: api   # the stack's repository
      tag: 1.0.0 # written by the deploy
    port: 3000
  - name: worker
    image: { repository: api, tag: "1.0.0" }
  - name: admin
    image: {repository: admin, tag: 'old'}   # another repository
  - name: proxy
    image: nginx:1.27
`;

test('setImageTag changes exactly the tags of the services running the repositories', () => {
  const cases: Array<{
    reason: string;
    tag: string;
    repositories: string[];
    expected: string;
    services: Array<[string, string, string]>;
  }> = [
    {
      reason: 'block and flow maps, plain and quoted tags keep their style and comments',
      tag: '1.2.3',
      repositories: ['api'],
      expected: spec
        .replace('tag: 1.0.0 #', 'tag: 1.2.3 #')
        .replace('tag: "1.0.0" }', 'tag: "1.2.3" }'),
      services: [
        ['api', '1.0.0', '1.2.3'],
        ['worker', '1.0.0', '1.2.3'],
      ],
    },
    {
      reason: 'a tag that would read as a number is quoted',
      tag: '2.0',
      repositories: ['api'],
      expected: spec
        .replace('tag: 1.0.0 #', 'tag: "2.0" #')
        .replace('tag: "1.0.0" }', 'tag: "2.0" }'),
      services: [
        ['api', '1.0.0', '2.0'],
        ['worker', '1.0.0', '2.0'],
      ],
    },
    {
      reason: 'several repositories; single quotes stay single',
      tag: 'abc123',
      repositories: ['admin', 'api'],
      expected: spec
        .replace('tag: 1.0.0 #', 'tag: abc123 #')
        .replace('tag: "1.0.0" }', 'tag: "abc123" }')
        .replace("tag: 'old'}", "tag: 'abc123'}"),
      services: [
        ['api', '1.0.0', 'abc123'],
        ['worker', '1.0.0', 'abc123'],
        ['admin', 'old', 'abc123'],
      ],
    },
    {
      reason: 'the tag the spec names already is no change',
      tag: 'old',
      repositories: ['admin'],
      expected: spec,
      services: [['admin', 'old', 'old']],
    },
  ];
  for (const { reason, tag, repositories, expected, services } of cases) {
    const edit = setImageTag(spec, tag, repositories);
    assert.equal(edit.text, expected, reason);
    assert.deepStrictEqual(
      edit.services.map((change) => [change.service, change.from, change.to]),
      services,
      reason,
    );
    const reread = parse(edit.text) as { services: Array<{ name: string; image: unknown }> };
    for (const [name] of services) {
      const image = reread.services.find((service) => service.name === name)?.image;
      assert.deepStrictEqual((image as { tag: unknown }).tag, tag, `${reason}: ${name}`);
    }
  }
});

test('setImageTag refuses a deploy that would name nothing', () => {
  assert.throws(() => setImageTag(spec, '1.2.3', ['web']), /no service runs an image of web/);
  assert.throws(() => setImageTag('services: [\n', '1.2.3', ['api']), /the spec is not valid YAML/);
  assert.throws(
    () =>
      setImageTag('services:\n  - name: api\n    image: { repository: api, tag: [1] }\n', '1.2.3', [
        'api',
      ]),
    /services\.api\.image\.tag is not a plain value/,
  );
});
