/**
 * Deploying a new image with the real CLI against moto: the plan shows exactly the task
 * definition update (a new revision) and the ECS service update to it (`taskDefinition` known
 * after apply), apply performs exactly those, and the next plan is empty. Scaling is one in-place
 * update. `apply --wait` waits for the rollout, and reports one that does not settle in time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DescribeTargetGroupsCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createClients } from '../reconciler/aws/clients.ts';
import { runCli } from './helpers/cli.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const reference = fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url));
/** The api's image: the stack's own repository, scalable-logging/api, at the tag the spec names. */
const REPOSITORY_URI = '123456789012.dkr.ecr.us-west-2.amazonaws.com/scalable-logging/api';
const TAG_LINE = 'tag: 1.0.0 #';

interface JsonPlan {
  stacks: {
    changes: {
      address: string;
      action: string;
      reason: string;
      fields: { path: string; before?: unknown; after?: unknown; afterUnknown?: true }[];
    }[];
  }[];
}

/** changesOf lists the changes of a JSON plan other than no-ops, each field as [path, before, after]. */
function changesOf(stdout: string) {
  const plan = JSON.parse(stdout) as JsonPlan;
  return (plan.stacks[0]?.changes ?? [])
    .filter((change) => change.action !== 'no-op')
    .map((change) => ({
      address: change.address,
      action: change.action,
      fields: change.fields.map((field) =>
        field.afterUnknown
          ? [field.path, field.before, '(known after apply)']
          : [field.path, field.before, field.after],
      ),
    }));
}

function callCount(stderr: string, call: string): number | undefined {
  const line = stderr
    .split('\n')
    .find((row) => row.trim().split(/\s+/).slice(0, 3).join(' ') === call);
  return line === undefined ? undefined : Number(line.trim().split(/\s+/)[3]);
}

/** registerHealthyTargets registers two IP targets (moto reports them healthy) in the stack's target group. */
async function registerHealthyTargets(): Promise<void> {
  const clients = createClients({ region: 'us-west-2' });
  try {
    const groups = await clients.elbv2.send(new DescribeTargetGroupsCommand({}));
    assert.equal(groups.TargetGroups?.length, 1);
    await clients.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: groups.TargetGroups?.[0]?.TargetGroupArn,
        Targets: [
          { Id: '10.0.10.5', Port: 3000 },
          { Id: '10.0.11.5', Port: 3000 },
        ],
      }),
    );
  } finally {
    clients.destroy();
  }
}

describe('deploying a new image of the reference stack against the local cloud', {
  timeout: 300_000,
}, () => {
  let moto: MotoServer;
  let dir: string;
  let spec: string;
  // a fixed task count: the spec's desiredCount is what scales the service here
  const original = readFileSync(reference, 'utf8').replace(/^ {4}autoScaling:\n(?: {6}.*\n)+/m, '');

  before(async () => {
    // two running tasks make moto report the api's deployment (2 tasks) COMPLETED
    moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '2' } });
    dir = mkdtempSync(join(tmpdir(), 'deploy-image-'));
    spec = join(dir, 'scalable-logging.yaml');
    writeFileSync(spec, original);
  });

  after(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plans and applies exactly the task definition and service updates, then nothing', async () => {
    const applied = await runCli(['apply', spec, '--auto-approve']);
    assert.equal(applied.code, 0, `${applied.stdout}\n${applied.stderr}`);
    assert.match(applied.stdout, /45 added, 0 changed/);
    const converged = await runCli(['plan', spec, '--detailed-exitcode']);
    assert.equal(converged.code, 0, `${converged.stdout}\n${converged.stderr}`);

    const oldArn = /task-definition\/scalable-logging-api:1\b/;
    writeFileSync(spec, original.replace(TAG_LINE, 'tag: 1.0.1 #'));
    const plan = await runCli(['plan', spec, '--output', 'json', '--detailed-exitcode', '--stats']);
    assert.equal(plan.code, 2, `${plan.stdout}\n${plan.stderr}`);
    const changes = changesOf(plan.stdout);
    assert.deepStrictEqual(
      changes.map((change) => [change.address, change.action]),
      [
        ['task-definition.api', 'update'],
        ['ecs-service.api', 'update'],
      ],
    );
    assert.deepStrictEqual(changes[0]?.fields, [
      ['containerDefinitions[0].image', `${REPOSITORY_URI}:1.0.0`, `${REPOSITORY_URI}:1.0.1`],
    ]);
    assert.equal(changes[1]?.fields.length, 1);
    assert.equal(changes[1]?.fields[0]?.[0], 'taskDefinition');
    assert.match(String(changes[1]?.fields[0]?.[1]), oldArn);
    assert.equal(changes[1]?.fields[0]?.[2], '(known after apply)');
    assert.deepStrictEqual(
      [
        callCount(plan.stderr, 'ecs ListTaskDefinitionFamilies ok'),
        callCount(plan.stderr, 'ecs DescribeTaskDefinition ok'),
      ],
      [1, 1],
      'one family listing, one describe per family',
    );

    await registerHealthyTargets();
    const deployed = await runCli([
      'apply',
      spec,
      '--auto-approve',
      '--wait',
      '--wait-timeout',
      '60s',
      '--wait-interval',
      '1s',
    ]);
    assert.equal(deployed.code, 0, `${deployed.stdout}\n${deployed.stderr}`);
    assert.match(deployed.stdout, /\nstable after \d+s\n/);
    assert.match(deployed.stdout, /Plan: 0 to add, 2 to change, 0 to destroy\./);
    assert.match(deployed.stdout, /Apply complete! Resources: 0 added, 2 changed, 0 destroyed\./);
    assert.ok(
      deployed.stdout.indexOf('task-definition.api: modified') <
        deployed.stdout.indexOf('ecs-service.api: modifying'),
      deployed.stdout,
    );
    const after = await runCli(['plan', spec, '--detailed-exitcode']);
    assert.equal(after.code, 0, `${after.stdout}\n${after.stderr}`);
  });

  it('scaling is one in-place update; apply --wait reports a rollout that does not settle', async () => {
    writeFileSync(
      spec,
      original.replace(TAG_LINE, 'tag: 1.0.1 #').replace('desiredCount: 2', 'desiredCount: 3'),
    );
    // two healthy targets never cover three tasks: the rollout does not settle
    const waited = await runCli([
      'apply',
      spec,
      '--auto-approve',
      '--wait',
      '--wait-timeout',
      '3s',
      '--wait-interval',
      '1s',
    ]);
    assert.equal(waited.code, 1, `${waited.stdout}\n${waited.stderr}`);
    assert.match(waited.stdout, /Plan: 0 to add, 1 to change, 0 to destroy\./);
    assert.match(
      waited.stdout,
      /# ecs-service\.api will be updated in place\n {2}# \(differs: desiredCount\)\n {2}~ ecs-service\.api \[id=[^\]]+\] \{\n {6}~ desiredCount = 2 -> 3\n {8}# \(\d+ unchanged attributes hidden\)\n/,
    );
    assert.match(waited.stdout, /Apply complete! Resources: 0 added, 1 changed, 0 destroyed\./);
    assert.match(waited.stdout, /waiting \(\d+s\): scalable-logging\/ecs-service\.api: /);
    assert.match(
      waited.stderr,
      /the stacks did not become stable:\n {2}- timed out after \d+s waiting for: .*scalable-logging\/ecs-service\.api/,
    );
  });
});
