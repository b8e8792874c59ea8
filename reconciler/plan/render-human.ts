import { createColors } from 'picocolors';
import {
  ACTION_SYMBOL,
  fieldLines,
  headline,
  LEGEND,
  type Marker,
  NO_CHANGES,
  reasonNote,
  summaryLine,
} from './format.ts';
import type { Plan, ResourceChange, StackPlan } from './types.ts';

/** HumanOptions: ANSI colour only when asked (the CLI decides: terminal, NO_COLOR, FORCE_COLOR). */
export interface HumanOptions {
  color?: boolean;
}

interface Paint {
  marker(marker: Marker): string;
  bold(text: string): string;
  red(text: string): string;
}

function painter(color: boolean): Paint {
  const pc = createColors(color);
  return {
    marker: (marker) => {
      if (marker === '+') return pc.green(marker);
      if (marker === '~') return pc.yellow(marker);
      if (marker === '-') return pc.red(marker);
      return `${pc.red('-')}/${pc.green('+')}`;
    },
    bold: pc.bold,
    red: pc.red,
  };
}

function renderChange(change: ResourceChange, paint: Paint): string[] {
  if (change.action === 'no-op') return [];
  const marker = ACTION_SYMBOL[change.action];
  const lines = [`  ${paint.bold(`# ${headline(change)}`)}`];
  const note = reasonNote(change);
  if (note) lines.push(`  # (${note})`);
  if (change.guarded) lines.push(`  ${paint.red(`# guarded: ${change.guarded}`)}`);
  const id = change.id ? ` [id=${change.id}]` : '';
  const prefix = marker.length === 3 ? paint.marker(marker) : `  ${paint.marker(marker)}`;
  if (change.action === 'delete' || (change.fields.length === 0 && !change.unchanged)) {
    lines.push(`${prefix} ${change.address}${id}`);
    return lines;
  }
  lines.push(`${prefix} ${change.address}${id} {`);
  for (const field of fieldLines(change.fields)) {
    const forces = field.forcesReplacement ? ` ${paint.red('# forces replacement')}` : '';
    lines.push(`      ${paint.marker(field.symbol)} ${field.text}${forces}`);
  }
  for (const note of change.notes ?? []) lines.push(`        # ${note}`);
  if (change.unchanged) {
    const noun = change.unchanged === 1 ? 'attribute' : 'attributes';
    lines.push(`        # (${change.unchanged} unchanged ${noun} hidden)`);
  }
  lines.push('    }');
  return lines;
}

function renderStack(stack: StackPlan, paint: Paint, many: boolean): string[] {
  const changed = stack.changes.filter((change) => change.action !== 'no-op');
  const pending = stack.changes.filter((change) => change.action === 'no-op' && change.pending);
  const title = `Stack ${stack.name} (${stack.region})`;
  const lines: string[] = [];
  if (changed.length === 0) {
    if (many) lines.push(`${paint.bold(title)}: no changes.`, '');
  } else {
    lines.push(paint.bold(`${title}:`), '');
    for (const change of changed) lines.push(...renderChange(change, paint), '');
  }
  if (pending.length > 0) {
    lines.push(
      `Still pending in AWS (${stack.name}): ${pending.map((change) => change.address).join(', ')}`,
      '',
    );
  }
  const noted = stack.changes.filter((change) => change.action === 'no-op' && change.notes);
  if (noted.length > 0) {
    lines.push(`Unchanged, for your information (${stack.name}):`);
    for (const change of noted) {
      for (const note of change.notes ?? []) lines.push(`  # ${change.address}: ${note}`);
    }
    lines.push('');
  }
  return lines;
}

/**
 * renderHuman renders a plan the way Terraform users read one: a legend of the markers in use,
 * `# subnet.private-a will be created` per resource, field changes with `# forces replacement`,
 * unchanged attributes folded, unknown and sensitive values spelled out, then the summary line.
 */
export function renderHuman(plan: Plan, options: HumanOptions = {}): string {
  const paint = painter(options.color ?? false);
  const used = new Set(
    plan.stacks.flatMap((stack) =>
      stack.changes.flatMap((change) =>
        change.action === 'no-op' ? [] : [ACTION_SYMBOL[change.action]],
      ),
    ),
  );
  const many = plan.stacks.length > 1;
  const body = plan.stacks.flatMap((stack) => renderStack(stack, paint, many));
  if (used.size === 0) {
    return `${[...body, paint.bold(NO_CHANGES)].join('\n')}\n`;
  }
  const legend = LEGEND.filter(([marker]) => used.has(marker)).map(
    ([marker, meaning]) => `${marker.length === 3 ? '' : '  '}${paint.marker(marker)} ${meaning}`,
  );
  return `${[
    'Resource actions are indicated with the following symbols:',
    ...legend,
    '',
    'The reconciler will perform the following actions:',
    '',
    ...body,
    paint.bold(summaryLine(plan.summary)),
  ].join('\n')}\n`;
}
