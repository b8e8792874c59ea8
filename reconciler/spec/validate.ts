/**
 * Validation of a parsed spec value: the JSON Schema (ajv, all errors, defaults applied) and then
 * the code-level rules, all reported as SpecIssues.
 */
import type { PathSegment } from './errors.ts';
import type { SpecIssue } from './issue.ts';
import { translateErrors } from './messages.ts';
import { checkRules } from './rules.ts';
import { stackValidator } from './schema.ts';
import type { Stack } from './types.generated.ts';

/** ValidationResult is the validated stack (defaults applied) when there are no issues. */
export interface ValidationResult {
  stack: Stack | undefined;
  issues: SpecIssue[];
}

function samePrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

/**
 * validateStackValue checks value against the schema and the code rules. It mutates value (defaults
 * are filled in). The rules run even when the schema finds errors, so one run reports everything;
 * a rule issue at or under a field the schema already rejected is dropped as noise.
 */
export function validateStackValue(value: unknown): ValidationResult {
  const validate = stackValidator();
  const schemaValid = validate(value);
  const schemaIssues = schemaValid ? [] : translateErrors(validate.errors ?? [], value);
  const ruleIssues = checkRules(value as Stack).filter(
    (issue) =>
      !schemaIssues.some(
        (schemaIssue) => schemaIssue.path.length > 0 && samePrefix(schemaIssue.path, issue.path),
      ),
  );
  const issues = [...schemaIssues, ...ruleIssues];
  return { stack: issues.length === 0 ? (value as Stack) : undefined, issues };
}
