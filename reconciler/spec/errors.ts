/**
 * The one error shape of the spec language: every problem in a stack spec, whatever found it
 * (the YAML parser, the JSON Schema, or a code-level rule), is reported as a SpecError.
 */

/** SpecError is one problem in a spec file, located by file, 1-based line and column, and field path. */
export interface SpecError {
  /** file is the path of the spec as the user gave it (relative paths stay relative). */
  file: string;
  /** line is 1-based; 0 when the problem is the path itself (missing, unreadable), not a place in it. */
  line: number;
  /** column is 1-based (0 with line 0). */
  column: number;
  /** path is the field path starting at `spec`, with `.key` and `[index]` (e.g. `spec.network.publicSubnets[1]`). */
  path: string;
  /** message says what is wrong in words a person understands. */
  message: string;
}

/** PathSegment is one step of a field path: a map key or a sequence index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * formatPath renders segments as `spec.a.b[0]`; keys that are not plain identifiers
 * (log group names, environment variable names with dots) are quoted: `spec.tags["cost-center"]`.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let rendered = 'spec';
  for (const segment of segments) {
    if (typeof segment === 'number') rendered += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) rendered += `.${segment}`;
    else rendered += `[${JSON.stringify(segment)}]`;
  }
  return rendered;
}

/**
 * formatSpecError renders an error as `file:line:col: path: message`, the format editors and CI
 * annotate; a problem of the path itself (line 0) as `file: message`, with no invented position.
 */
export function formatSpecError(error: SpecError): string {
  if (error.line === 0) return `${error.file}: ${error.message}`;
  return `${error.file}:${error.line}:${error.column}: ${error.path}: ${error.message}`;
}

/** compareSpecErrors orders errors by file, then position, then path, so output is stable. */
export function compareSpecErrors(a: SpecError, b: SpecError): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
