/**
 * Reading the daemon's /status for `npm start`: per stack, its Ready and Synced conditions, and
 * one progress line that changes only when something worth printing changed.
 */
/** ConditionView is the part of a condition the progress output shows. */
export interface ConditionView {
  status: string;
  reason: string;
  message: string;
}

/** StackProgress is one stack as /status reports it. */
export interface StackProgress {
  name: string;
  ready: ConditionView | undefined;
  synced: ConditionView | undefined;
  pending: string[];
  specErrors: string[];
  lastError: string | undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

function condition(conditions: unknown, type: string): ConditionView | undefined {
  if (!Array.isArray(conditions)) return undefined;
  const found = conditions.map(record).find((item) => item?.type === type);
  return found
    ? { status: text(found.status), reason: text(found.reason), message: text(found.message) }
    : undefined;
}

/** readStatus extracts the stacks from a /status body: `{ stacks: [...] }` or a bare list. */
export function readStatus(body: unknown): StackProgress[] {
  const list = Array.isArray(body) ? body : record(body)?.stacks;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item): StackProgress[] => {
    const stack = record(item);
    if (!stack || typeof stack.name !== 'string') return [];
    const lastError = record(stack.lastError);
    return [
      {
        name: stack.name,
        ready: condition(stack.conditions, 'Ready'),
        synced: condition(stack.conditions, 'Synced'),
        pending: strings(stack.pending),
        specErrors: strings(stack.specErrors),
        lastError: lastError ? text(lastError.message) || undefined : undefined,
      },
    ];
  });
}

/** isReady tells whether a stack's Ready condition is True. */
export function isReady(stack: StackProgress): boolean {
  return stack.ready?.status === 'True';
}

/** allReady tells whether there is at least one stack and every stack is Ready. */
export function allReady(stacks: readonly StackProgress[]): boolean {
  return stacks.length > 0 && stacks.every(isReady);
}

/** progressLine is the one line printed for a stack whenever it differs from the last one. */
export function progressLine(stack: StackProgress): string {
  if (stack.specErrors.length > 0) {
    return `${stack.name}: invalid spec: ${stack.specErrors.join('; ')}`;
  }
  if (isReady(stack)) return `${stack.name}: Ready (${stack.ready?.message || 'converged'})`;
  if (stack.synced?.status === 'False') {
    return `${stack.name}: not synced, ${stack.synced.reason}: ${stack.lastError ?? stack.synced.message}`;
  }
  if (stack.pending.length > 0) {
    return `${stack.name}: converging, waiting for ${stack.pending.join(', ')}`;
  }
  if (!stack.ready || stack.ready.status === 'Unknown') return `${stack.name}: converging`;
  return `${stack.name}: ${stack.ready.reason}: ${stack.ready.message}`;
}
