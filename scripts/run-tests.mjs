// Runs every node:test suite: unit tests beside the code (*.test.ts under
// reconciler/, service/ and scripts/) and the suites in test/ that need moto or
// PostgreSQL. TypeScript is loaded through tsx, so no build step is needed.
//   --unit    only the unit tests beside the code
//   --stress  only the heavier *.stress.ts suites (kept out of `npm test`)
//   other arguments are path filters: `npm test -- diff` runs files matching "diff"
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const stress = args.includes('--stress');
const filters = args.filter((arg) => !arg.startsWith('--'));
const suffix = stress ? '.stress.ts' : '.test.ts';
const skippedDirs = new Set(['node_modules', 'dist', '.data', '.git', 'fixtures']);

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skippedDirs.has(entry.name)) found.push(...findTests(join(dir, entry.name)));
    } else if (entry.name.endsWith(suffix)) {
      found.push(relative(root, join(dir, entry.name)));
    }
  }
  return found;
}

const roots = unitOnly
  ? ['reconciler', 'service', 'scripts']
  : ['reconciler', 'service', 'scripts', 'test', 'bench'];
const files = roots
  .flatMap((dir) => {
    try {
      return findTests(join(root, dir));
    } catch {
      return [];
    }
  })
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`no test files found${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}

const concurrency = Math.max(2, availableParallelism());
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
  {
    cwd: root,
    stdio: 'inherit',
    // Tests run on Node 20 too, where the AWS SDK warns once per process that its 2027 releases
    // need Node 22; the warning is for users, and test output asserts stderr.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
  },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
