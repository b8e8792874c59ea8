/**
 * Ownership tags removed out of band, against the local cloud: the database security group and
 * a log group lose their reconciler:* tags. The plan says "not owned" and never proposes a
 * duplicate, apply creates none, `reconciler adopt` takes each back and the next apply
 * converges with an empty replan.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DeleteTagsCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { isManagementTag } from '../reconciler/aws/tags.ts';
import { prepareReconcile, reconcile } from '../reconciler/engine/reconcile.ts';
import { addresses } from '../reconciler/graph/addresses.ts';
import { hasChangesIn } from '../reconciler/plan/summary.ts';
import type { ResourceChange } from '../reconciler/plan/types.ts';
import { loadStacks } from '../reconciler/spec/load-stacks.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { runCli } from './helpers/cli.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const SPEC = fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url));
const DATABASE_GROUP = addresses.databaseSecurityGroup();
const API_LOGS = addresses.logGroup('/scalable-logging/api');

let moto: MotoServer;
let clients: AwsClients;
let stack: Stack;

before(async () => {
  moto = await startMoto();
  clients = createClients({ region: 'us-west-2', endpoint: moto.endpoint });
  const loaded = await loadStacks([SPEC]);
  assert.deepEqual(loaded.errors, []);
  stack = loaded.stacks[0]!.spec;
});
after(async () => {
  clients?.destroy();
  await moto?.stop();
});

async function databaseGroups() {
  const described = await clients.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'group-name', Values: [`${stack.name}-db`] }],
    }),
  );
  return described.SecurityGroups ?? [];
}

async function apiLogGroups() {
  const described = await clients.logs.send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: '/scalable-logging/api' }),
  );
  return (described.logGroups ?? []).filter(
    (group) => group.logGroupName === '/scalable-logging/api',
  );
}

function changeAt(changes: readonly ResourceChange[], address: string): ResourceChange {
  const change = changes.find((candidate) => candidate.address === address);
  assert.ok(change, `the plan has ${address}`);
  return change;
}

test('removed ownership tags: not owned, never duplicated, adopted, converged', async () => {
  const first = await reconcile({ stacks: [stack], mode: 'apply', clientsFor: () => clients });
  assert.deepEqual(first.failures, []);

  const [group] = await databaseGroups();
  assert.ok(group?.GroupId, 'the database security group exists');
  const groupTagKeys = (group.Tags ?? []).map((tag) => tag.Key!).filter(isManagementTag);
  await clients.ec2.send(
    new DeleteTagsCommand({
      Resources: [group.GroupId],
      Tags: groupTagKeys.map((Key) => ({ Key })),
    }),
  );
  const [logGroup] = await apiLogGroups();
  const logGroupArn = logGroup?.logGroupArn ?? logGroup?.arn?.replace(/:\*$/, '');
  assert.ok(logGroupArn, 'the api log group exists');
  const logTags = await clients.logs.send(
    new ListTagsForResourceCommand({ resourceArn: logGroupArn }),
  );
  await clients.logs.send(
    new UntagResourceCommand({
      resourceArn: logGroupArn,
      tagKeys: Object.keys(logTags.tags ?? {}).filter(isManagementTag),
    }),
  );

  const planned = await prepareReconcile({
    stacks: [stack],
    mode: 'plan',
    clientsFor: () => clients,
  });
  planned.close();
  const changes = planned.plan.stacks[0]!.changes;
  for (const [address, id] of [
    [DATABASE_GROUP, group.GroupId],
    [API_LOGS, '/scalable-logging/api'],
  ] as const) {
    const change = changeAt(changes, address);
    assert.equal(change.notOwned, id, `${address} is reported as not owned`);
    assert.match(
      change.guarded ?? '',
      /is not owned: adopt it with `reconciler adopt --stack scalable-logging /,
    );
  }

  const refused = await reconcile({ stacks: [stack], mode: 'apply', clientsFor: () => clients });
  assert.deepEqual(
    refused.failures.map((failure) => [failure.address, failure.disposition]).sort(),
    [
      [API_LOGS, 'terminal'],
      [DATABASE_GROUP, 'terminal'],
    ],
  );
  assert.equal((await databaseGroups()).length, 1, 'no second database security group');
  assert.equal((await apiLogGroups()).length, 1, 'no second log group');

  const wrongId = await runCli(['adopt', SPEC, DATABASE_GROUP, 'sg-00000000'], {
    AWS_ENDPOINT_URL: moto.endpoint,
  });
  assert.equal(wrongId.code, 1);
  assert.match(wrongId.stderr, new RegExp(`is ${group.GroupId}, not sg-00000000`));
  const adoptedGroup = await runCli(['adopt', SPEC, DATABASE_GROUP, group.GroupId], {
    AWS_ENDPOINT_URL: moto.endpoint,
  });
  assert.equal(adoptedGroup.code, 0, adoptedGroup.stderr);
  assert.match(
    adoptedGroup.stdout,
    new RegExp(`adopted security-group ${group.GroupId} as ${DATABASE_GROUP}`),
  );

  const adopting = await prepareReconcile({
    stacks: [stack],
    mode: 'plan',
    clientsFor: () => clients,
  });
  await adopting.adopt(stack.name, API_LOGS, '/scalable-logging/api');
  adopting.close();

  const converged = await reconcile({ stacks: [stack], mode: 'apply', clientsFor: () => clients });
  assert.deepEqual(converged.failures, []);
  const replan = await prepareReconcile({
    stacks: [stack],
    mode: 'plan',
    clientsFor: () => clients,
  });
  replan.close();
  assert.equal(hasChangesIn(replan.plan), false, 'the replan after adoption is empty');
  assert.equal((await databaseGroups()).length, 1);
  assert.equal((await apiLogGroups()).length, 1);
});
