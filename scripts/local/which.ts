import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** findExecutable returns the first executable file named `command` on a PATH, if any. */
export function findExecutable(command: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
