/**
 * readStack reads, through the SDK, what the load test watches in a stack: its ECS services'
 * desired, running and pending task counts, and the states of its CloudWatch alarms. It finds
 * them the way the reconciler's kinds do: the services are those of the cluster tagged as the
 * stack's ecs-cluster, the alarms those tagged `reconciler:stack` (the metric-alarm kind's tags,
 * read through the Resource Groups Tagging API), plus the target-tracking alarms Application
 * Auto Scaling makes for the stack's services (named `TargetTracking-service/<cluster>/<service>-...`).
 */
import { type MetricAlarm, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from '../../reconciler/aws/clients.ts';
import { silentLogger } from '../../reconciler/engine/reconcile.ts';
import { chunk } from '../../reconciler/lib/chunk.ts';
import { clusterServices, ownedClusters } from '../../reconciler/resources/kit/ecs-clusters.ts';
import { collect } from '../../reconciler/resources/kit/paginate.ts';
import { readTaggedArns } from '../../reconciler/resources/kit/tagging/resource-groups.ts';
import type { ResourceContext } from '../../reconciler/resources/types.ts';

/** ServiceCounts is one ECS service's task counts. */
export interface ServiceCounts {
  name: string;
  desired: number;
  running: number;
  pending: number;
}

/** AlarmState is one alarm's state (OK, ALARM, INSUFFICIENT_DATA) and why. */
export interface AlarmState {
  name: string;
  state: string;
  reason: string;
}

/** StackState is one reading of a stack. */
export interface StackState {
  services: ServiceCounts[];
  alarms: AlarmState[];
}

/** StackReader reads a stack's state; the sampler calls it every few seconds. */
export type StackReader = () => Promise<StackState>;

/** alarmNameOfArn is the name in an alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>). */
function alarmNameOfArn(arn: string): string {
  return arn.split(':alarm:')[1] ?? arn;
}

const toState = (alarm: MetricAlarm): AlarmState => ({
  name: alarm.AlarmName ?? '',
  state: alarm.StateValue ?? 'UNKNOWN',
  reason: alarm.StateReason ?? '',
});

/** stackReader reads `stack` with `clients` (its region); each call is one fresh reading. */
export function stackReader(clients: AwsClients, stack: string): StackReader {
  const ctx: ResourceContext = {
    clients,
    region: clients.region,
    stacks: [stack],
    log: silentLogger,
  };
  return async () => {
    const clusters = await ownedClusters(ctx);
    const services = (
      await Promise.all(clusters.map(({ arn }) => clusterServices(ctx, arn)))
    ).flat();
    const tagged = [...(await readTaggedArns(ctx, 'cloudwatch:alarm')).keys()].map(alarmNameOfArn);
    const byName = await Promise.all(
      chunk(tagged, 100).map((AlarmNames) =>
        collect(paginateDescribeAlarms({ client: clients.cloudwatch }, { AlarmNames }), (page) => [
          ...(page.MetricAlarms ?? []),
          ...(page.CompositeAlarms ?? []),
        ]),
      ),
    );
    const scaling = await Promise.all(
      clusters.map(({ arn }) =>
        collect(
          paginateDescribeAlarms(
            { client: clients.cloudwatch },
            { AlarmNamePrefix: `TargetTracking-service/${arn.split('/').pop()}/` },
          ),
          (page) => page.MetricAlarms,
        ),
      ),
    );
    const alarms = new Map<string, AlarmState>();
    for (const alarm of [...byName.flat(), ...scaling.flat()])
      alarms.set(alarm.AlarmName ?? '', toState(alarm));
    return {
      services: services
        .map((service) => ({
          name: service.serviceName ?? '',
          desired: service.desiredCount ?? 0,
          running: service.runningCount ?? 0,
          pending: service.pendingCount ?? 0,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      alarms: [...alarms.values()].sort((a, b) => a.name.localeCompare(b.name)),
    };
  };
}
