/**
 * ECS service auto scaling on the local cloud with the real CLI: the reference stack applies with
 * its scalable target and policies holding the spec's numbers and replans empty; a task count
 * changed out of band is the scaler's, not drift, and apply leaves it; a changed policy and a new
 * scheduled action converge; without autoScaling the target and its policies are deleted and the
 * count returns to the spec's desiredCount.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { runCli } from './helpers/cli.ts';
import { countByKind, taggedResources } from './helpers/count-by-tag.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const STACK = 'scalable-logging';
const CLUSTER = STACK;
const RESOURCE_ID = `service/${CLUSTER}/api`;
const TARGET = {
  ServiceNamespace: 'ecs',
  ScalableDimension: 'ecs:service:DesiredCount',
  ResourceId: RESOURCE_ID,
} as const;

const reference = readFileSync(
  fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url)),
  'utf8',
);
/** The reference service's autoScaling block, as the spec writes it. */
const AUTO_SCALING = /^ {4}autoScaling:\n(?: {6}.*\n)+/m;

describe('ECS service auto scaling on the local cloud', { timeout: 300_000 }, () => {
  let moto: MotoServer;
  let clients: AwsClients;
  let dir: string;
  let spec: string;

  const cli = async (args: string[], code: number) => {
    const result = await runCli(args);
    assert.equal(
      result.code,
      code,
      `reconciler ${args.join(' ')}:\n${result.stdout}${result.stderr}`,
    );
    return result.stdout;
  };
  const writeSpec = (text: string) => writeFileSync(spec, text);
  const desiredCount = async () => {
    const { services } = await clients.ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['api'] }),
    );
    return services?.[0]?.desiredCount;
  };
  const scalableTargets = async () =>
    (
      await clients.applicationAutoScaling.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: 'ecs',
          ResourceIds: [RESOURCE_ID],
        }),
      )
    ).ScalableTargets ?? [];
  const policies = async () =>
    (
      (await clients.applicationAutoScaling.send(new DescribeScalingPoliciesCommand(TARGET)))
        .ScalingPolicies ?? []
    ).sort((a, b) => (a.PolicyName ?? '').localeCompare(b.PolicyName ?? ''));

  before(async () => {
    moto = await startMoto();
    clients = createClients({ region: 'us-west-2', endpoint: moto.endpoint });
    dir = mkdtempSync(join(tmpdir(), 'auto-scaling-'));
    spec = join(dir, 'scalable-logging.yaml');
    writeSpec(reference);
  });
  after(async () => {
    clients?.destroy();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the reference stack applies with its scalable target and policies, and replans empty', async () => {
    assert.match(reference, AUTO_SCALING, 'the reference stack scales automatically');
    await cli(['apply', spec, '--auto-approve'], 0);

    const [target, ...others] = await scalableTargets();
    assert.equal(others.length, 0);
    assert.equal(target?.MinCapacity, 2);
    assert.equal(target?.MaxCapacity, 6);
    const { Tags: tags } = await clients.applicationAutoScaling.send(
      new ListTagsForResourceCommand({ ResourceARN: target?.ScalableTargetARN ?? '' }),
    );
    assert.equal(tags?.['reconciler:stack'], STACK);
    assert.equal(tags?.['reconciler:address'], 'scalable-target.api');

    const [cpu, requests, ...more] = await policies();
    assert.equal(more.length, 0);
    assert.equal(cpu?.PolicyName, 'api-cpu');
    assert.equal(cpu?.PolicyType, 'TargetTrackingScaling');
    assert.deepStrictEqual(cpu?.TargetTrackingScalingPolicyConfiguration, {
      TargetValue: 60,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      ScaleInCooldown: 300,
      ScaleOutCooldown: 300,
    });
    const { TargetGroups: groups } = await clients.elbv2.send(
      new DescribeTargetGroupsCommand({ Names: [`${STACK}-api`] }),
    );
    const group = groups?.[0];
    const balancer = group?.LoadBalancerArns?.[0] ?? '';
    const label = `${balancer.split(':loadbalancer/')[1]}/${group?.TargetGroupArn?.split(':').pop()}`;
    assert.equal(requests?.PolicyName, 'api-requests');
    assert.deepStrictEqual(requests?.TargetTrackingScalingPolicyConfiguration, {
      TargetValue: 500,
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'ALBRequestCountPerTarget',
        ResourceLabel: label,
      },
      ScaleInCooldown: 300,
      ScaleOutCooldown: 300,
    });
    assert.match(
      label,
      /^app\/scalable-logging\/[0-9a-f]+\/targetgroup\/scalable-logging-api\/[0-9a-f]+$/,
    );

    assert.equal(await desiredCount(), 2, 'the service starts with desiredCount');
    const plan = await cli(['plan', spec, '--detailed-exitcode'], 0);
    assert.match(plan, /ecs-service\.api: desiredCount: managed by auto scaling \(now 2\)/);
    assert.match(plan, /No changes\./);

    const kinds = countByKind(await taggedResources(clients, STACK));
    assert.equal(kinds['scalable-target'], 1, 'the inventory counts the scalable target');
    assert.equal(kinds['scaling-policy'], 2, 'the inventory counts the policies');
  });

  test('a task count the scaler (or anyone) changed is not drift, and apply leaves it', async () => {
    await clients.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: 'api', desiredCount: 5 }),
    );
    const plan = await cli(['plan', spec, '--detailed-exitcode'], 0);
    assert.match(plan, /desiredCount: managed by auto scaling \(now 5\)/);
    await cli(['apply', spec, '--auto-approve'], 0);
    assert.equal(await desiredCount(), 5);
  });

  test('a changed target, policy and schedule converge in place', async () => {
    writeSpec(
      reference.replace(
        AUTO_SCALING,
        [
          '    autoScaling:',
          '      minTasks: 3',
          '      maxTasks: 8',
          '      cpu: 70',
          '      memory: 80',
          '      requestsPerTarget: 500',
          '      scaleInCooldownSeconds: 600',
          '      scheduled:',
          '        - name: weekday-mornings',
          '          schedule: cron(0 7 ? * MON-FRI *)',
          '          timezone: Europe/Berlin',
          '          minTasks: 4',
          '          maxTasks: 8',
          '',
        ].join('\n'),
      ),
    );
    const plan = await cli(['plan', spec, '--detailed-exitcode'], 2);
    assert.match(plan, /scalable-target\.api will be updated in place/);
    assert.match(plan, /scaling-policy\.api-memory will be created/);
    assert.match(plan, /scaling-policy\.api-cpu will be updated in place/);
    await cli(['apply', spec, '--auto-approve'], 0);

    const [target] = await scalableTargets();
    assert.deepStrictEqual([target?.MinCapacity, target?.MaxCapacity], [3, 8]);
    const { ScheduledActions: actions } = await clients.applicationAutoScaling.send(
      new DescribeScheduledActionsCommand(TARGET),
    );
    assert.deepStrictEqual(
      actions?.map((action) => [
        action.ScheduledActionName,
        action.Schedule,
        action.Timezone,
        action.ScalableTargetAction,
      ]),
      [
        [
          'weekday-mornings',
          'cron(0 7 ? * MON-FRI *)',
          'Europe/Berlin',
          { MinCapacity: 4, MaxCapacity: 8 },
        ],
      ],
    );
    const byName = Object.fromEntries(
      (await policies()).map((policy) => [
        policy.PolicyName,
        policy.TargetTrackingScalingPolicyConfiguration,
      ]),
    );
    assert.deepStrictEqual(Object.keys(byName).sort(), ['api-cpu', 'api-memory', 'api-requests']);
    assert.equal(byName['api-cpu']?.TargetValue, 70);
    assert.equal(byName['api-cpu']?.ScaleInCooldown, 600);
    assert.equal(
      byName['api-memory']?.PredefinedMetricSpecification?.PredefinedMetricType,
      'ECSServiceAverageMemoryUtilization',
    );
    await cli(['plan', spec, '--detailed-exitcode'], 0);
  });

  test('without autoScaling the target and policies go and the count returns to the spec', async () => {
    writeSpec(reference.replace(AUTO_SCALING, ''));
    const plan = await cli(['plan', spec, '--detailed-exitcode'], 2);
    assert.match(plan, /scalable-target\.api will be destroyed/);
    assert.match(plan, /scaling-policy\.api-requests will be destroyed/);
    assert.match(plan, /desiredCount += 5 -> 2/);
    await cli(['apply', spec, '--auto-approve'], 0);

    assert.deepStrictEqual(await scalableTargets(), []);
    assert.deepStrictEqual(await policies(), []);
    assert.equal(await desiredCount(), 2);
    const replan = await cli(['plan', spec, '--detailed-exitcode'], 0);
    assert.doesNotMatch(replan, /managed by auto scaling/);
    const kinds = countByKind(await taggedResources(clients, STACK));
    assert.equal(kinds['scalable-target'], undefined);
    assert.equal(kinds['scaling-policy'], undefined);
  });
});
