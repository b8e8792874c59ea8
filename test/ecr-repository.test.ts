/**
 * The stack's registry against the local cloud: the ECR repository is created with its lifecycle
 * policy and settings; a policy changed out of band is corrected (and one only written
 * differently is not drift); a service image `{ repository, tag }` resolves to the repository URI
 * in the plan, known after apply on first create; a repository holding images is deleted only
 * with `force: true`; one made by hand with the stack's name is reported as not owned.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { type AwsClients, createClients } from '../reconciler/aws/clients.ts';
import { tagListToMap } from '../reconciler/aws/tags.ts';
import { prepareReconcile, reconcile } from '../reconciler/engine/reconcile.ts';
import { isUnknown, type ResourceChange } from '../reconciler/plan/types.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { taggedResources } from './helpers/count-by-tag.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const region = 'us-west-2';
const NAME = 'registry-test/api';
const REPOSITORY = 'ecr-repository.api';

function stackWith(
  options: { tag?: string; force?: boolean; keepLastImages?: number } = {},
): Stack {
  return {
    name: 'registry-test',
    region,
    network: {
      cidr: '10.40.0.0/16',
      availabilityZones: ['us-west-2a'],
      publicSubnets: ['10.40.0.0/24'],
      privateSubnets: ['10.40.10.0/24'],
      natGateways: 'none',
    },
    logGroups: [{ name: '/registry-test/api' }],
    registry: {
      repositories: [
        {
          name: 'api',
          lifecycle: { keepLastImages: options.keepLastImages ?? 30 },
          ...(options.force === undefined ? {} : { force: options.force }),
        },
      ],
    },
    services: [
      {
        name: 'api',
        image: { repository: 'api', tag: options.tag ?? '1.2.3' },
        port: 3000,
        logGroup: '/registry-test/api',
      },
    ],
  };
}

const expectedPolicy = (keepLastImages: number) => ({
  rules: [
    {
      rulePriority: 1,
      description: 'expire untagged images 7 days after their push',
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 7,
      },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: `keep the last ${keepLastImages} images`,
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepLastImages },
      action: { type: 'expire' },
    },
  ],
});

let moto: MotoServer;
let clients: AwsClients;
before(async () => {
  moto = await startMoto();
});
after(async () => {
  clients?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  clients?.destroy();
  clients = createClients({ region });
});

async function plan(stack: Stack): Promise<ResourceChange[]> {
  const planned = await prepareReconcile({
    stacks: [stack],
    mode: 'plan',
    clientsFor: () => clients,
  });
  planned.close();
  return planned.plan.stacks[0]?.changes ?? [];
}

async function apply(stack: Stack, mode: 'apply' | 'destroy' = 'apply') {
  return reconcile({ stacks: [stack], mode, clientsFor: () => clients });
}

function changeAt(changes: readonly ResourceChange[], address: string): ResourceChange {
  const change = changes.find((candidate) => candidate.address === address);
  assert.ok(change, `the plan has ${address}`);
  return change;
}

async function repositories(): Promise<Repository[]> {
  const listed = await clients.ecr.send(new DescribeRepositoriesCommand({}));
  return listed.repositories ?? [];
}

async function livePolicy(): Promise<unknown> {
  const found = await clients.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: NAME }));
  return JSON.parse(found.lifecyclePolicyText ?? 'null');
}

async function containerImage(): Promise<string | undefined> {
  const described = await clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: 'registry-test-api' }),
  );
  return described.taskDefinition?.containerDefinitions?.[0]?.image;
}

test('the repository is created with its lifecycle policy; the image resolves to its URI', async () => {
  const first = await plan(stackWith());
  const image = changeAt(first, 'task-definition.api').fields.find(
    (field) => field.path === 'containerDefinitions[0].image',
  );
  assert.ok(image && isUnknown(image.after), 'the image is known after apply on first create');
  assert.equal(changeAt(first, REPOSITORY).action, 'create');

  const applied = await apply(stackWith());
  assert.deepEqual(applied.failures, []);
  const [repository, ...others] = await repositories();
  assert.equal(others.length, 0, 'exactly one repository');
  assert.equal(repository?.repositoryName, NAME);
  assert.equal(repository?.imageTagMutability, 'IMMUTABLE');
  assert.equal(repository?.imageScanningConfiguration?.scanOnPush, true);
  assert.equal(repository?.encryptionConfiguration?.encryptionType, 'AES256');
  assert.deepEqual(await livePolicy(), expectedPolicy(30));
  const tags = await clients.ecr.send(
    new ListTagsForResourceCommand({ resourceArn: repository?.repositoryArn }),
  );
  assert.equal(tagListToMap(tags.tags)['reconciler:address'], REPOSITORY);
  const uri = repository?.repositoryUri;
  assert.equal(uri, `123456789012.dkr.ecr.${region}.amazonaws.com/${NAME}`);
  assert.equal(await containerImage(), `${uri}:1.2.3`, 'the task definition runs <uri>:<tag>');
  assert.deepEqual(
    (await plan(stackWith())).filter((change) => change.action !== 'no-op'),
    [],
    'the replan is empty',
  );

  const bumped = await plan(stackWith({ tag: '1.2.4' }));
  assert.deepEqual(
    changeAt(bumped, 'task-definition.api').fields.map((field) => [
      field.path,
      field.before,
      field.after,
    ]),
    [['containerDefinitions[0].image', `${uri}:1.2.3`, `${uri}:1.2.4`]],
    'a new tag plans the repository URI with that tag',
  );
});

test('a lifecycle policy or tag mutability changed out of band is corrected', async () => {
  assert.deepEqual((await apply(stackWith())).failures, []);

  // the same document written another way (key order, spacing, rule order) is not drift
  const policy = expectedPolicy(30);
  const rewritten = {
    rules: [...policy.rules].reverse().map((rule) => ({
      action: rule.action,
      selection: rule.selection,
      description: rule.description,
      rulePriority: rule.rulePriority,
    })),
  };
  await clients.ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName: NAME,
      lifecyclePolicyText: JSON.stringify(rewritten, null, 4),
    }),
  );
  assert.deepEqual(
    (await plan(stackWith())).filter((change) => change.action !== 'no-op'),
    [],
    'a policy equal as JSON is no change',
  );

  const loosened = structuredClone(policy);
  (loosened.rules[1]!.selection as { countNumber: number }).countNumber = 500;
  await clients.ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName: NAME,
      lifecyclePolicyText: JSON.stringify(loosened),
    }),
  );
  await clients.ecr.send(
    new PutImageTagMutabilityCommand({ repositoryName: NAME, imageTagMutability: 'MUTABLE' }),
  );
  const drifted = changeAt(await plan(stackWith()), REPOSITORY);
  assert.equal(drifted.action, 'update');
  assert.deepEqual(
    drifted.fields.map((field) => [field.path, field.before, field.after]),
    [
      ['lifecyclePolicy.rules[1].selection.countNumber', 500, 30],
      ['tagMutability', 'MUTABLE', 'IMMUTABLE'],
    ],
  );
  const corrected = await apply(stackWith());
  assert.deepEqual(corrected.failures, []);
  assert.deepEqual(await livePolicy(), policy);
  assert.equal((await repositories())[0]?.imageTagMutability, 'IMMUTABLE');
  assert.deepEqual(
    (await plan(stackWith())).filter((change) => change.action !== 'no-op'),
    [],
  );

  // a spec change of the policy is an update in place too
  assert.deepEqual((await apply(stackWith({ keepLastImages: 5 }))).failures, []);
  assert.deepEqual(await livePolicy(), expectedPolicy(5));
});

test('a repository holding images is deleted only with force: true', async () => {
  assert.deepEqual((await apply(stackWith())).failures, []);
  await clients.ecr.send(
    new PutImageCommand({
      repositoryName: NAME,
      imageTag: '1.2.3',
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: 1,
          digest: `sha256:${'a'.repeat(64)}`,
        },
        layers: [],
      }),
    }),
  );

  const refused = await apply(stackWith(), 'destroy');
  assert.deepEqual(
    refused.failures.map((failure) => [failure.address, failure.disposition]),
    [[REPOSITORY, 'terminal']],
  );
  assert.match(
    refused.failures[0]?.error ?? '',
    /repository registry-test\/api still holds images.*set force: true/,
  );
  assert.equal((await repositories()).length, 1, 'the repository and its image stay');

  const forced = await apply(stackWith({ force: true }));
  assert.deepEqual(forced.failures, []);
  assert.deepEqual(
    changeAt(forced.plan.stacks[0]?.changes ?? [], REPOSITORY).fields.map((field) => field.path),
    ['tags.reconciler:force-delete'],
    'force is recorded on the repository, the only change',
  );
  const destroyed = await apply(stackWith({ force: true }), 'destroy');
  assert.deepEqual(destroyed.failures, []);
  assert.deepEqual(await repositories(), []);
  assert.deepEqual(await taggedResources(clients, 'registry-test'), [], 'nothing owned is left');
});

test('a repository made by hand with the stack name is not owned, never duplicated', async () => {
  await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: NAME }));
  const change = changeAt(await plan(stackWith()), REPOSITORY);
  assert.equal(change.notOwned, NAME);
  assert.match(change.guarded ?? '', /reconciler adopt --stack registry-test ecr-repository\.api/);
  const refused = await apply(stackWith());
  assert.ok(
    refused.failures.some(
      (failure) => failure.address === REPOSITORY && failure.disposition === 'terminal',
    ),
  );
  assert.equal((await repositories()).length, 1, 'no second repository');
});
