/**
 * The real CLI against the local cloud with the reference stack (every kind): apply from empty
 * creates all 48 resources in dependency order, and the next plan has no changes: it converged
 * in one apply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const spec = fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url));

describe('reconciler apply with the reference stack against the local cloud', {
  timeout: 300_000,
}, () => {
  let moto: MotoServer;

  before(async () => {
    moto = await startMoto();
  });

  after(async () => {
    await moto?.stop();
  });

  it('converges from empty in one apply', async () => {
    const first = await runCli(['apply', spec, '--auto-approve']);
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /Apply complete! Resources: 48 added, 0 changed, 0 destroyed\./);
    const order = (address: string) => first.stdout.indexOf(`${address}: created`);
    for (const [dependency, dependent] of [
      ['vpc.main', 'subnet.private-a'],
      ['nat-gateway.a', 'route-table.private-a'],
      ['db-instance.main', 'task-definition.api'],
      ['task-definition.api', 'ecs-service.api'],
      ['listener.http-80', 'ecs-service.api'],
    ] as const) {
      assert.ok(
        order(dependency) !== -1 && order(dependency) < order(dependent),
        `${dependency} before ${dependent}`,
      );
    }

    const plan = await runCli(['plan', spec, '--detailed-exitcode', '--output', 'json']);
    assert.equal(plan.code, 0, `${plan.stdout}\n${plan.stderr}`);
    const parsed = JSON.parse(plan.stdout) as {
      stacks: { changes: { address: string; action: string; fields: { path: string }[] }[] }[];
    };
    const changes = parsed.stacks[0]?.changes ?? [];
    assert.equal(changes.length, 48);
    assert.deepStrictEqual(
      changes.filter((change) => change.action !== 'no-op'),
      [],
      'nothing differs after one apply',
    );
  });
});
