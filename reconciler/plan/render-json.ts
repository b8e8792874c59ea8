import { hasChangesIn } from './summary.ts';
import {
  type Action,
  type FieldChange,
  isUnknown,
  type Plan,
  type ResourceChange,
} from './types.ts';

/** JsonField is a FieldChange as written to JSON: secrets have no values, unknowns a flag. */
export interface JsonField {
  path: string;
  before?: unknown;
  after?: unknown;
  /** The value exists only after apply. */
  afterUnknown?: true;
  forcesReplacement: boolean;
  sensitive: boolean;
}

/** JsonChange is a ResourceChange with `actions` as a list: a replace is `["delete","create"]`. */
export type JsonChange = Omit<ResourceChange, 'fields'> & {
  actions: string[];
  fields: JsonField[];
};

/** JsonPlan is the machine-readable plan (`reconciler plan --output json`). */
export interface JsonPlan {
  formatVersion: string;
  hasChanges: boolean;
  stacks: { name: string; region: string; changes: JsonChange[] }[];
  summary: Plan['summary'];
}

/** actionsOf lists the steps of an action, so a reader can just scan for "delete". */
export function actionsOf(action: Action): string[] {
  return action === 'replace' ? ['delete', 'create'] : [action];
}

function jsonField(field: FieldChange): JsonField {
  const values: Pick<JsonField, 'before' | 'after' | 'afterUnknown'> = {};
  if (!field.sensitive) {
    if (field.before !== undefined) values.before = field.before;
    if (isUnknown(field.after)) values.afterUnknown = true;
    else if (field.after !== undefined) values.after = field.after;
  }
  return {
    path: field.path,
    ...values,
    forcesReplacement: field.forcesReplacement,
    sensitive: field.sensitive,
  };
}

/** toJsonPlan converts a plan to its JSON shape (secrets dropped, unknowns flagged). */
export function toJsonPlan(plan: Plan): JsonPlan {
  return {
    formatVersion: plan.formatVersion,
    hasChanges: hasChangesIn(plan),
    stacks: plan.stacks.map((stack) => ({
      name: stack.name,
      region: stack.region,
      changes: stack.changes.map(({ address, kind, action, fields, ...rest }) => ({
        address,
        kind,
        action,
        actions: actionsOf(action),
        ...rest,
        fields: fields.map(jsonField),
      })),
    })),
    summary: plan.summary,
  };
}

/** renderJson prints the JSON plan, two-space indented, newline-terminated. */
export function renderJson(plan: Plan): string {
  return `${JSON.stringify(toJsonPlan(plan), null, 2)}\n`;
}
