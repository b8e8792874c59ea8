/**
 * Shared by the daemon end-to-end suites: spawn `reconciler run` as a child process against
 * moto, read its /status and /metrics, poll until a condition holds, and count what a stack
 * owns in AWS by its reconciler tags.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClients } from '../reconciler/aws/clients.ts';
import { freePort, type MotoServer, startMoto } from './helpers/moto.ts';

/** DaemonWorld is what one daemon suite shares: a warmed-up moto, SDK clients on it, a temp folder. */
export interface DaemonWorld {
  moto: MotoServer;
  dir: string;
  ec2: EC2Client;
  logs: CloudWatchLogsClient;
}

/** useDaemonWorld registers the suite's before/after hooks and returns the world they fill in. */
export function useDaemonWorld(name: string): DaemonWorld {
  const world = {} as DaemonWorld;
  before(async () => {
    world.moto = await startMoto();
    await warmUp(world.moto.endpoint);
    world.dir = await mkdtemp(join(tmpdir(), `reconciler-daemon-${name}-`));
    world.ec2 = new EC2Client({ region: 'us-west-2', endpoint: world.moto.endpoint });
    world.logs = new CloudWatchLogsClient({ region: 'us-west-2', endpoint: world.moto.endpoint });
  });
  after(async () => {
    world.ec2?.destroy();
    world.logs?.destroy();
    await world.moto?.stop();
    if (world.dir) await rm(world.dir, { recursive: true, force: true });
  });
  return world;
}

/**
 * warmUp sends one cheap call to each service the daemon uses. moto loads a service's backend
 * on its first request, which takes seconds on a busy machine and holds up every other request
 * meanwhile (lease renewals included); real AWS has no such pause.
 */
export async function warmUp(endpoint: string): Promise<void> {
  const clients = createClients({ region: 'us-west-2', endpoint });
  try {
    await Promise.all([
      clients.ec2.send(new DescribeVpcsCommand({})),
      clients.logs.send(new DescribeLogGroupsCommand({})),
      clients.tagging.send(new GetResourcesCommand({})),
      clients.dynamodb.send(new ListTablesCommand({})),
      clients.sts.send(new GetCallerIdentityCommand({})),
    ]);
  } finally {
    clients.destroy();
  }
}

const ROOT = new URL('..', import.meta.url).pathname;

/** spec is a small stack: a VPC with two subnets, an internet gateway, route tables, log groups. */
export function spec(
  name: string,
  options: { retention?: number; cidr?: string; extraLogGroup?: boolean } = {},
) {
  const lines = [
    `name: ${name}`,
    'region: us-west-2',
    'network:',
    `  cidr: ${options.cidr ?? '10.40.0.0/16'}`,
    '  availabilityZones: [us-west-2a]',
    '  publicSubnets: [10.40.0.0/24]',
    '  privateSubnets: [10.40.10.0/24]',
    '  natGateways: none',
    'logGroups:',
    `  - name: /${name}/app`,
    `    retentionDays: ${options.retention ?? 7}`,
  ];
  if (options.extraLogGroup) lines.push(`  - name: /${name}/audit`, '    retentionDays: 30');
  return `${lines.join('\n')}\n`;
}

/** Condition is a stack condition as /status serves it. */
export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
/** StackStatus is the part of a /status stack the suites read. */
export interface StackStatus {
  name: string;
  revision: string;
  conditions: Condition[];
  lastAppliedRevision?: string;
  lastPlanSummary?: { add: number; change: number; destroy: number; replace: number; noOp: number };
  specErrors: string[];
}
/** StatusBody is the part of /status the suites read. */
export interface StatusBody {
  replica: { id: string; leader: boolean; lease: { token?: number } | null };
  stacks: StackStatus[];
}

/** DaemonProcess is one `reconciler run` child process and its captured stdout lines. */
export interface DaemonProcess {
  child: ChildProcess;
  lines: string[];
  url: string;
  exit: Promise<number | null>;
  status(): Promise<StatusBody | undefined>;
  metrics(): Promise<string>;
}

/** spawnDaemon starts `reconciler run ARGS --listen 127.0.0.1:<free port>` against endpoint. */
export async function spawnDaemon(endpoint: string, args: string[]): Promise<DaemonProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'reconciler/cli.ts', 'run', ...args, '--listen', `127.0.0.1:${port}`],
    {
      cwd: ROOT,
      env: { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-west-2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.on('data', () => {});
  if (process.env.DAEMON_E2E_LOG) {
    child.stdout?.on('data', (chunk: Buffer) =>
      process.stderr.write(`[${args.find((a) => a.startsWith('replica-')) ?? 'daemon'}] ${chunk}`),
    );
  }
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    lines,
    url,
    exit,
    async status() {
      try {
        const response = await fetch(`${url}/status`);
        return response.ok ? ((await response.json()) as StatusBody) : undefined;
      } catch {
        return undefined;
      }
    },
    async metrics() {
      return (await fetch(`${url}/metrics`)).text();
    },
  };
}

/** eventually polls check until it returns a value, at most timeoutMs. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/** stackOf picks one stack from a /status body. */
export function stackOf(body: StatusBody | undefined, name: string): StackStatus | undefined {
  return body?.stacks.find((stack) => stack.name === name);
}

/** condition renders a stack's condition as `Status/Reason`. */
export function condition(stack: StackStatus | undefined, type: string): string | undefined {
  const found = stack?.conditions.find((c) => c.type === type);
  return found && `${found.status}/${found.reason}`;
}

/** stopDaemon signals the daemon and resolves with its exit code. */
export async function stopDaemon(daemon: DaemonProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (daemon.child.exitCode !== null) return daemon.child.exitCode;
  daemon.child.kill(signal);
  return daemon.exit;
}

/** retention reads a log group's retention in days. */
export async function retention(
  logs: CloudWatchLogsClient,
  group: string,
): Promise<number | undefined> {
  const found = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
  return found.logGroups?.find((g) => g.logGroupName === group)?.retentionInDays;
}

/** metricValue reads one Prometheus series (`name{labels}`) from /metrics text, 0 when absent. */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** ownedEc2 counts the stack's EC2 resources per reconciler:address tag. */
export async function ownedEc2(ec2: EC2Client, stack: string): Promise<Record<string, number>> {
  const filter = [{ Name: 'tag:reconciler:stack', Values: [stack] }];
  const [vpcs, subnets, gateways, tables] = await Promise.all([
    ec2.send(new DescribeVpcsCommand({ Filters: filter })).then((r) => r.Vpcs ?? []),
    ec2.send(new DescribeSubnetsCommand({ Filters: filter })).then((r) => r.Subnets ?? []),
    ec2
      .send(new DescribeInternetGatewaysCommand({ Filters: filter }))
      .then((r) => r.InternetGateways ?? []),
    ec2.send(new DescribeRouteTablesCommand({ Filters: filter })).then((r) => r.RouteTables ?? []),
  ]);
  const counts: Record<string, number> = {};
  for (const resource of [...vpcs, ...subnets, ...gateways, ...tables]) {
    const address = resource.Tags?.find((t) => t.Key === 'reconciler:address')?.Value ?? '?';
    counts[address] = (counts[address] ?? 0) + 1;
  }
  return counts;
}

/** EXPECTED_EC2 is what spec() owns in EC2: exactly one resource per address. */
export const EXPECTED_EC2 = {
  'internet-gateway.main': 1,
  'route-table.private-a': 1,
  'route-table.public': 1,
  'subnet.private-a': 1,
  'subnet.public-a': 1,
  'vpc.main': 1,
};

/** git runs git with a fixed identity (tests only). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'e2e',
      GIT_AUTHOR_EMAIL: 'e2e@example.com',
      GIT_COMMITTER_NAME: 'e2e',
      GIT_COMMITTER_EMAIL: 'e2e@example.com',
    },
  }).trim();
}
