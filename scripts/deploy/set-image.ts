/**
 * `node --import tsx scripts/deploy/set-image.ts SPEC TAG REPOSITORY...`: names image tag TAG in
 * every service of SPEC that runs an image of one of the REPOSITORIES (the stack's
 * registry.repositories names), editing the file in place. Prints one line per service; exits 1
 * when no service runs an image of them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setImageTag } from './spec-image.ts';

const [spec, tag, ...repositories] = process.argv.slice(2);
if (!spec || !tag || repositories.length === 0) {
  console.error('usage: set-image.ts SPEC TAG REPOSITORY...');
  process.exit(1);
}
try {
  const edit = setImageTag(readFileSync(spec, 'utf8'), tag, repositories);
  writeFileSync(spec, edit.text);
  for (const change of edit.services) {
    const what = change.from === change.to ? 'already' : `${change.from} ->`;
    console.log(
      `${spec}: service ${change.service} runs ${change.repository} ${what} ${change.to}`,
    );
  }
} catch (err) {
  console.error(`set-image: ${spec}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
