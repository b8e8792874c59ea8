/**
 * Bundles the reconciler CLI for bin/reconciler.js (run by `npm run build`, after tsc).
 *
 * Why: loading the AWS SDK dominated the CLI's start. Each client's CommonJS bundle is
 * format-detected, lexed and compiled whole (client-ec2's alone is 2.1 MB), although a plan
 * sends about forty of its seven hundred operations. Bundled from the SDK's ES modules
 * (`module` before `main`), esbuild keeps only the commands the kinds import, and with code
 * splitting each command module stays a chunk of its own: `validate` and `--help` still load no
 * SDK. docs/PERFORMANCE.md has the figures.
 *
 * The bundle lands in dist/bundle/reconciler/, three folders below the checkout like the sources
 * that read files next to it (schemas/, the daemon's page). The project's own runtime dependencies
 * stay external (they load from node_modules as before); the SDK and its helpers are inlined.
 */
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
// commander and picocolors are inlined too: every command, --help included, loads them first
const inlined = new Set(['commander', 'picocolors']);
const external = Object.keys(pkg.dependencies ?? {}).filter(
  (name) => !name.startsWith('@aws-sdk/') && !inlined.has(name),
);

// chunks are named by content hash: clear the last build's
rmSync(new URL('dist/bundle/', root), { recursive: true, force: true });

await build({
  absWorkingDir: new URL('.', root).pathname,
  entryPoints: { cli: 'reconciler/cli.ts' },
  outdir: 'dist/bundle/reconciler',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  external: external.flatMap((name) => [name, `${name}/*`]),
  // CommonJS pieces of the SDK's dependencies call require() for Node built-ins
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  legalComments: 'none',
  // less to parse at each start; names kept for stack traces and the SDK's error names
  minify: true,
  keepNames: true,
  logLevel: 'warning',
});
