/**
 * The deploy path of .github/workflows/deploy.yml, run step by step as the runner would (the
 * steps' own `run:` scripts, under the runner's default `bash -e`) against the local cloud and
 * in temporary git repositories: a bare `origin` and a checkout of it. A push to main and a
 * version tag each produce a commit of the new image tag to the spec on main (comments and
 * layout kept) and an apply whose task definition carries <repositoryUri>:<tag>; a failed apply
 * exits non-zero. There is no Docker engine here: the build and push are skipped with
 * DEPLOY_SKIP_BUILD=true; everything else (the repository look-up, git, the apply) runs for real.
 * The checkout's bin/reconciler.js runs the CLI from source, so no build of dist/ is needed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { parse } from 'yaml';
import { createClients } from '../reconciler/aws/clients.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const root = new URL('..', import.meta.url).pathname;
const SPEC = 'specs/app.yaml';
const URI = '123456789012.dkr.ecr.us-west-2.amazonaws.com/app/api';

const spec = `# The deploy suite's stack: one service running the stack's own api image.
name: app
region: us-west-2
network:
  cidr: 10.50.0.0/16
  availabilityZones: [us-west-2a]
  publicSubnets: [10.50.0.0/24]
  privateSubnets: [10.50.10.0/24]
  natGateways: none

registry:
  repositories:
    - name: api # the service below
      lifecycle: { keepLastImages: 10 }
    - name: reconciler

services:
  - name: api
    image:
      repository: api
      tag: 1.0.0 # written by the deploy

    port: 3000
    logGroup: /app/api

logGroups:
  - name: /app/api
`;

interface Step {
  id?: string;
  name?: string;
  run?: string;
  env?: Record<string, string>;
}

const workflow = parse(readFileSync(join(root, '.github/workflows/deploy.yml'), 'utf8')) as {
  jobs: { deploy: { steps: Step[] } };
};

function step(name: string): Step {
  const found = workflow.jobs.deploy.steps.find((candidate) => candidate.name === name);
  assert.ok(found?.run, `deploy.yml has a script step ${name}`);
  return found;
}

describe('the deploy workflow against the local cloud', { timeout: 300_000 }, () => {
  let moto: MotoServer;
  let sandbox: string;
  let origin: string;
  let work: string;
  let home: string;

  const git = (cwd: string, ...args: string[]) => {
    const result = spawnSync('git', args, {
      cwd,
      encoding: 'utf8',
      // the developer's own commits; the deploy's commits get the scripts' identity
      env: {
        ...process.env,
        HOME: home,
        GIT_AUTHOR_NAME: 'dev',
        GIT_AUTHOR_EMAIL: 'dev@example.com',
        GIT_COMMITTER_NAME: 'dev',
        GIT_COMMITTER_EMAIL: 'dev@example.com',
      },
    });
    assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };

  before(async () => {
    // one running task lets moto report the service's deployment COMPLETED for apply --wait
    moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '1' } });
    sandbox = mkdtempSync(join(tmpdir(), 'deploy-flow-'));
    home = join(sandbox, 'home');
    mkdirSync(home);
    origin = join(sandbox, 'origin.git');
    work = join(sandbox, 'work');
    git(sandbox, 'init', '-q', '--bare', '--initial-branch=main', origin);
    git(sandbox, 'clone', '-q', origin, work);
    mkdirSync(join(work, 'specs'));
    writeFileSync(join(work, SPEC), spec);
    git(work, 'add', SPEC);
    git(work, 'commit', '-q', '-m', 'the app stack');
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    // the rest of a checkout, untracked: the deploy scripts, the dependencies, the CLI
    symlinkSync(join(root, 'scripts'), join(work, 'scripts'));
    symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
    mkdirSync(join(work, 'bin'));
    writeFileSync(
      join(work, 'bin', 'reconciler.js'),
      [
        "import { spawnSync } from 'node:child_process';",
        `const cli = ${JSON.stringify(join(root, 'reconciler', 'cli.ts'))};`,
        "const args = ['--import', 'tsx', cli, ...process.argv.slice(2)];",
        "const result = spawnSync(process.execPath, args, { stdio: 'inherit' });",
        'process.exit(result.status ?? 1);',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await moto?.stop();
    if (sandbox) rmSync(sandbox, { recursive: true, force: true });
  });

  /** runDeploy runs the workflow's script steps in order, each step's outputs feeding the next. */
  function runDeploy(github: { ref: string; sha: string; before: string }) {
    const outputs: Record<string, Record<string, string>> = {};
    const results: Record<string, { status: number | null; stdout: string; stderr: string }> = {};
    for (const name of [
      'Image tag',
      'Push images',
      'Changed stacks',
      'Name the images in the spec',
      'Apply',
    ]) {
      const current = step(name);
      const output = join(sandbox, 'github-output');
      writeFileSync(output, '');
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(current.env ?? {})) {
        env[key] = value
          .replace(/\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}/g, (_all, id, key) => {
            return outputs[id]?.[key] ?? '';
          })
          .replace(/\$\{\{ github\.event\.before \}\}/, github.before);
      }
      const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', current.run ?? ''], {
        cwd: work,
        encoding: 'utf8',
        env: {
          ...process.env,
          HOME: home,
          NO_COLOR: '1',
          GITHUB_REF: github.ref,
          GITHUB_SHA: github.sha,
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: join(sandbox, 'summary'),
          // the repository variable, and the image build this machine cannot do
          DEPLOY_SPEC: SPEC,
          DEPLOY_SKIP_BUILD: 'true',
          ...env,
        },
      });
      results[name] = { status: result.status, stdout: result.stdout, stderr: result.stderr };
      outputs[current.id ?? name] = Object.fromEntries(
        readFileSync(output, 'utf8')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      if (result.status !== 0) break;
    }
    return { results, outputs };
  }

  async function deployedImage(): Promise<string | undefined> {
    const clients = createClients({ region: 'us-west-2' });
    try {
      const described = await clients.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: 'app-api' }),
      );
      return described.taskDefinition?.containerDefinitions?.[0]?.image;
    } finally {
      clients.destroy();
    }
  }

  /** the spec on origin's main, and the diff of its last commit */
  function originMain() {
    return {
      subject: git(origin, 'log', '-1', '--format=%s', 'main'),
      author: git(origin, 'log', '-1', '--format=%an', 'main'),
      text: git(origin, 'show', `main:${SPEC}`),
      diff: git(origin, 'show', '--format=', '--unified=0', 'main')
        .split('\n')
        .filter((line) => /^[-+][^-+]/.test(line)),
    };
  }

  it('bootstraps once, then a merge to main deploys its commit and a version tag 1.2.3', async () => {
    // the one-time command of docs/deploying.md: the stack and its repositories
    const bootstrap = spawnSync(
      process.execPath,
      ['bin/reconciler.js', 'apply', SPEC, '--auto-approve'],
      { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    assert.equal(bootstrap.status, 0, `${bootstrap.stdout}\n${bootstrap.stderr}`);
    assert.equal(await deployedImage(), `${URI}:1.0.0`);

    // a merge to main
    const base = git(work, 'rev-parse', 'HEAD');
    writeFileSync(join(work, 'README.md'), 'the app\n');
    git(work, 'add', 'README.md');
    git(work, 'commit', '-q', '-m', 'a change of the app');
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    const merged = git(work, 'rev-parse', 'HEAD');
    const first = runDeploy({ ref: 'refs/heads/main', sha: merged, before: base });
    for (const [name, result] of Object.entries(first.results)) {
      assert.equal(result.status, 0, `${name}: ${result.stdout}\n${result.stderr}`);
    }
    assert.equal(first.outputs.tag?.tag, merged, 'a merge is tagged with its commit');
    assert.match(
      first.results['Push images']?.stdout ?? '',
      new RegExp(`DEPLOY_SKIP_BUILD=true: not building or pushing ${URI}:${merged}`),
    );
    assert.equal(first.outputs.changed?.stacks, `${SPEC} `, 'the deployed spec is applied');
    let main = originMain();
    assert.equal(main.subject, `deploy: ${merged} (api reconciler) in ${SPEC}`);
    assert.equal(main.author, 'github-actions[bot]');
    assert.deepStrictEqual(main.diff, [
      '-      tag: 1.0.0 # written by the deploy',
      `+      tag: ${merged} # written by the deploy`,
    ]);
    assert.equal(main.text, spec.replace('tag: 1.0.0', `tag: ${merged}`).trimEnd());
    assert.match(
      first.results.Apply?.stdout ?? '',
      /Apply complete! Resources: 0 added, 2 changed/,
    );
    assert.equal(await deployedImage(), `${URI}:${merged}`, 'the task definition runs the build');

    // a version tag on that commit deploys 1.2.3, committed on top of main
    git(work, 'tag', 'v1.2.3', merged);
    git(work, 'checkout', '-q', '--detach', 'v1.2.3');
    const tagged = runDeploy({ ref: 'refs/tags/v1.2.3', sha: merged, before: '0'.repeat(40) });
    for (const [name, result] of Object.entries(tagged.results)) {
      assert.equal(result.status, 0, `${name}: ${result.stdout}\n${result.stderr}`);
    }
    assert.equal(tagged.outputs.tag?.tag, '1.2.3');
    main = originMain();
    assert.equal(main.subject, `deploy: 1.2.3 (api reconciler) in ${SPEC}`);
    assert.deepStrictEqual(main.diff, [
      `-      tag: ${merged} # written by the deploy`,
      '+      tag: 1.2.3 # written by the deploy',
    ]);
    assert.equal(await deployedImage(), `${URI}:1.2.3`);
    assert.equal(git(work, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main', 'apply ran on main');

    // running the same deploy again commits nothing and changes nothing
    const again = runDeploy({ ref: 'refs/tags/v1.2.3', sha: merged, before: '0'.repeat(40) });
    assert.equal(again.results.Apply?.status, 0, again.results.Apply?.stderr);
    assert.match(
      again.results['Name the images in the spec']?.stdout ?? '',
      /names 1\.2\.3 already: nothing to commit/,
    );
    assert.equal(originMain().subject, main.subject);
  });

  it('a failed apply fails the deploy', async () => {
    // a log group the spec asks for exists already, made by hand: apply refuses to take it
    const clients = createClients({ region: 'us-west-2' });
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/taken' }));
    clients.destroy();
    const base = git(work, 'rev-parse', 'HEAD');
    writeFileSync(
      join(work, SPEC),
      readFileSync(join(work, SPEC), 'utf8').replace(
        'logGroups:\n  - name: /app/api\n',
        'logGroups:\n  - name: /app/api\n  - name: /app/taken\n',
      ),
    );
    git(work, 'commit', '-q', '-m', 'another log group', '--', SPEC);
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    const changed = git(work, 'rev-parse', 'HEAD');
    const failed = runDeploy({ ref: 'refs/heads/main', sha: changed, before: base });
    const apply = failed.results.Apply;
    assert.equal(apply?.status, 1, `${apply?.stdout}\n${apply?.stderr}`);
    assert.match(apply?.stdout ?? '', /log-group\.app\/taken/);
    assert.match(apply?.stderr ?? '', /apply failed with exit code 1/);
    assert.match(readFileSync(join(sandbox, 'summary'), 'utf8'), /## Deploy/);
    assert.equal(originMain().subject, `deploy: ${changed} (api reconciler) in ${SPEC}`);
  });

  it('never drops a local commit that origin does not have', () => {
    const base = git(work, 'rev-parse', 'HEAD');
    writeFileSync(join(work, 'NOTES.md'), 'not pushed\n');
    git(work, 'add', 'NOTES.md');
    git(work, 'commit', '-q', '-m', 'a local commit');
    const local = git(work, 'rev-parse', 'HEAD');
    const refused = runDeploy({ ref: 'refs/heads/main', sha: local, before: base });
    const named = refused.results['Name the images in the spec'];
    assert.equal(named?.status, 1, `${named?.stdout}\n${named?.stderr}`);
    assert.match(named?.stderr ?? '', /local main has commits origin\/main does not/);
    assert.equal(refused.results.Apply, undefined, 'nothing is applied');
    assert.equal(git(work, 'rev-parse', 'main'), local, 'the local commit is still on main');
  });
});
