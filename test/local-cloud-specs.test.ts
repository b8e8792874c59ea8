/**
 * Every spec of the repository (specs/ and specs/examples/) on the local cloud, with the real
 * CLI, as a user runs them: one `apply`, then `plan --detailed-exitcode` exits 0 (converged in
 * one apply); `destroy` exits 0 and the stack owns nothing; for a stack that deletes its
 * resources, nothing untagged is left either. The reference stack is then applied again on the
 * cloud it was destroyed on (a NAT gateway made anew after one was deleted) and converges again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createClients } from '../reconciler/aws/clients.ts';
import { taggedResources, totals } from './helpers/count-by-tag.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

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

interface CliResult {
  code: number | null;
  output: string;
}

function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
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

async function expectExit(args: string[], code: number): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, code, `reconciler ${args.join(' ')}:\n${result.output}`);
  return result.output;
}

/** owned lists `kind address` of what the stack still owns in its region. */
async function owned(spec: SpecFile): Promise<string[]> {
  const clients = createClients({ region: spec.region });
  try {
    const found = await taggedResources(clients, spec.name);
    return found.map((resource) => `${resource.kind} ${resource.address}`).sort();
  } finally {
    clients.destroy();
  }
}

async function leftInRegion(region: string) {
  const clients = createClients({ region });
  try {
    return await totals(clients);
  } finally {
    clients.destroy();
  }
}

const NOTHING = { vpcs: 0, loadBalancers: 0, targetGroups: 0, clusters: 0, dbInstances: 0 };

let cloud: MotoServer;

before(async () => {
  cloud = await startMoto();
});
after(async () => {
  await cloud?.stop();
});

describe('every spec on the local cloud: one apply converges, destroy leaves nothing owned', {
  timeout: 240_000,
}, () => {
  const specs = specFiles();

  test('the specs are found', () => {
    assert.ok(specs.some((spec) => spec.file === 'specs/scalable-logging.yaml'));
    assert.ok(specs.filter((spec) => spec.file.startsWith('specs/examples/')).length >= 3);
  });

  for (const spec of specs) {
    test(spec.file, async () => {
      await cloud.reset();
      await expectExit(['apply', spec.file, '--auto-approve'], 0);
      assert.notDeepEqual(await owned(spec), [], 'the apply created resources');
      await expectExit(['plan', spec.file, '--detailed-exitcode'], 0);
      await expectExit(['destroy', spec.file, '--auto-approve'], 0);
      assert.deepStrictEqual(await owned(spec), []);
      // deletionPolicy retain leaves the resources in AWS, untagged: nothing else may remain
      if (!spec.retained) assert.deepStrictEqual(await leftInRegion(spec.region), NOTHING);
    });
  }

  test('the reference stack converges again on the same cloud after its destroy', async () => {
    const reference = specs.find((spec) => spec.file === 'specs/scalable-logging.yaml');
    assert.ok(reference);
    await cloud.reset();
    await expectExit(['apply', reference.file, '--auto-approve'], 0);
    await expectExit(['destroy', reference.file, '--auto-approve'], 0);
    assert.deepStrictEqual(await owned(reference), []);
    // the deleted NAT gateway, its released address and the final DB snapshot are still there
    await expectExit(['apply', reference.file, '--auto-approve'], 0);
    await expectExit(['plan', reference.file, '--detailed-exitcode'], 0);
    assert.equal((await owned(reference)).length, 27);
  });
});
