/**
 * The real CLI (`reconciler plan | apply`) against moto, for the network part of a stack:
 * apply from empty converges, the next plan has no changes, invalid specs never reach AWS,
 * and the observe cost (`--stats`) is fixed per kind: ten stacks cost what one costs.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CallStats, createClients } from '../reconciler/aws/clients.ts';
import { managementTags } from '../reconciler/aws/tags.ts';
import { DEFAULT_WAIT_TIMEOUT_MS, durationOption } from '../reconciler/commands/apply.ts';
import { silentLogger } from '../reconciler/engine/reconcile.ts';
import { taskDefinitionHandler } from '../reconciler/resources/task-definition.ts';
import { runCli } from './helpers/cli.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

/** FAMILIES is the task definition family listing: one paginated read for all stacks. */
const FAMILIES = 'ecs ListTaskDefinitionFamilies ok';

function networkSpec(name: string): string {
  return `name: ${name}
region: us-west-2
tags:
  project: cli-plan-test
network:
  cidr: 10.30.0.0/16
  availabilityZones: [us-west-2a, us-west-2b]
  publicSubnets: [10.30.0.0/24, 10.30.1.0/24]
  privateSubnets: [10.30.10.0/24, 10.30.11.0/24]
  natGateways: single
logGroups:
  - name: /${name}/app
    retentionDays: 7
`;
}

/** callTable parses the `--stats` table from stderr into `service operation outcome` -> count. */
function callTable(stderr: string): Record<string, number> {
  const start = stderr.indexOf('AWS calls:');
  assert.notEqual(start, -1, `no --stats table in:\n${stderr}`);
  const table: Record<string, number> = {};
  for (const line of stderr.slice(start).split('\n').slice(2)) {
    const cells = line.trim().split(/\s+/);
    if (cells[0] === 'total' || cells.length !== 4) continue;
    table[cells.slice(0, 3).join(' ')] = Number(cells[3]);
  }
  return table;
}

describe('reconciler plan / apply against moto', { timeout: 300_000 }, () => {
  let moto: MotoServer;
  let dir: string;
  let oneTable: Record<string, number> = {};
  let tenTable: Record<string, number> = {};

  before(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'cli-plan-'));
    mkdirSync(join(dir, 'one'));
    mkdirSync(join(dir, 'ten'));
    mkdirSync(join(dir, 'invalid'));
    writeFileSync(join(dir, 'one', 'net.yaml'), networkSpec('net'));
    writeFileSync(join(dir, 'ten', 'net.yaml'), networkSpec('net'));
    for (let index = 1; index < 10; index += 1) {
      writeFileSync(join(dir, 'ten', `net-${index}.yaml`), networkSpec(`net-${index}`));
    }
    writeFileSync(
      join(dir, 'invalid', 'bad.yaml'),
      networkSpec('bad').replace('cidr: 10.30.0.0/16', 'cidr: 10.30.0.0/99'),
    );
  });

  after(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses invalid specs and unconfirmed applies without changing AWS', async () => {
    const unreachable = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
    const [invalid, unconfirmed] = await Promise.all([
      runCli(['plan', join(dir, 'invalid')], unreachable),
      runCli(['apply', join(dir, 'one')]),
    ]);
    assert.equal(invalid.code, 1, invalid.stderr);
    assert.match(invalid.stderr, /bad\.yaml:\d+:\d+: .*cidr/);
    assert.match(invalid.stderr, /nothing was sent to AWS/);
    assert.equal(unconfirmed.code, 1, unconfirmed.stderr);
    assert.match(
      unconfirmed.stderr,
      /apply needs confirmation: run it in a terminal, or pass --auto-approve/,
    );
    assert.match(unconfirmed.stdout, /Plan: \d+ to add, 0 to change, 0 to destroy\./);
  });

  it('applies from empty, then plans no changes with a fixed number of reads per kind', async () => {
    const applied = await runCli(['apply', join(dir, 'one'), '--auto-approve']);
    assert.equal(applied.code, 0, `${applied.stdout}\n${applied.stderr}`);
    assert.match(applied.stdout, /vpc\.main: created \[id=vpc-[0-9a-f]+\] \(\d+\.\d+s\)/);
    assert.match(applied.stdout, /Apply complete! Resources: 12 added, 0 changed, 0 destroyed\./);

    const [one, ten] = await Promise.all([
      runCli(['plan', join(dir, 'one'), '--detailed-exitcode', '--stats', '--output', 'json']),
      runCli(['plan', join(dir, 'ten'), '--detailed-exitcode', '--stats']),
    ]);
    assert.equal(one.code, 0, `${one.stdout}\n${one.stderr}`);
    const plan = JSON.parse(one.stdout) as { hasChanges: boolean; summary: { noOp: number } };
    assert.deepStrictEqual([plan.hasChanges, plan.summary.noOp], [false, 12]);
    assert.equal(ten.code, 2, ten.stderr);
    assert.match(ten.stdout, /Plan: 108 to add, 0 to change, 0 to destroy\./);
    oneTable = callTable(one.stderr);
    tenTable = callTable(ten.stderr);
    assert.ok(Object.keys(oneTable).length >= 15, JSON.stringify(oneTable));
    for (const [call, count] of Object.entries(oneTable)) {
      assert.match(call, /^\S+ (Describe|List|Get)\S* ok$/, `${call} is a successful read`);
      assert.ok(count <= 2, `${call}: ${count} calls`);
    }
    assert.deepStrictEqual(tenTable, oneTable, 'ten stacks cost what one costs');
  });

  it('ten stacks cost what one costs for task definitions too', () => {
    // one page of families for all stacks; no family exists, so no DescribeTaskDefinition
    assert.deepStrictEqual(
      [tenTable[FAMILIES], oneTable[FAMILIES]],
      [1, 1],
      JSON.stringify({ oneTable, tenTable }),
    );
    assert.equal(tenTable['ecs DescribeTaskDefinition ok'], undefined);
  });

  it('task definitions: one family listing for all stacks, the owner from the tags', async () => {
    const stats = new CallStats();
    const clients = createClients({ region: 'us-west-2', stats });
    try {
      for (const [stack, family] of [
        ['a', 'a-api'],
        ['a-b', 'a-b-api'],
        ['ab', 'ab-api'],
      ] as const) {
        await clients.ecs.send(
          new RegisterTaskDefinitionCommand({
            family,
            containerDefinitions: [{ name: 'api', image: 'api:1', memory: 128 }],
            tags: Object.entries(managementTags(stack, 'task-definition.api')).map(
              ([key, value]) => ({ key, value }),
            ),
          }),
        );
      }
      const cases: { reason: string; stacks: string[]; expected: string[][]; describes: number }[] =
        [
          {
            reason: "stack a: a-b-api matches a's prefix but is a-b's",
            stacks: ['a'],
            expected: [['a', 'a-api']],
            describes: 2,
          },
          {
            reason: 'stacks a and a-b: each its own family',
            stacks: ['a', 'a-b'],
            expected: [
              ['a', 'a-api'],
              ['a-b', 'a-b-api'],
            ],
            describes: 2,
          },
          {
            reason: 'stack a-b alone',
            stacks: ['a-b'],
            expected: [['a-b', 'a-b-api']],
            describes: 1,
          },
        ];
      for (const testCase of cases) {
        stats.reset();
        const observed = await taskDefinitionHandler.observeAll({
          clients,
          region: 'us-west-2',
          stacks: testCase.stacks,
          log: silentLogger,
        });
        assert.deepStrictEqual(
          observed.map((resource) => [resource.stack, resource.properties.family]).sort(),
          testCase.expected,
          testCase.reason,
        );
        assert.deepStrictEqual(
          stats.entries().map((entry) => [entry.operation, entry.count]),
          [
            ['DescribeTaskDefinition', testCase.describes],
            ['ListTaskDefinitionFamilies', 1],
          ],
          testCase.reason,
        );
      }
    } finally {
      clients.destroy();
    }
  });
});

describe('apply --wait-timeout and --wait-interval durations', () => {
  it('reads seconds, or a number with s, m or h; rejects anything else', () => {
    const cases: { reason: string; value: string | undefined; expected: number | string }[] = [
      { reason: 'absent: the default', value: undefined, expected: DEFAULT_WAIT_TIMEOUT_MS },
      { reason: 'a bare number is seconds', value: '900', expected: 900_000 },
      { reason: 'seconds', value: '90s', expected: 90_000 },
      { reason: 'minutes', value: '15m', expected: 900_000 },
      { reason: 'hours', value: '1h', expected: 3_600_000 },
      { reason: 'fractions', value: '1.5m', expected: 90_000 },
      { reason: 'zero', value: '0', expected: 'error' },
      { reason: 'an unknown unit', value: '15d', expected: 'error' },
      { reason: 'negative', value: '-5', expected: 'error' },
      { reason: 'not a number', value: 'soon', expected: 'error' },
    ];
    for (const { reason, value, expected } of cases) {
      let actual: number | string;
      try {
        actual = durationOption('wait-timeout', value, DEFAULT_WAIT_TIMEOUT_MS);
      } catch (err) {
        assert.match(
          (err as Error).message,
          /^--wait-timeout must be a positive duration such as 900, 90s, 15m or 1h, got '/,
        );
        actual = 'error';
      }
      assert.deepStrictEqual(actual, expected, reason);
    }
    assert.equal(DEFAULT_WAIT_TIMEOUT_MS, 15 * 60_000);
  });
});
