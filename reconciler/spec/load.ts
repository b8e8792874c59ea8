/**
 * Parsing one spec file: YAML with source positions and hard limits against hostile input.
 * The parsed document is kept so that any field path maps back to file:line:col.
 */
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type ParsedNode,
  parseAllDocuments,
} from 'yaml';
import type { PathSegment } from './errors.ts';

/** MAX_SPEC_BYTES is the largest spec file accepted (1 MiB); larger input is refused before parsing. */
export const MAX_SPEC_BYTES = 1024 * 1024;

/** MAX_ALIAS_COUNT bounds alias expansion, so a "billion laughs" document cannot exhaust memory. */
export const MAX_ALIAS_COUNT = 100;

/** MAX_FLOW_NESTING bounds `[`/`{` nesting, which the YAML parser handles by recursion. */
export const MAX_FLOW_NESTING = 64;

/**
 * flowNestingOffset returns the offset where flow brackets first nest deeper than the limit, or -1.
 * It ignores comments and quoted strings only roughly; a real spec never comes near the limit.
 */
function flowNestingOffset(source: string, limit: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let offset = 0; offset < source.length; offset += 1) {
    const char = source[offset];
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\n') quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === '#') {
      const end = source.indexOf('\n', offset);
      if (end < 0) break;
      offset = end;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return offset;
    } else if ((char === ']' || char === '}') && depth > 0) depth -= 1;
  }
  return -1;
}

/** MAX_BLOCK_NESTING bounds indentation and `- ` nesting, which the parser also handles by recursion. */
export const MAX_BLOCK_NESTING = 64;

const blockScalarHeader = /(?:^|[\s:])[|>][-+0-9]*\s*(?:#.*)?$/;

/**
 * blockNestingOffset returns the offset where block collections first nest deeper than the
 * limit, or -1. Each line opens a level at its indentation (closing the levels at or right of
 * it) and one more for each `- ` or `? ` that follows; lines of a block scalar are text and
 * skipped. Rough like flowNestingOffset, and as far from any real spec.
 */
function blockNestingOffset(source: string, limit: number): number {
  const columns: number[] = [];
  let scalarIndent = -1;
  let lineStart = 0;
  while (lineStart < source.length) {
    const lineEnd =
      source.indexOf('\n', lineStart) < 0 ? source.length : source.indexOf('\n', lineStart);
    const line = source.slice(lineStart, lineEnd);
    const indent = line.length - line.trimStart().length;
    const blank = line.trim() === '' || line.trimStart().startsWith('#');
    if (!blank && !(scalarIndent >= 0 && indent > scalarIndent)) {
      scalarIndent = -1;
      while (columns.length > 0 && columns.at(-1)! >= indent) columns.pop();
      columns.push(indent);
      if (columns.length > limit) return lineStart + indent;
      let column = indent;
      while (/^[-?](?:\s|$)/.test(line.slice(column))) {
        column += 1;
        while (line[column] === ' ') column += 1;
        columns.push(column);
        if (columns.length > limit) return lineStart + column;
      }
      if (blockScalarHeader.test(line)) scalarIndent = indent;
    }
    lineStart = lineEnd + 1;
  }
  return -1;
}

/** tooDeepIssue is the one issue for nesting beyond a limit, at the offset where it starts. */
function tooDeepIssue(source: string, offset: number, message: string): LocatedIssue {
  const before = source.slice(0, offset);
  return {
    line: before.split('\n').length,
    column: offset - before.lastIndexOf('\n'),
    path: [],
    message,
  };
}

/** Position is a 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** LocatedIssue is a problem found while parsing, with its position and (if known) field path. */
export interface LocatedIssue extends Position {
  path: PathSegment[];
  message: string;
}

/** ParsedSpec is a parsed spec: its plain value and a way back from field paths to positions. */
export interface ParsedSpec {
  value: unknown;
  /**
   * locate returns the position of the node at path: its value, or with `key` its key
   * (for unknown keys and keys that are wrong themselves). A path that does not exist in the
   * document resolves to the deepest existing ancestor's key, so errors about missing fields
   * point at the object that misses them.
   */
  locate(path: readonly PathSegment[], target?: 'value' | 'key'): Position;
}

/** ParseResult is either a parsed spec or the issues that prevented parsing. */
export type ParseResult = { ok: true; spec: ParsedSpec } | { ok: false; issues: LocatedIssue[] };

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** LAYOUT_CODES are the YAML errors a tab used as indentation brings on in the lines after it. */
const LAYOUT_CODES = new Set([
  'BAD_INDENT',
  'BLOCK_AS_IMPLICIT_KEY',
  'MULTILINE_IMPLICIT_KEY',
  'TAB_AS_INDENT',
]);

/**
 * withoutKnockOns keeps a tab-indentation error and drops the layout errors after it: they follow
 * from the tab (the lines below no longer line up) and go away with it.
 */
export function withoutKnockOns<T extends { code: string; pos: [number, number] }>(
  problems: readonly T[],
): T[] {
  const sorted = [...problems].sort((a, b) => a.pos[0] - b.pos[0]);
  const tab = sorted.find((problem) => problem.code === 'TAB_AS_INDENT');
  if (!tab) return [...problems];
  return sorted.filter(
    (problem) => problem === tab || problem.pos[0] < tab.pos[0] || !LAYOUT_CODES.has(problem.code),
  );
}

/**
 * parseSpecSource parses one YAML document with positions. Refused: more than MAX_SPEC_BYTES,
 * an empty file, more than one document, duplicate keys, any YAML error or warning, and alias
 * expansion beyond MAX_ALIAS_COUNT. Never throws for bad input.
 */
export function parseSpecSource(source: string): ParseResult {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_SPEC_BYTES) {
    return {
      ok: false,
      issues: [
        {
          line: 1,
          column: 1,
          path: [],
          message: `file is ${bytes} bytes, larger than the limit of ${MAX_SPEC_BYTES} bytes (1 MiB) for a spec`,
        },
      ],
    };
  }
  const flowTooDeep = flowNestingOffset(source, MAX_FLOW_NESTING);
  if (flowTooDeep >= 0) {
    const message = `brackets nest deeper than ${MAX_FLOW_NESTING} levels; a spec never needs that`;
    return { ok: false, issues: [tooDeepIssue(source, flowTooDeep, message)] };
  }
  const blockTooDeep = blockNestingOffset(source, MAX_BLOCK_NESTING);
  if (blockTooDeep >= 0) {
    const message = `indentation and '- ' nest deeper than ${MAX_BLOCK_NESTING} levels; a spec never needs that`;
    return { ok: false, issues: [tooDeepIssue(source, blockTooDeep, message)] };
  }
  const lineCounter = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let documents: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(source, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      strict: true,
      version: '1.2',
    });
    documents = Array.isArray(parsed) ? parsed : [];
  } catch (error) {
    return {
      ok: false,
      issues: [{ line: 1, column: 1, path: [], message: `cannot parse YAML: ${describe(error)}` }],
    };
  }
  const nonEmpty = documents.filter(
    (document) => document.contents !== null || document.errors.length > 0,
  );
  if (nonEmpty.length === 0) {
    return {
      ok: false,
      issues: [
        { line: 1, column: 1, path: [], message: 'file is empty: a spec describes one stack' },
      ],
    };
  }
  if (documents.length > 1) {
    const second = documents[1]!;
    const start = second.range[0];
    return {
      ok: false,
      issues: [
        {
          ...position(start),
          path: [],
          message: `file holds ${documents.length} YAML documents; a spec file holds exactly one stack (remove the '---' separator or split the file)`,
        },
      ],
    };
  }
  const document = documents[0]!;
  const yamlProblems = withoutKnockOns([...document.errors, ...document.warnings]);
  if (yamlProblems.length > 0) {
    const seen = new Set<number>();
    const issues: LocatedIssue[] = [];
    for (const problem of yamlProblems) {
      // One message per position: the parser often reports one mistake twice.
      if (seen.has(problem.pos[0])) continue;
      seen.add(problem.pos[0]);
      const duplicate = problem.code === 'DUPLICATE_KEY';
      const path = duplicate ? pathAtOffset(document, problem.pos[0]) : [];
      const key = path.at(-1);
      issues.push({
        ...position(problem.pos[0]),
        path,
        message: duplicate
          ? `duplicate key${key === undefined ? '' : ` '${String(key)}'`}: a key may appear only once in a map`
          : `invalid YAML: ${lowerFirst(firstLine(problem.message))}`,
      });
    }
    return { ok: false, issues };
  }
  const complexKey = collectionKey(document);
  if (complexKey) {
    return {
      ok: false,
      issues: [
        {
          ...position(complexKey.offset),
          path: complexKey.path,
          message: 'a key must be a plain value, not a list or a map',
        },
      ],
    };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const aliasBomb = error instanceof ReferenceError || /alias/i.test(describe(error));
    return {
      ok: false,
      issues: [
        {
          line: 1,
          column: 1,
          path: [],
          message: aliasBomb
            ? `too many YAML alias expansions (limit ${MAX_ALIAS_COUNT}): anchors and aliases expand to a document too large to accept`
            : `cannot read YAML: ${describe(error)}`,
        },
      ],
    };
  }
  if (value === null || value === undefined) {
    return {
      ok: false,
      issues: [
        { line: 1, column: 1, path: [], message: 'file is empty: a spec describes one stack' },
      ],
    };
  }
  return {
    ok: true,
    spec: {
      value,
      locate: (path, target = 'value') => {
        const offset = locateOffset(document, path, target);
        return position(offset);
      },
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? lowerFirst(firstLine(error.message)) : String(error);
}

function resolve(document: Document.Parsed, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isAlias(current) && hops < 10; hops += 1) {
    current = current.resolve(document);
  }
  return current;
}

function startOf(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (range) return range[0];
  }
  return undefined;
}

function keyValue(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

function locateOffset(
  document: Document.Parsed,
  path: readonly PathSegment[],
  target: 'value' | 'key',
): number {
  const root = resolve(document, document.contents) as ParsedNode | null;
  let node: unknown = root;
  // The best position so far: the key of the deepest pair on the path, or the root.
  let best = startOf(root) ?? 0;
  let keyOfLast: number | undefined;
  for (let index = 0; index < path.length; index += 1) {
    const segment = path[index]!;
    const current = resolve(document, node);
    let next: unknown;
    keyOfLast = undefined;
    if (isMap(current)) {
      const pair = current.items.find(
        (item) => isPair(item) && String(keyValue(item.key)) === String(segment),
      );
      if (pair && isPair(pair)) {
        keyOfLast = startOf(pair.key);
        next = pair.value;
        best = keyOfLast ?? best;
      }
    } else if (isSeq(current) && typeof segment === 'number') {
      next = current.items[segment];
      keyOfLast = startOf(next);
    }
    if (next === undefined) return best;
    const nextStart = startOf(next) ?? startOf(resolve(document, next));
    node = next;
    if (index === path.length - 1) {
      if (target === 'key' && keyOfLast !== undefined) return keyOfLast;
      // An empty value (`key:` with nothing after it) has no useful range; use the key.
      if (isEmptyScalar(next)) return keyOfLast ?? best;
      return nextStart ?? keyOfLast ?? best;
    }
    best = keyOfLast ?? nextStart ?? best;
  }
  return best;
}

function isEmptyScalar(node: unknown): boolean {
  if (!isScalar(node) || node.value !== null) return false;
  const range = node.range;
  return !range || range[0] === range[1];
}

function contains(node: unknown, offset: number): boolean {
  if (!node || typeof node !== 'object' || !('range' in node)) return false;
  const range = (node as Node).range;
  return !!range && offset >= range[0] && offset < range[2];
}

/**
 * pathAtOffset finds the field path of the deepest node at a source offset (for YAML errors, so a
 * duplicate key says which key). Aliases are not followed: positions belong to where text is.
 */
export function pathAtOffset(document: Document.Parsed, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = document.contents;
  for (let depth = 0; depth < 1000; depth += 1) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        if (contains(pair.key, offset)) {
          path.push(String(keyValue(pair.key)));
          return path;
        }
        if (contains(pair.value, offset)) {
          path.push(String(keyValue(pair.key)));
          next = pair.value;
          break;
        }
      }
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item, offset));
      if (index >= 0) {
        path.push(index);
        next = node.items[index];
      }
    }
    if (next === undefined) return path;
    node = next;
  }
  return path;
}

/**
 * collectionKey finds the first map key that is a list or a map (directly or through an alias),
 * which toJS would stringify with a process warning; its offset and the path of its map.
 */
function collectionKey(
  document: Document.Parsed,
): { offset: number; path: PathSegment[] } | undefined {
  const pending: Array<{ node: unknown; path: PathSegment[] }> = [
    { node: document.contents, path: [] },
  ];
  while (pending.length > 0) {
    const { node, path } = pending.pop()!;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isCollection(resolve(document, pair.key))) {
          return { offset: startOf(pair.key) ?? startOf(node) ?? 0, path };
        }
        pending.push({ node: pair.value, path: [...path, String(keyValue(pair.key))] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        pending.push({ node: item, path: [...path, index] });
      });
    }
  }
  return undefined;
}

/** isPlainObject reports whether a parsed value is a YAML map (not a sequence or scalar). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
