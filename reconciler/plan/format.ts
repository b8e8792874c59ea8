import {
  type Action,
  type FieldChange,
  isUnknown,
  type PlanSummary,
  type ResourceChange,
} from './types.ts';

/** Marker is the Terraform-style marker of an action or a field change. */
export type Marker = '+' | '~' | '-' | '-/+';

/** ACTION_SYMBOL maps a resource action to its marker (no-op has none). */
export const ACTION_SYMBOL: Record<Exclude<Action, 'no-op'>, Marker> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
};

/** LEGEND explains each marker, in display order. */
export const LEGEND: ReadonlyArray<[Marker, string]> = [
  ['+', 'create'],
  ['~', 'update in place'],
  ['-', 'destroy'],
  ['-/+', 'destroy and then create replacement'],
];

/** SENSITIVE_TEXT replaces every sensitive value in every rendering. */
export const SENSITIVE_TEXT = '(sensitive value)';
/** UNKNOWN_TEXT stands for a value only known after apply. */
export const UNKNOWN_TEXT = '(known after apply)';

/** formatValue prints one field value: strings quoted, UNKNOWN as `(known after apply)`, absent as null. */
export function formatValue(value: unknown): string {
  if (isUnknown(value)) return UNKNOWN_TEXT;
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** headline says what happens to a resource: `subnet.private-a will be created`. */
export function headline(change: ResourceChange): string {
  switch (change.action) {
    case 'create':
      return `${change.address} will be created`;
    case 'update':
      return `${change.address} will be updated in place`;
    case 'replace':
      return `${change.address} must be replaced`;
    case 'delete':
      return change.deletionPolicy === 'retain'
        ? `${change.address} will no longer be managed (left in AWS)`
        : `${change.address} will be destroyed`;
    default:
      return `${change.address} is up to date`;
  }
}

/** FieldLine is one rendered field: its marker, its text and whether it forces replacement. */
export interface FieldLine {
  symbol: Marker;
  text: string;
  forcesReplacement: boolean;
}

/** fieldSymbol is `+` for an added value, `-` for a removed one, `~` for a changed one. */
export function fieldSymbol(field: FieldChange): Marker {
  if (field.before === undefined) return '+';
  if (field.after === undefined) return '-';
  return '~';
}

/** fieldLines renders fields with `=` aligned; secrets are never printed. */
export function fieldLines(fields: readonly FieldChange[]): FieldLine[] {
  const width = Math.max(0, ...fields.map((field) => field.path.length));
  return fields.map((field) => {
    const symbol = fieldSymbol(field);
    const name = field.path.padEnd(width);
    let value: string;
    if (field.sensitive) value = SENSITIVE_TEXT;
    else if (symbol === '+') value = formatValue(field.after);
    else value = `${formatValue(field.before)} -> ${formatValue(field.after)}`;
    return { symbol, text: `${name} = ${value}`, forcesReplacement: field.forcesReplacement };
  });
}

/** reasonNote is the reason worth showing under a headline (a plain "not found" create needs none). */
export function reasonNote(change: ResourceChange): string | undefined {
  if (change.action === 'create' && change.reason === 'not found') return undefined;
  return change.reason || undefined;
}

/** summaryLine is `Plan: 3 to add, 1 to change, 0 to destroy.` */
export function summaryLine(summary: PlanSummary): string {
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy.`;
}

/** NO_CHANGES is what a plan with nothing to do says. */
export const NO_CHANGES = 'No changes. Your infrastructure matches the configuration.';
