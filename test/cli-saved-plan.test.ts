/**
 * Saved plans and outputs through the real CLI on the local cloud: `plan -out FILE` then
 * `apply FILE` applies exactly that plan; a saved plan is refused once its spec was edited or a
 * resource it saw changed out of band; `output` prints the load balancer's DNS name after apply.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createClients } from '../reconciler/aws/clients.ts';
import type { SavedPlan } from '../reconciler/plan/saved.ts';
import { runCli } from './helpers/cli.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const SPEC = `name: web
region: us-west-2
tags:
  project: saved-plan-test
network:
  cidr: 10.40.0.0/16
  availabilityZones: [us-west-2a, us-west-2b]
  publicSubnets: [10.40.0.0/24, 10.40.1.0/24]
  privateSubnets: [10.40.10.0/24, 10.40.11.0/24]
  natGateways: none
loadBalancer:
  listeners:
    - port: 80
      protocol: HTTP
logGroups:
  - name: /web/app
    retentionDays: 7
`;

describe('saved plans and outputs on the local cloud', { timeout: 300_000 }, () => {
  let moto: MotoServer;
  let dir: string;
  let spec: string;
  let planFile: string;

  before(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'cli-saved-plan-'));
    spec = join(dir, 'web.yaml');
    planFile = join(dir, 'web.plan');
    writeFileSync(spec, SPEC);
  });

  after(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plan -out FILE saves the plan with spec hashes; apply FILE applies exactly it', async () => {
    const planned = await runCli(['plan', spec, '-out', planFile]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /Saved the plan to .*web\.plan/);
    const saved = JSON.parse(readFileSync(planFile, 'utf8')) as SavedPlan;
    assert.equal(saved.kind, 'reconciler-saved-plan');
    assert.match(saved.specs.web ?? '', /^[0-9a-f]{64}$/);
    const creates = saved.plan.stacks[0]?.changes.filter((change) => change.action === 'create');
    assert.ok((creates?.length ?? 0) > 5, 'the saved plan holds the creates');

    const applied = await runCli(['apply', planFile]);
    assert.equal(applied.code, 0, `${applied.stdout}\n${applied.stderr}`);
    assert.match(applied.stdout, new RegExp(`Apply complete! Resources: ${creates?.length} added`));
    assert.match(applied.stdout, /Outputs of stack web \(us-west-2\):/);
    assert.match(applied.stdout, /load-balancer\.main\.dnsName\s+= \S+/);

    const again = await runCli(['plan', spec, '--detailed-exitcode']);
    assert.equal(again.code, 0, `nothing left to do after the saved plan:\n${again.stdout}`);
  });

  it('output prints the load balancer DNS name and URL, and the log group', async () => {
    const human = await runCli(['output', spec]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /loadBalancerUrl\s+= http:\/\/\S+\//);
    assert.match(human.stdout, /log-group\.\S+\.name\s+= \/web\/app/);
    const json = await runCli(['output', spec, '--output', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const outputs = JSON.parse(json.stdout) as Record<
      string,
      { loadBalancerUrl?: string; resources: Record<string, Record<string, string>> }
    >;
    const dnsName = outputs.web?.resources['load-balancer.main']?.dnsName ?? '';
    assert.match(dnsName, /\S+\.\S+/);
    assert.equal(outputs.web?.loadBalancerUrl, `http://${dnsName}/`);
  });

  it('refuses a saved plan whose spec was edited since, and changes nothing', async () => {
    const planned = await runCli(['plan', spec, '-out', planFile]);
    assert.equal(planned.code, 0, planned.stderr);
    writeFileSync(spec, SPEC.replace('retentionDays: 7', 'retentionDays: 14'));
    try {
      const refused = await runCli(['apply', planFile]);
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(
        refused.stderr,
        /^reconciler apply: the saved plan \S+ is stale: the spec of stack web changed since the plan was made; nothing was changed\. Plan again: reconciler plan --out \S+\n$/,
      );
      const still = await runCli(['plan', spec, '--detailed-exitcode']);
      assert.equal(still.code, 2, 'the edit was not applied');
    } finally {
      writeFileSync(spec, SPEC);
    }
  });

  it('refuses a saved plan when a resource it saw changed out of band', async () => {
    const planned = await runCli(['plan', spec, '-out', planFile]);
    assert.equal(planned.code, 0, planned.stderr);
    const clients = createClients({ region: 'us-west-2' });
    try {
      await clients.logs.send(
        new PutRetentionPolicyCommand({ logGroupName: '/web/app', retentionInDays: 30 }),
      );
    } finally {
      clients.destroy();
    }
    const refused = await runCli(['apply', planFile]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /is stale: web\/log-group\.\S+ changed in AWS since the plan/);
    assert.doesNotMatch(refused.stdout, /Apply complete/);

    const replanned = await runCli(['plan', spec, '-out', planFile]);
    assert.match(replanned.stdout, /retention/i, 'the new plan shows the drift');
    const applied = await runCli(['apply', planFile]);
    assert.equal(applied.code, 0, `${applied.stdout}\n${applied.stderr}`);
    assert.match(applied.stdout, /Apply complete! Resources: 0 added, 1 changed, 0 destroyed\./);
  });

  it('-out is never read as -o ut, and --stack cannot narrow a saved plan', async () => {
    const planned = await runCli(['plan', spec, `-out=${planFile}`, '-o', 'json']);
    assert.equal(planned.code, 0, planned.stderr);
    assert.doesNotThrow(() => JSON.parse(planned.stdout));
    const narrowed = await runCli(['apply', planFile, '--stack', 'web']);
    assert.equal(narrowed.code, 1);
    assert.match(narrowed.stderr, /a saved plan applies the stacks it was made for: drop --stack/);
    const notPlan = await runCli(['apply', join(dir, 'nothing.plan')]);
    assert.equal(notPlan.code, 1);
    assert.match(notPlan.stderr, /nothing\.plan: no such file or folder/);
  });
});
