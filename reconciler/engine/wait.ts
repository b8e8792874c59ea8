import { DescribeServicesCommand, ListServicesCommand, type Service } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { isThrottling } from '../aws/errors.ts';
import { ownedBy, TAG_ADDRESS, tagListToMap } from '../aws/tags.ts';
import { addresses, kindOf } from '../graph/addresses.ts';
import { chunk, observeOwnedClusters, paginate } from '../resources/ecs-common.ts';
import type { ResourceContext } from '../resources/types.ts';

/** DeploymentSnapshot is one ECS deployment of a service as DescribeServices reports it. */
export interface DeploymentSnapshot {
  id: string;
  status: string;
  rolloutState?: string;
  rolloutStateReason?: string;
  taskDefinition?: string;
}

/** ServiceSnapshot is what the waiter knows about one ECS service at one poll. */
export interface ServiceSnapshot {
  stack: string;
  address: string;
  desiredCount: number;
  runningCount: number;
  deployments: DeploymentSnapshot[];
  /** Target health states (`healthy`, `initial`, `unhealthy`, `draining`, ...) per target group ARN. */
  targetHealth: Record<string, string[]>;
}

/** DatabaseSnapshot is the DBInstanceStatus of one owned DB instance. */
export interface DatabaseSnapshot {
  stack: string;
  address: string;
  identifier: string;
  status: string;
}

/** StabilitySnapshot is one poll of everything `apply --wait` waits for. */
export interface StabilitySnapshot {
  services: ServiceSnapshot[];
  databases: DatabaseSnapshot[];
}

/** Assessment: `problems` end the wait as failed; `waiting` lists what is not stable yet. */
export interface Assessment {
  waiting: string[];
  problems: string[];
}

const SETTLED_DATABASE = 'available';
const FAILED_DATABASE =
  /^(failed|incompatible-|inaccessible-encryption-credentials|restore-error|storage-full)/;
const ROLLBACK = /roll(ing|ed)? ?back/i;
const TARGET_NOT_READY = new Set(['initial', 'unhealthy', 'unavailable']);

function assessService(service: ServiceSnapshot, assessment: Assessment): void {
  const label = `${service.stack}/${service.address}`;
  for (const deployment of service.deployments) {
    if (deployment.rolloutState === 'FAILED') {
      assessment.problems.push(
        `${label}: deployment ${deployment.id} failed${deployment.rolloutStateReason ? `: ${deployment.rolloutStateReason}` : ''}`,
      );
    }
  }
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (primary?.rolloutStateReason && ROLLBACK.test(primary.rolloutStateReason)) {
    assessment.problems.push(
      `${label}: the circuit breaker rolled back: ${primary.rolloutStateReason}`,
    );
  }
  if (assessment.problems.some((problem) => problem.startsWith(`${label}:`))) return;
  if (primary && primary.rolloutState !== 'COMPLETED') {
    assessment.waiting.push(`${label}: deployment ${primary.rolloutState ?? 'in progress'}`);
  } else if (service.deployments.length > 1) {
    assessment.waiting.push(`${label}: ${service.deployments.length - 1} old deployments draining`);
  }
  if (service.runningCount < service.desiredCount) {
    assessment.waiting.push(
      `${label}: ${service.runningCount}/${service.desiredCount} tasks running`,
    );
  }
  for (const [targetGroupArn, states] of Object.entries(service.targetHealth)) {
    const healthy = states.filter((state) => state === 'healthy').length;
    const notReady = states.filter((state) => TARGET_NOT_READY.has(state)).length;
    if (healthy < service.desiredCount || notReady > 0) {
      const name = targetGroupArn.split('/')[1] ?? targetGroupArn;
      assessment.waiting.push(
        `${label}: ${healthy}/${service.desiredCount} targets healthy in ${name}`,
      );
    }
  }
}

/**
 * assessStability is the pure verdict on one poll. A service is stable when its PRIMARY deployment
 * is COMPLETED and alone, every desired task runs and each of its target groups has at least
 * desiredCount healthy targets and none initial or unhealthy. A FAILED deployment, or a primary
 * deployment rolling back (circuit breaker), is a problem. A database is stable when `available`.
 */
export function assessStability(snapshot: StabilitySnapshot): Assessment {
  const assessment: Assessment = { waiting: [], problems: [] };
  for (const service of snapshot.services) assessService(service, assessment);
  for (const database of snapshot.databases) {
    const label = `${database.stack}/${database.address}`;
    if (database.status === SETTLED_DATABASE || database.status === 'deleting') continue;
    if (FAILED_DATABASE.test(database.status)) {
      assessment.problems.push(`${label}: ${database.identifier} is ${database.status}`);
    } else {
      assessment.waiting.push(`${label}: ${database.identifier} is ${database.status}`);
    }
  }
  return assessment;
}

function serviceSnapshot(stack: string, service: Service): ServiceSnapshot {
  const tagged = tagListToMap(service.tags)[TAG_ADDRESS];
  return {
    stack,
    address:
      tagged !== undefined && kindOf(tagged) === 'ecs-service'
        ? tagged
        : addresses.ecsService(service.serviceName ?? ''),
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    deployments: (service.deployments ?? []).map((deployment) => ({
      id: deployment.id ?? '',
      status: deployment.status ?? '',
      ...(deployment.rolloutState ? { rolloutState: deployment.rolloutState } : {}),
      ...(deployment.rolloutStateReason
        ? { rolloutStateReason: deployment.rolloutStateReason }
        : {}),
      ...(deployment.taskDefinition ? { taskDefinition: deployment.taskDefinition } : {}),
    })),
    targetHealth: {},
  };
}

async function observeServices(ctx: ResourceContext): Promise<ServiceSnapshot[]> {
  const snapshots: ServiceSnapshot[] = [];
  for (const owned of await observeOwnedClusters(ctx)) {
    const cluster = owned.cluster.clusterArn ?? '';
    const serviceArns = await paginate(async (nextToken) => {
      const page = await ctx.clients.ecs.send(new ListServicesCommand({ cluster, nextToken }));
      return { items: page.serviceArns, nextToken: page.nextToken };
    });
    for (const batch of chunk(serviceArns, 10)) {
      const described = await ctx.clients.ecs.send(
        new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] }),
      );
      for (const service of described.services ?? []) {
        if (service.status !== 'ACTIVE') continue;
        const snapshot = serviceSnapshot(owned.stack, service);
        for (const loadBalancer of service.loadBalancers ?? []) {
          if (!loadBalancer.targetGroupArn) continue;
          const health = await ctx.clients.elbv2.send(
            new DescribeTargetHealthCommand({ TargetGroupArn: loadBalancer.targetGroupArn }),
          );
          snapshot.targetHealth[loadBalancer.targetGroupArn] = (
            health.TargetHealthDescriptions ?? []
          ).map((description) => description.TargetHealth?.State ?? 'unknown');
        }
        snapshots.push(snapshot);
      }
    }
  }
  return snapshots;
}

async function observeDatabases(ctx: ResourceContext): Promise<DatabaseSnapshot[]> {
  const instances = await paginate(async (marker) => {
    const page = await ctx.clients.rds.send(new DescribeDBInstancesCommand({ Marker: marker }));
    return { items: page.DBInstances, nextToken: page.Marker };
  });
  const snapshots: DatabaseSnapshot[] = [];
  for (const instance of instances) {
    const owner = ownedBy(tagListToMap(instance.TagList), ctx.stacks);
    if (!owner || kindOf(owner.address) !== 'db-instance') continue;
    snapshots.push({
      ...owner,
      identifier: instance.DBInstanceIdentifier ?? '',
      status: instance.DBInstanceStatus ?? 'unknown',
    });
  }
  return snapshots;
}

/** observeStability polls the ECS services (with target health) and DB instances of `stacks`. */
export async function observeStability(
  ctx: ResourceContext,
  stacks: readonly string[],
): Promise<StabilitySnapshot> {
  const scoped: ResourceContext = { ...ctx, stacks: [...stacks] };
  const [services, databases] = await Promise.all([
    observeServices(scoped),
    observeDatabases(scoped),
  ]);
  return { services, databases };
}

/** WaitOptions configures waitForStable; `now` and `sleep` are injectable for tests. */
export interface WaitOptions {
  timeoutMs: number;
  /** Pause between polls (default 10 s). */
  intervalMs?: number;
  /** Receives one human line per poll. */
  onProgress?: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** WaitResult: ok when everything settled; otherwise the problems (a rollback, a failed database, the timeout). */
export interface WaitResult {
  ok: boolean;
  problems: string[];
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/**
 * waitForStable is `apply --wait`: it polls the stacks' ECS deployments (rolloutState COMPLETED or
 * FAILED), their target health (DescribeTargetHealth) and DB instance status until all settle,
 * a deployment fails or rolls back (ok=false at once), or timeoutMs passes (ok=false). Handlers
 * never wait; this is the only waiter.
 */
export async function waitForStable(
  ctx: ResourceContext,
  stacks: readonly string[],
  options: WaitOptions,
): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const intervalMs = options.intervalMs ?? 10_000;
  const report = options.onProgress ?? (() => {});
  const started = now();
  let waiting: string[] = [];
  for (;;) {
    try {
      const assessment = assessStability(await observeStability(ctx, stacks));
      if (assessment.problems.length > 0) {
        for (const problem of assessment.problems) report(`failed: ${problem}`);
        return { ok: false, problems: assessment.problems };
      }
      waiting = assessment.waiting;
      if (waiting.length === 0) {
        report(`stable after ${seconds(now() - started)}`);
        return { ok: true, problems: [] };
      }
    } catch (err) {
      if (!isThrottling(err)) throw err;
      waiting = waiting.length > 0 ? waiting : ['AWS is throttling the status reads'];
    }
    const elapsed = now() - started;
    if (elapsed >= options.timeoutMs) {
      const problem = `timed out after ${seconds(elapsed)} waiting for: ${waiting.join('; ')}`;
      report(problem);
      return { ok: false, problems: [problem] };
    }
    report(`waiting (${seconds(elapsed)}): ${waiting.join('; ')}`);
    await sleep(Math.min(intervalMs, Math.max(0, options.timeoutMs - elapsed)));
  }
}
