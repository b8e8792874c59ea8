/**
 * Translation of ajv errors into SpecIssues a person understands: field paths instead of JSON
 * pointers, "must be one of: a, b" instead of "must be equal to one of the allowed values",
 * did-you-mean for unknown keys, and one message per secret reference instead of one per oneOf branch.
 */
import type { ErrorObject } from 'ajv';
import { didYouMean } from './did-you-mean.ts';
import type { PathSegment } from './errors.ts';
import type { SpecIssue } from './issue.ts';

type SchemaNode = Record<string, unknown>;

/** pointerToPath turns an ajv instancePath (JSON pointer) into path segments, indexes as numbers. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(key)) {
      const index = Number(key);
      segments.push(index);
      current = current[index];
    } else {
      segments.push(key);
      current =
        current && typeof current === 'object'
          ? (current as Record<string, unknown>)[key]
          : undefined;
    }
  }
  return segments;
}

/** describeValue names a value's type for "got ..." (a string shows its value, shortened). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') {
    // control characters shown escaped, so the message stays on one line
    const escaped = JSON.stringify(value).slice(1, -1);
    const shown = escaped.length > 40 ? `${escaped.slice(0, 37)}...` : escaped;
    return `string '${shown}'`;
  }
  if (typeof value === 'number')
    return Number.isInteger(value) ? `number ${value}` : `number ${value}`;
  return `${typeof value} ${String(value)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'empty',
};

function typeName(type: unknown): string {
  if (Array.isArray(type)) return type.map(typeName).join(' or ');
  return TYPE_NAMES[String(type)] ?? String(type);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return 0;
}

function propertyKeys(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const properties = (schema as SchemaNode).properties;
  return properties && typeof properties === 'object' ? Object.keys(properties) : [];
}

function sentence(text: string): string {
  const trimmed = text.trim().replace(/\.$/, '');
  return trimmed.length > 0 ? trimmed[0]!.toLowerCase() + trimmed.slice(1) : trimmed;
}

/** translateError turns one ajv error into a SpecIssue, or undefined for errors that only repeat others. */
export function translateError(error: ErrorObject, data: unknown): SpecIssue | undefined {
  const path = pointerToPath(error.instancePath, data);
  const parentSchema = (error.parentSchema ?? {}) as SchemaNode;
  const params = error.params as Record<string, unknown>;
  const value = error.data;
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const inner = translateError({ ...error, propertyName: undefined } as ErrorObject, data);
    return {
      path: [...path, propertyName],
      target: 'key',
      // The key is named once; the inner message's ", got string '<key>'" would repeat it.
      message: `key '${propertyName}' is not valid: ${(inner?.message ?? error.message ?? 'invalid key').replace(/, got .*$/s, '')}`,
    };
  }
  switch (error.keyword) {
    case 'if':
    case 'propertyNames':
      return undefined;
    case 'required': {
      const missing = String(params.missingProperty);
      if (error.schemaPath.endsWith('/then/required') && missing === 'certificateArn') {
        return {
          path,
          target: 'key',
          message: 'an HTTPS listener needs certificateArn (the ARN of an ACM certificate)',
        };
      }
      return { path, target: 'key', message: `missing required key '${missing}'` };
    }
    case 'additionalProperties': {
      const unknownKey = String(params.additionalProperty);
      const allowed = propertyKeys(parentSchema).filter((key) => key !== '$schema');
      const suggestion = didYouMean(unknownKey, allowed);
      const hint = suggestion
        ? ` (did you mean '${suggestion}'?)`
        : allowed.length > 0
          ? `; allowed keys: ${allowed.join(', ')}`
          : '';
      return {
        path: [...path, unknownKey],
        target: 'key',
        message: `unknown key '${unknownKey}'${hint}`,
      };
    }
    case 'type': {
      // YAML reads 3000, true and 16.4 as a number or boolean; a string field needs quotes.
      const quoteHint =
        params.type === 'string' && (typeof value === 'number' || typeof value === 'boolean')
          ? ` (quote it in YAML: "${String(value)}")`
          : '';
      return {
        path,
        target: 'value',
        message: `must be ${typeName(params.type)}, got ${describeValue(value)}${quoteHint}`,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const suggestion =
        typeof value === 'string'
          ? didYouMean(
              value,
              allowed.filter((item): item is string => typeof item === 'string'),
            )
          : undefined;
      return {
        path,
        target: 'value',
        message: `must be one of: ${allowed.map(String).join(', ')}; got ${describeValue(value)}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
      };
    }
    case 'const':
      return {
        path,
        target: 'value',
        message: `must be ${JSON.stringify(params.allowedValue)}, got ${describeValue(value)}`,
      };
    case 'pattern': {
      const description =
        typeof parentSchema.description === 'string' ? parentSchema.description : '';
      const format = /(?:^|\s)Format: (.+)$/s.exec(description)?.[1];
      let message = `must match the pattern ${String(params.pattern)}, got ${describeValue(value)}`;
      if (format) message = `must be ${sentence(format)}, got ${describeValue(value)}`;
      else if (description)
        message = `must be ${sentence(description)}, got ${describeValue(value)}`;
      return { path, target: 'value', message };
    }
    case 'minLength':
      return {
        path,
        target: 'value',
        message: `must be at least ${plural(Number(params.limit), 'character')} long, got ${sizeOf(value)}`,
      };
    case 'maxLength':
      return {
        path,
        target: 'value',
        message: `must be at most ${plural(Number(params.limit), 'character')} long, got ${sizeOf(value)}`,
      };
    case 'minimum':
    case 'exclusiveMinimum':
      return {
        path,
        target: 'value',
        message: `must be at least ${String(params.limit)}, got ${String(value)}`,
      };
    case 'maximum':
    case 'exclusiveMaximum':
      return {
        path,
        target: 'value',
        message: `must be at most ${String(params.limit)}, got ${String(value)}`,
      };
    case 'minItems':
      return {
        path,
        target: 'value',
        message: `must have at least ${plural(Number(params.limit), 'entry').replace('entrys', 'entries')}, got ${sizeOf(value)}`,
      };
    case 'maxItems':
      return {
        path,
        target: 'value',
        message: `must have at most ${plural(Number(params.limit), 'entry').replace('entrys', 'entries')}, got ${sizeOf(value)}`,
      };
    case 'minProperties':
      return {
        path,
        target: 'value',
        message: `must have at least ${plural(Number(params.limit), 'key')}, got ${sizeOf(value)}`,
      };
    case 'maxProperties':
      return {
        path,
        target: 'value',
        message: `must have at most ${plural(Number(params.limit), 'key')}, got ${sizeOf(value)}`,
      };
    case 'uniqueItems': {
      const first = Math.min(Number(params.i), Number(params.j));
      const second = Math.max(Number(params.i), Number(params.j));
      const repeated = Array.isArray(value) ? value[second] : undefined;
      return {
        path: [...path, second],
        target: 'value',
        message: `repeats entry [${first}]${typeof repeated === 'string' ? ` ('${repeated}')` : ''}; entries must be unique`,
      };
    }
    default:
      return { path, target: 'value', message: error.message ?? `failed ${error.keyword}` };
  }
}

interface OneOfBranch {
  index: number;
  requiredKey: string | undefined;
  /** The branch's JSON type when it names one (`string`): a value of that type names the branch. */
  type: string | undefined;
}

function branchesOf(schema: unknown): OneOfBranch[] {
  const oneOf = schema && typeof schema === 'object' ? (schema as SchemaNode).oneOf : undefined;
  if (!Array.isArray(oneOf)) return [];
  return oneOf.map((branch, index) => {
    const node = branch && typeof branch === 'object' ? (branch as SchemaNode) : {};
    const required = node.required;
    return {
      index,
      requiredKey: Array.isArray(required) ? String(required[0]) : undefined,
      type: typeof node.type === 'string' ? node.type : undefined,
    };
  });
}

/**
 * translateErrors translates every ajv error. Errors inside a oneOf collapse: when the value names
 * exactly one branch (its required key is present) only that branch's errors are kept, otherwise the
 * oneOf becomes one message listing the accepted shapes.
 */
export function translateErrors(errors: readonly ErrorObject[], data: unknown): SpecIssue[] {
  const oneOfErrors = errors.filter((error) => error.keyword === 'oneOf');
  const dropped = new Set<ErrorObject>();
  const replacements: SpecIssue[] = [];
  for (const oneOf of oneOfErrors) {
    dropped.add(oneOf);
    const prefix = `${oneOf.schemaPath}/`;
    const inner = errors.filter(
      (error) =>
        error !== oneOf &&
        error.schemaPath.startsWith(prefix) &&
        error.instancePath.startsWith(oneOf.instancePath),
    );
    for (const error of inner) dropped.add(error);
    const value = oneOf.data;
    const branches = branchesOf(oneOf.parentSchema);
    const named =
      value && typeof value === 'object' && !Array.isArray(value)
        ? branches.filter(
            (branch) => branch.requiredKey !== undefined && branch.requiredKey in value,
          )
        : branches.filter((branch) => branch.type !== undefined && branch.type === typeof value);
    const path = pointerToPath(oneOf.instancePath, data);
    const keys = branches.map((branch) => branch.requiredKey).filter((key) => key !== undefined);
    if (named.length === 1) {
      const chosen = `${prefix}${named[0]!.index}/`;
      for (const error of inner.filter((candidate) => candidate.schemaPath.startsWith(chosen))) {
        const issue = translateError(error, data);
        if (issue) replacements.push(issue);
      }
      continue;
    }
    const isSecret = keys.includes('fromDatabase');
    let message: string;
    if (isSecret && (typeof value !== 'object' || value === null)) {
      message = `must be a reference to a secret, never its value: one of { fromDatabase: password }, { secretsManagerArn: <arn> } or { ssmParameter: <name> }`;
    } else if (named.length > 1) {
      message = `must use exactly one of the keys ${keys.join(', ')}, got ${named.map((branch) => branch.requiredKey).join(' and ')}`;
    } else {
      message = `must be a map with exactly one of the keys: ${keys.join(', ')}`;
    }
    replacements.push({ path, target: 'value', message });
  }
  const issues = errors
    .filter((error) => !dropped.has(error))
    .map((error) => translateError(error, data))
    .filter((issue): issue is SpecIssue => issue !== undefined);
  return [...issues, ...replacements];
}
