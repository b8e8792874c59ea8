/**
 * The reference stack's whole life with the real CLI against the local cloud, counted with the
 * SDK directly: one apply converges with exactly one resource per address; an apply killed half
 * way and run again converges with no duplicates and no leaked untagged resources; one destroy
 * removes everything the stack owns (but the final DB snapshot) and nothing else.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import {
  countByAddress,
  countByKind,
  dbSnapshots,
  type Tagged,
  taggedResources,
  totals,
} from './helpers/count-by-tag.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const cli = fileURLToPath(new URL('../reconciler/cli.ts', import.meta.url));
const spec = fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url));
const STACK = 'scalable-logging';
/** KILL_AFTER is how many `created` lines the killed apply prints before SIGKILL (of 48). */
const KILL_AFTER = 10;

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** runCli runs the CLI; with `killAfterCreated`, SIGKILLs it once that many resources are created. */
function runCli(args: string[], killAfterCreated?: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (
        killAfterCreated !== undefined &&
        child.exitCode === null &&
        createdLines(stdout).length >= killAfterCreated
      ) {
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** createdLines returns the addresses of the `<address>: created [id=...]` progress lines. */
function createdLines(stdout: string): string[] {
  return [...stdout.matchAll(/^(\S+): created\b/gm)].map((match) => match[1]!);
}

/** failedLines returns `[address, message]` of the `<address>: <step> failed (...): <message>` lines. */
function failedLines(stdout: string): [string, string][] {
  return [...stdout.matchAll(/^(\S+): \w+ failed[^:]*: (.*)$/gm)].map((match) => [
    match[1]!,
    match[2]!,
  ]);
}

function output(result: CliResult): string {
  return `exit ${result.code}\n${result.stdout}\n${result.stderr}`;
}

/** applyOnce applies and expects success. */
async function applyOnce(): Promise<void> {
  const applied = await runCli(['apply', spec, '--auto-approve']);
  assert.equal(applied.code, 0, output(applied));
}

/** convergedAddresses runs `plan --detailed-exitcode --output json`; asserts exit 0, returns the addresses. */
async function convergedAddresses(): Promise<string[]> {
  const plan = await runCli(['plan', spec, '--detailed-exitcode', '--output', 'json']);
  assert.equal(plan.code, 0, output(plan));
  const parsed = JSON.parse(plan.stdout) as {
    stacks: { changes: { address: string; action: string }[] }[];
  };
  const changes = parsed.stacks.flatMap((stack) => stack.changes);
  assert.deepEqual(
    changes.filter((change) => change.action !== 'no-op'),
    [],
  );
  return changes.map((change) => change.address).sort();
}

/** assertOnePerAddress: every planned address exists exactly once in AWS, and nothing else is tagged. */
function assertOnePerAddress(found: readonly Tagged[], planned: readonly string[]): void {
  assert.deepEqual(
    countByAddress(found),
    Object.fromEntries(planned.map((address) => [address, 1])),
  );
}

let moto: MotoServer;
let clients: AwsClients;

before(async () => {
  moto = await startMoto();
  clients = createClients({ region: 'us-west-2' });
});
after(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe('the reference stack from apply to destroy', { timeout: 240_000 }, () => {
  test('one apply converges with exactly one resource per address', async () => {
    await applyOnce();
    const planned = await convergedAddresses();
    assert.equal(planned.length, 48);
    const found = await taggedResources(clients, STACK);
    assertOnePerAddress(found, planned);
    assert.deepEqual(await totals(clients), {
      vpcs: 1,
      loadBalancers: 1,
      targetGroups: 1,
      clusters: 1,
      // the instance and its read replica
      dbInstances: 2,
    });
  });

  test('an apply killed half way converges on the next run: no duplicates, no leaks', async () => {
    await moto.reset();
    const killed = await runCli(['apply', spec, '--auto-approve'], KILL_AFTER);
    assert.equal(killed.signal, 'SIGKILL', output(killed));
    const createdBeforeKill = createdLines(killed.stdout);
    assert.ok(createdBeforeKill.length >= KILL_AFTER && createdBeforeKill.length < 48);
    const partial = await taggedResources(clients, STACK);
    assert.ok(partial.length >= KILL_AFTER && partial.length < 48, 'the stack is half created');

    await applyOnce();
    const planned = await convergedAddresses();
    const found = await taggedResources(clients, STACK);
    assertOnePerAddress(found, planned);
    // an untagged duplicate created by the killed run would show in these totals
    assert.deepEqual(await totals(clients), {
      vpcs: 1,
      loadBalancers: 1,
      targetGroups: 1,
      clusters: 1,
      // the instance and its read replica
      dbInstances: 2,
    });
    // the resources the killed run created were kept, not created again
    const byAddress = new Map(found.map((resource) => [resource.address, resource.id]));
    for (const resource of partial) {
      assert.equal(byAddress.get(resource.address), resource.id, `${resource.address} kept`);
    }
  });

  test('destroy removes everything the stack owns, keeps the final snapshot and foreign resources', async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: '/outside/keep' }));
    const defaultVpc = (
      await clients.ec2.send(
        new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
      )
    ).Vpcs?.[0]?.VpcId;
    assert.ok(defaultVpc, 'moto has a default vpc');
    const outsideGroup = (
      await clients.ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: defaultVpc,
          GroupName: 'outside-keep',
          Description: 'not part of any stack',
        }),
      )
    ).GroupId!;

    const beforeDestroy = await taggedResources(clients, STACK);
    assert.deepEqual(countByKind(beforeDestroy), {
      'auto-scaling-group': 1,
      'capacity-provider': 1,
      dashboard: 1,
      'db-instance': 1,
      'db-replica': 1,
      'db-subnet-group': 1,
      'ecr-repository': 2,
      'ecs-cluster': 1,
      'ecs-service': 1,
      'elastic-ip': 1,
      'iam-role': 3,
      'instance-profile': 1,
      'internet-gateway': 1,
      'launch-template': 1,
      listener: 1,
      'load-balancer': 1,
      'log-group': 3,
      'metric-alarm': 7,
      'nat-gateway': 1,
      'route-table': 3,
      'scalable-target': 1,
      'scaling-policy': 2,
      'security-group': 3,
      'sns-subscription': 1,
      'sns-topic': 1,
      subnet: 4,
      'target-group': 1,
      'task-definition': 1,
      vpc: 1,
    });

    const destroyed = await runCli(['destroy', spec, '--auto-approve']);
    assert.equal(destroyed.code, 0, output(destroyed));
    assert.deepEqual(failedLines(destroyed.stdout), []);
    assert.deepEqual(await taggedResources(clients, STACK), []);
    const roles = await clients.iam.send(new ListRolesCommand({ PathPrefix: '/reconciler/' }));
    assert.deepEqual(roles.Roles ?? [], []);
    assert.deepEqual(await totals(clients), {
      vpcs: 0,
      loadBalancers: 0,
      targetGroups: 0,
      clusters: 0,
      dbInstances: 0,
    });
    // deletionPolicy snapshot (the default): the final snapshot remains
    const snapshots = await dbSnapshots(clients);
    assert.equal(snapshots.length, 1, snapshots.join(', '));
    assert.match(snapshots[0]!, /^scalable-logging-db-final-\d{14}$/);

    const logGroups = await clients.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/outside/keep' }),
    );
    assert.deepEqual(
      logGroups.logGroups?.map((group) => group.logGroupName),
      ['/outside/keep'],
    );
    const groups = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [outsideGroup] }),
    );
    assert.equal(groups.SecurityGroups?.[0]?.GroupName, 'outside-keep');
  });
});
