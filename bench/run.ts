/**
 * Runs every benchmark script (bench/*.bench.ts) one after another, each in its own process so
 * that one's memory does not count against the next. `npm run bench -- name` runs those matching.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const scripts = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== ${script} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `${benchDir}${script}`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
if (scripts.length === 0) console.log('no benchmark scripts found');
process.exitCode = failed > 0 ? 1 : 0;
