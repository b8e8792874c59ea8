import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MARKDOWN_LIMIT, renderMarkdown } from './render-markdown.ts';
import { summarize } from './summary.ts';
import { PLAN_FORMAT_VERSION, type Plan, type ResourceChange, type StackPlan } from './types.ts';

/** GITHUB_COMMENT_LIMIT is the most characters GitHub takes in one comment. */
const GITHUB_COMMENT_LIMIT = 65_536;

function create(address: string, fields: number): ResourceChange {
  return {
    address,
    kind: address.split('.')[0] ?? 'vpc',
    action: 'create',
    reason: 'not found',
    fields: Array.from({ length: fields }, (_, index) => ({
      path: `settings.field${index}`,
      before: undefined,
      after: `value-${index}-of-${address}-${'x'.repeat(40)}`,
      forcesReplacement: false,
      sensitive: false,
    })),
  };
}

function stackOf(name: string, changes: number): StackPlan {
  return {
    name,
    region: 'us-west-2',
    changes: Array.from({ length: changes }, (_, index) => create(`subnet.s${index}`, 12)),
  };
}

function planOf(stacks: StackPlan[]): Plan {
  return { formatVersion: PLAN_FORMAT_VERSION, stacks, summary: summarize(stacks) };
}

/** structure checks every fence and every <details> is closed, fences closed by their own length. */
function assertClosed(markdown: string): void {
  let fence: string | undefined;
  let details = 0;
  for (const line of markdown.split('\n')) {
    const match = /^(`{3,})/.exec(line);
    if (fence) {
      if (match && line === fence) fence = undefined;
      continue;
    }
    if (match) fence = match[1];
    if (line.startsWith('<details>')) details += 1;
    if (line === '</details>') details -= 1;
    assert.ok(details >= 0, 'a </details> without its <details>');
  }
  assert.equal(fence, undefined, 'a code fence left open');
  assert.equal(details, 0, 'a <details> left open');
}

describe('renderMarkdown for pull requests', () => {
  it('50 generated stacks stay under GitHub’s comment limit, cut cleanly with a count', () => {
    const stacks = Array.from({ length: 50 }, (_, index) => stackOf(`stack-${index}`, 30));
    const markdown = renderMarkdown(planOf(stacks));
    const full = renderMarkdown(planOf(stacks), { limit: Number.POSITIVE_INFINITY });
    assert.ok(full.length > GITHUB_COMMENT_LIMIT * 5, `the full plan is large: ${full.length}`);
    assert.ok(markdown.length <= MARKDOWN_LIMIT, `${markdown.length} characters`);
    assert.ok(MARKDOWN_LIMIT + 200 < GITHUB_COMMENT_LIMIT, 'room for the marker and footer');
    assertClosed(markdown);
    // one summary row per stack, on top
    for (const index of [0, 25, 49]) {
      assert.match(
        markdown,
        new RegExp(`^\\| \`stack-${index}\` \\| us-west-2 \\| 30 \\| 0 \\| 0 \\|$`, 'm'),
      );
    }
    const shown = (markdown.match(/^# subnet\.s\d+ will be created$/gm) ?? []).length;
    assert.ok(shown > 0, 'some diffs are shown');
    const note = /^\*\*… (\d+) more changes, see the job log for the full plan\.\*\*$/m.exec(
      markdown,
    );
    assert.ok(note, 'the cut says how many changes the job log holds');
    assert.equal(Number(note[1]), 50 * 30 - shown);
  });

  it('a plan that fits is shown whole: one collapsible section per stack, no note', () => {
    const markdown = renderMarkdown(planOf([stackOf('a', 2), stackOf('b', 1), stackOf('c', 0)]));
    assertClosed(markdown);
    assert.equal((markdown.match(/^<details><summary>Stack /gm) ?? []).length, 2);
    assert.match(markdown, /^\| `c` \| us-west-2 \| no changes \| {2}\| {2}\|$/m);
    assert.doesNotMatch(markdown, /see the job log/);
  });

  it('a value holding backticks cannot close the diff fence', () => {
    const change = create('subnet.tricky', 1);
    const [field] = change.fields;
    if (field) field.after = 'a ``` b ```` c';
    const markdown = renderMarkdown(
      planOf([{ name: 't', region: 'eu-west-1', changes: [change] }]),
    );
    assertClosed(markdown);
    assert.match(markdown, /^`````diff$/m);
  });

  it('a tiny limit still gives closed blocks and the count of what is left out', () => {
    const markdown = renderMarkdown(planOf([stackOf('a', 5)]), { limit: 1_200 });
    assert.ok(markdown.length <= 1_200, `${markdown.length}`);
    assertClosed(markdown);
    assert.match(markdown, /more changes?(, see the job log| of this stack in the job log)/);
  });
});
