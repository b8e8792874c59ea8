import {
  ACTION_SYMBOL,
  fieldLines,
  headline,
  type Marker,
  NO_CHANGES,
  reasonNote,
  summaryLine,
} from './format.ts';
import { hasChangesIn, summarize } from './summary.ts';
import type { Plan, ResourceChange, StackPlan } from './types.ts';

/**
 * MARKDOWN_LIMIT is the default size bound of a Markdown plan, in characters: GitHub refuses a
 * comment above 65,536, and the workflow adds a marker and a footer around the plan.
 */
export const MARKDOWN_LIMIT = 60_000;

/** MarkdownOptions: the heading of the comment (a CI job may name the environment), the bound. */
export interface MarkdownOptions {
  title?: string;
  /** Characters the whole rendering may take (default MARKDOWN_LIMIT). */
  limit?: number;
}

/** diffMarker maps a marker to a diff-block line start: `+` green, `-` red, `!` for in-place changes. */
function diffMarker(marker: Marker): string {
  if (marker === '~') return '!';
  if (marker === '-/+') return '!';
  return marker;
}

function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** fenceFor is a code fence longer than any run of backticks in the lines, so none closes it. */
function fenceFor(lines: readonly string[]): string {
  const longest = Math.max(
    0,
    ...lines.flatMap((line) => (line.match(/`+/g) ?? []).map((run) => run.length)),
  );
  return '`'.repeat(Math.max(3, longest + 1));
}

function diffLines(change: ResourceChange): string[] {
  if (change.action === 'no-op') return [];
  const marker = ACTION_SYMBOL[change.action];
  const lines = [`# ${headline(change)}`];
  const note = reasonNote(change);
  if (note) lines.push(`# (${note})`);
  if (change.guarded) lines.push(`# guarded: ${change.guarded}`);
  const id = change.id ? ` [id=${change.id}]` : '';
  lines.push(`${diffMarker(marker)} ${change.address}${id}`);
  for (const field of fieldLines(change.fields)) {
    lines.push(
      `${diffMarker(field.symbol)}     ${field.text}${field.forcesReplacement ? ' # forces replacement' : ''}`,
    );
  }
  for (const note of change.notes ?? []) lines.push(`      # ${note}`);
  if (change.unchanged && change.action !== 'delete') {
    lines.push(
      `      # (${change.unchanged} unchanged ${change.unchanged === 1 ? 'attribute' : 'attributes'} hidden)`,
    );
  }
  return lines;
}

/** size is the length of lines joined by newlines, with the last one's. */
const size = (lines: readonly string[]) =>
  lines.reduce((total, line) => total + line.length + 1, 0);

function changedIn(stack: StackPlan): ResourceChange[] {
  return stack.changes.filter((change) => change.action !== 'no-op');
}

/**
 * summaryTable is one row per stack: what it adds, changes and destroys, or that it is in sync;
 * within `budget` characters (the rows past it are counted in a last row).
 */
function summaryTable(plan: Plan, budget: number): string[] {
  const lines = [
    '| Stack | Region | Add | Change | Destroy |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  let used = size(lines);
  for (const [index, stack] of plan.stacks.entries()) {
    const { add, change, destroy } = summarize([stack]);
    const cells = changedIn(stack).length === 0 ? ['no changes', '', ''] : [add, change, destroy];
    const row = `| \`${escapeCell(stack.name)}\` | ${stack.region} | ${cells.join(' | ')} |`;
    if (used + row.length + 1 > budget) {
      lines.push(`| … ${plan.stacks.length - index} more stacks | | | | |`);
      break;
    }
    lines.push(row);
    used += row.length + 1;
  }
  return lines;
}

/** stackHead is the top of a stack's section: pending resources and the table of its changes. */
function stackHead(stack: StackPlan, changed: readonly ResourceChange[]): string[] {
  const { add, change, destroy } = summarize([stack]);
  const lines = [
    `<details><summary>Stack <code>${stack.name}</code> (${stack.region}): ${add} to add, ${change} to change, ${destroy} to destroy</summary>`,
    '',
  ];
  const pending = stack.changes.filter((entry) => entry.action === 'no-op' && entry.pending);
  if (pending.length > 0) {
    lines.push(
      `Still pending in AWS: ${pending.map((entry) => `\`${entry.address}\``).join(', ')}`,
      '',
    );
  }
  for (const entry of stack.changes) {
    if (entry.action !== 'no-op') continue;
    for (const note of entry.notes ?? []) lines.push(`\`${entry.address}\`: ${note}`, '');
  }
  lines.push('| Action | Resource | Reason |', '| --- | --- | --- |');
  for (const entry of changed) {
    const action = entry.guarded ? `${entry.action} (guarded)` : entry.action;
    lines.push(`| ${action} | \`${escapeCell(entry.address)}\` | ${escapeCell(entry.reason)} |`);
  }
  return lines;
}

/**
 * stackSection renders a stack's changes in a collapsible block, the diff in a fenced block,
 * taking at most `budget` characters: the diff of as many changes as fit, always closed. It
 * returns how many changes it had to leave out (undefined: not even the head fits).
 */
function stackSection(
  stack: StackPlan,
  budget: number,
): { lines: string[]; shown: number; left: number } | undefined {
  const changed = changedIn(stack);
  const head = stackHead(stack, changed);
  const diffs = changed.map((change) => diffLines(change));
  const fence = fenceFor(diffs.flat());
  const opening = ['', '```diff'.replace('```', fence)];
  const closing = (left: number) => [
    ...(left > 0
      ? [`# … ${left} more ${left === 1 ? 'change' : 'changes'} of this stack in the job log`]
      : []),
    fence,
    '',
    '</details>',
    '',
  ];
  let used = size(head) + size(opening) + size(closing(changed.length));
  if (used > budget) return undefined;
  const body: string[] = [];
  let shown = 0;
  for (const diff of diffs) {
    const block = body.length > 0 ? ['', ...diff] : diff;
    if (used + size(block) > budget) break;
    body.push(...block);
    used += size(block);
    shown += 1;
  }
  const left = changed.length - shown;
  return { lines: [...head, ...opening, ...body, ...closing(left)], shown, left };
}

/**
 * renderMarkdown renders a plan as a pull-request comment that always fits: the summary line,
 * a table of every stack's counts, then per stack with changes a collapsible block with the
 * table of its changes and their diff (secrets redacted). Past `limit` characters the rest is
 * cut cleanly: every block closed, and a line saying how many changes only the job log shows.
 */
export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? MARKDOWN_LIMIT;
  const lines = [`## ${options.title ?? 'Reconciler plan'}`, ''];
  lines.push(hasChangesIn(plan) ? `**${summaryLine(plan.summary)}**` : `**${NO_CHANGES}**`, '');
  lines.push(...summaryTable(plan, limit / 4), '');
  const withChanges = plan.stacks.filter((stack) => changedIn(stack).length > 0);
  const total = withChanges.reduce((sum, stack) => sum + changedIn(stack).length, 0);
  // room kept for the closing note
  const note = (count: number) =>
    `**… ${count} more ${count === 1 ? 'change' : 'changes'}, see the job log for the full plan.**`;
  const budget = limit - size(lines) - size([note(total)]) - 1;
  let used = 0;
  let shownTotal = 0;
  for (const stack of withChanges) {
    const section = stackSection(stack, budget - used);
    if (!section) break;
    lines.push(...section.lines);
    used += size(section.lines);
    shownTotal += section.shown;
    if (section.left > 0) break;
  }
  if (shownTotal < total) lines.push(note(total - shownTotal));
  return `${lines.join('\n').trimEnd()}\n`;
}
