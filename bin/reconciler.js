#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs through `prepare`).
import { main } from '../dist/reconciler/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`reconciler: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
