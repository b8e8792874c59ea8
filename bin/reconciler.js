#!/usr/bin/env node
// Runs the bundled CLI (dist/bundle/, built by `npm run build`, which `npm ci` runs through
// `prepare`; scripts/bundle-cli.mjs says why it is bundled).
import module from 'node:module';

// Node 22.1 and later keep the compiled bundle on disk between runs (a no-op before)
module.enableCompileCache?.();
const { main } = await import('../dist/bundle/reconciler/cli.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`reconciler: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
