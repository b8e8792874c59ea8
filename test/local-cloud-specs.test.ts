/**
 * Every spec of the repository (specs/ and specs/examples/) on a local cloud of its own, with the
 * real CLI, as a user runs them: one `apply`, then `plan --detailed-exitcode` exits 0 (converged
 * in one apply); `destroy` exits 0 and the stack owns nothing; for a stack that deletes its
 * resources, nothing untagged is left either. The reference stack is then applied again on the
 * cloud it was destroyed on (a NAT gateway made anew after one was deleted) and converges again.
 * Two specs run at a time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createClients } from '../reconciler/aws/clients.ts';
import { type RunningCloud, startLocalCloud } from '../scripts/local/local-cloud.ts';
import { taggedResources, totals } from './helpers/count-by-tag.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'reconciler/cli.ts');

/** SpecFile is one spec of the repository and what the test needs of it. */
interface SpecFile {
  file: string;
  name: string;
  region: string;
  retained: boolean;
}

function specFiles(): SpecFile[] {
  return ['specs', 'specs/examples'].flatMap((folder) =>
    readdirSync(join(root, folder))
      .filter((entry) => /\.ya?ml$/.test(entry))
      .sort()
      .map((entry) => {
        const file = join(folder, entry);
        const spec = parse(readFileSync(join(root, file), 'utf8')) as {
          name: string;
          region: string;
          deletionPolicy?: string;
        };
        return {
          file,
          name: spec.name,
          region: spec.region,
          retained: spec.deletionPolicy === 'retain',
        };
      }),
  );
}

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
Object.assign(process.env, CREDENTIALS);

interface CliResult {
  code: number | null;
  output: string;
}

function runCli(cloud: RunningCloud, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: root,
      env: { ...process.env, ...CREDENTIALS, AWS_ENDPOINT_URL: cloud.endpoint, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function expectExit(cloud: RunningCloud, args: string[], code: number): Promise<string> {
  const result = await runCli(cloud, args);
  assert.equal(result.code, code, `reconciler ${args.join(' ')}:\n${result.output}`);
  return result.output;
}

/** owned lists `kind address` of what the stack still owns in its region. */
async function owned(cloud: RunningCloud, spec: SpecFile): Promise<string[]> {
  const clients = createClients({ region: spec.region, endpoint: cloud.endpoint });
  try {
    const found = await taggedResources(clients, spec.name);
    return found.map((resource) => `${resource.kind} ${resource.address}`).sort();
  } finally {
    clients.destroy();
  }
}

async function leftInRegion(cloud: RunningCloud, region: string) {
  const clients = createClients({ region, endpoint: cloud.endpoint });
  try {
    return await totals(clients);
  } finally {
    clients.destroy();
  }
}

const NOTHING = { vpcs: 0, loadBalancers: 0, targetGroups: 0, clusters: 0, dbInstances: 0 };

describe('every spec on the local cloud: one apply converges, destroy leaves nothing owned', {
  // the reference stack alone runs apply, plan, destroy and apply, plan, destroy again: minutes
  // on a loaded machine
  timeout: 600_000,
  concurrency: 2,
}, () => {
  const specs = specFiles();

  test('the specs are found', () => {
    assert.ok(specs.some((spec) => spec.file === 'specs/scalable-logging.yaml'));
    assert.ok(specs.filter((spec) => spec.file.startsWith('specs/examples/')).length >= 3);
  });

  for (const spec of specs) {
    test(spec.file, async () => {
      const cloud = await startLocalCloud();
      try {
        await expectExit(cloud, ['apply', spec.file, '--auto-approve'], 0);
        const created = await owned(cloud, spec);
        assert.notDeepEqual(created, [], 'the apply created resources');
        await expectExit(cloud, ['plan', spec.file, '--detailed-exitcode'], 0);
        await expectExit(cloud, ['destroy', spec.file, '--auto-approve'], 0);
        assert.deepStrictEqual(await owned(cloud, spec), []);
        // deletionPolicy retain leaves the resources in AWS, untagged: nothing else may remain
        if (!spec.retained) {
          assert.deepStrictEqual(await leftInRegion(cloud, spec.region), NOTHING);
        }
        if (spec.file !== 'specs/scalable-logging.yaml') return;
        // again on the same cloud: the deleted NAT gateway, its released address and the
        // final DB snapshot are still there
        await expectExit(cloud, ['apply', spec.file, '--auto-approve'], 0);
        await expectExit(cloud, ['plan', spec.file, '--detailed-exitcode'], 0);
        assert.deepStrictEqual(await owned(cloud, spec), created);
      } finally {
        await cloud.stop();
      }
    });
  }
});
