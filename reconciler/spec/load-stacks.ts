/**
 * The spec loader other parts of the reconciler import: files and folders in, validated stacks
 * (defaults applied) and located errors out. Invalid input never throws.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { compareSpecErrors, formatPath, type SpecError } from './errors.ts';
import { isPlainObject, MAX_SPEC_BYTES, parseSpecSource } from './load.ts';
import type { Stack } from './types.generated.ts';
import { validateStackValue } from './validate.ts';

export type { SpecError } from './errors.ts';
export { formatSpecError } from './errors.ts';
export type { Stack } from './types.generated.ts';

/** LoadedStack is one valid stack spec (schema defaults applied) and the file it came from. */
export interface LoadedStack {
  spec: Stack;
  file: string;
}

/** StackSourceResult is the outcome of loading one spec source: a stack, or the errors. */
export interface StackSourceResult {
  stack: LoadedStack | undefined;
  errors: SpecError[];
}

interface StackName {
  value: string;
  line: number;
  column: number;
}

type SourceResult = StackSourceResult & { name?: StackName };

/** loadSource never throws: a failure of the loader itself is reported as an error of the file. */
function loadSource(file: string, source: string): SourceResult {
  try {
    return loadSourceUnguarded(file, source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      stack: undefined,
      errors: [
        { file, line: 1, column: 1, path: 'spec', message: `cannot validate spec: ${reason}` },
      ],
    };
  }
}

function loadSourceUnguarded(file: string, source: string): SourceResult {
  const parsed = parseSpecSource(source);
  if (!parsed.ok) {
    const errors = parsed.issues.map((issue) => ({
      file,
      line: issue.line,
      column: issue.column,
      path: formatPath(issue.path),
      message: issue.message,
    }));
    return { stack: undefined, errors: errors.sort(compareSpecErrors) };
  }
  const rawName = isPlainObject(parsed.spec.value) ? parsed.spec.value.name : undefined;
  const name =
    typeof rawName === 'string' ? { value: rawName, ...parsed.spec.locate(['name']) } : undefined;
  const { stack, issues } = validateStackValue(parsed.spec.value);
  const errors = issues.map((issue) => {
    const { line, column } = parsed.spec.locate(issue.path, issue.target);
    return { file, line, column, path: formatPath(issue.path), message: issue.message };
  });
  errors.sort(compareSpecErrors);
  const loaded = stack && errors.length === 0 ? { spec: stack, file } : undefined;
  return name ? { stack: loaded, errors, name } : { stack: loaded, errors };
}

/**
 * loadStackSource parses and validates one spec held in memory (tests, the daemon reading from a
 * git checkout). file is used only to label errors. Never throws for bad input.
 */
export function loadStackSource(file: string, source: string): StackSourceResult {
  const { stack, errors } = loadSource(file, source);
  return { stack, errors };
}

const SPEC_EXTENSIONS = new Set(['.yaml', '.yml']);

function isSpecFileName(name: string): boolean {
  return SPEC_EXTENSIONS.has(extname(name).toLowerCase());
}

function fileError(file: string, message: string, cause?: unknown): SpecError {
  const detail = cause instanceof Error && 'code' in cause ? ` (${String(cause.code)})` : '';
  return { file, line: 0, column: 0, path: 'spec', message: `${message}${detail}` };
}

/**
 * specFilesIn expands paths into spec files: a file is taken as given (whatever its extension);
 * a folder contributes its own *.yaml and *.yml files, sorted, NOT those of its subfolders
 * (so `specs/` does not load `specs/examples/`).
 */
async function specFilesIn(
  paths: readonly string[],
): Promise<{ files: string[]; errors: SpecError[] }> {
  const files: string[] = [];
  const errors: SpecError[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
      errors.push(
        fileError(path, missing ? 'no such file or folder' : 'cannot read spec path', error),
      );
      continue;
    }
    if (info.isDirectory()) {
      let entries: string[];
      try {
        entries = (await readdir(path, { withFileTypes: true }))
          // Symbolic links count too (mounted config folders are made of them); a link to a
          // folder fails later as an unreadable file.
          .filter(
            (entry) => (entry.isFile() || entry.isSymbolicLink()) && isSpecFileName(entry.name),
          )
          .map((entry) => entry.name)
          .sort();
      } catch (error) {
        errors.push(fileError(path, 'cannot list spec folder', error));
        continue;
      }
      files.push(...entries.map((name) => join(path, name)));
    } else {
      files.push(normalize(path));
    }
  }
  return { files: [...new Set(files)], errors };
}

async function readSpecFile(file: string): Promise<{ source?: string; error?: SpecError }> {
  try {
    const info = await stat(file);
    if (info.size > MAX_SPEC_BYTES) {
      return {
        error: fileError(
          file,
          `file is ${info.size} bytes, larger than the limit of ${MAX_SPEC_BYTES} bytes (1 MiB) for a spec`,
        ),
      };
    }
    return { source: await readFile(file, 'utf8') };
  } catch (error) {
    return { error: fileError(file, 'cannot read spec file', error) };
  }
}

/**
 * loadStacks loads every spec in paths (files, or folders non-recursively), validates each, and
 * checks that stack names are unique across files: a repeated name is an error at the later
 * file's `name`. Only valid stacks are returned; every error of every file is returned.
 */
export async function loadStacks(
  paths: string[],
): Promise<{ stacks: LoadedStack[]; errors: SpecError[] }> {
  const { files, errors } = await specFilesIn(paths);
  const stacks: LoadedStack[] = [];
  const firstFileByName = new Map<string, string>();
  for (const file of files) {
    const { source, error } = await readSpecFile(file);
    if (error || source === undefined) {
      if (error) errors.push(error);
      continue;
    }
    const result = loadSource(file, source);
    errors.push(...result.errors);
    const name = result.name;
    if (name !== undefined) {
      const first = firstFileByName.get(name.value);
      if (first !== undefined) {
        errors.push({
          file,
          line: name.line,
          column: name.column,
          path: 'spec.name',
          message: `stack name '${name.value}' is already used by ${first}; stack names must be unique`,
        });
        continue;
      }
      firstFileByName.set(name.value, file);
    }
    if (result.stack) stacks.push(result.stack);
  }
  errors.sort(compareSpecErrors);
  return { stacks, errors };
}
