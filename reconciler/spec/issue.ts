import type { PathSegment } from './errors.ts';

/**
 * SpecIssue is a problem found in a parsed spec before it is tied to a file: a field path,
 * whether the position is the field's key or its value, and the message.
 */
export interface SpecIssue {
  path: PathSegment[];
  /** target is `key` when the key itself is wrong (unknown key, secret-looking name), else `value`. */
  target: 'value' | 'key';
  message: string;
}
