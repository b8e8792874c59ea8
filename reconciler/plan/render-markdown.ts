import {
  ACTION_SYMBOL,
  fieldLines,
  headline,
  type Marker,
  NO_CHANGES,
  reasonNote,
  summaryLine,
} from './format.ts';
import { hasChangesIn } from './summary.ts';
import type { Plan, ResourceChange, StackPlan } from './types.ts';

/** MarkdownOptions: the heading of the comment (a CI job may name the environment). */
export interface MarkdownOptions {
  title?: string;
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
  if (change.unchanged && change.action !== 'delete') {
    lines.push(
      `      # (${change.unchanged} unchanged ${change.unchanged === 1 ? 'attribute' : 'attributes'} hidden)`,
    );
  }
  return lines;
}

function stackSection(stack: StackPlan): string[] {
  const changed = stack.changes.filter((change) => change.action !== 'no-op');
  const pending = stack.changes.filter((change) => change.action === 'no-op' && change.pending);
  const lines = [`### Stack \`${stack.name}\` (${stack.region})`, ''];
  if (pending.length > 0) {
    const names = pending.map((change) => `\`${change.address}\``).join(', ');
    lines.push(`Still pending in AWS: ${names}`, '');
  }
  if (changed.length === 0) {
    lines.push('No changes.', '');
    return lines;
  }
  lines.push('| Action | Resource | Reason |', '| --- | --- | --- |');
  for (const change of changed) {
    const action = change.guarded ? `${change.action} (guarded)` : change.action;
    lines.push(`| ${action} | \`${escapeCell(change.address)}\` | ${escapeCell(change.reason)} |`);
  }
  const diff = changed.flatMap((change) => [...diffLines(change), '']);
  diff.pop();
  const noun = changed.length === 1 ? 'change' : 'changes';
  lines.push(
    '',
    `<details><summary>Diff of ${changed.length} ${noun}</summary>`,
    '',
    '```diff',
    ...diff,
    '```',
    '',
    '</details>',
    '',
  );
  return lines;
}

/**
 * renderMarkdown renders a plan as a pull-request comment: the summary line, then per stack a
 * heading, a table of changes and the diff (secrets redacted) in a collapsible `<details>` block.
 */
export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const lines = [`## ${options.title ?? 'Reconciler plan'}`, ''];
  lines.push(hasChangesIn(plan) ? `**${summaryLine(plan.summary)}**` : `**${NO_CHANGES}**`, '');
  for (const stack of plan.stacks) lines.push(...stackSection(stack));
  return `${lines.join('\n').trimEnd()}\n`;
}
