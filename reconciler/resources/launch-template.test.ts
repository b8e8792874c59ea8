import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemo } from './kit/memo.ts';
import {
  type LaunchTemplateProperties,
  launchTemplateHandler,
  observedTemplate,
  templateData,
} from './launch-template.ts';
import type { DesiredResource, ResourceContext } from './types.ts';

const base: LaunchTemplateProperties = {
  name: 'shop-capacity',
  imageId: 'ami-0123456789abcdef0',
  instanceType: 't3.small',
  instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/reconciler/shop/shop-instance',
  securityGroupIds: ['sg-2', 'sg-1'],
  userData: '#!/bin/bash\necho ECS_CLUSTER=shop >> /etc/ecs/ecs.config\n',
  rootVolume: { deviceName: '/dev/xvda', sizeGiB: 30, volumeType: 'gp3', encrypted: true },
  metadata: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
};
const tags = { 'reconciler:stack': 'shop', 'reconciler:address': 'launch-template.main' };

test('launch-template diff: every change but the name is a new version in place', () => {
  const cases: Array<{
    reason: string;
    observed: LaunchTemplateProperties;
    expected: Array<[string, boolean]>;
  }> = [
    { reason: 'the same data has no changes', observed: base, expected: [] },
    {
      reason: 'security groups are a set',
      observed: { ...base, securityGroupIds: ['sg-1', 'sg-2'] },
      expected: [],
    },
    {
      reason: 'another instance type is an update',
      observed: { ...base, instanceType: 't3.micro' },
      expected: [['instanceType', false]],
    },
    {
      reason: 'a new AMI (a new recommended one) is an update',
      observed: { ...base, imageId: 'ami-0fedcba9876543210' },
      expected: [['imageId', false]],
    },
    {
      reason: 'user data and the root volume change in place',
      observed: { ...base, userData: '', rootVolume: { ...base.rootVolume, sizeGiB: 40 } },
      expected: [
        ['rootVolume.sizeGiB', false],
        ['userData', false],
      ],
    },
    {
      reason: 'another name is another template: replace',
      observed: { ...base, name: 'shop-old' },
      expected: [['name', true]],
    },
  ];
  for (const { reason, observed, expected } of cases) {
    const changes = launchTemplateHandler.diff(base, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
  assert.deepStrictEqual(launchTemplateHandler.attributesChangedByUpdate, [
    'latestVersion',
    'defaultVersion',
  ]);
});

test('launch template data round-trips: what is written is what observe reads back', () => {
  const data = templateData(base);
  assert.equal(data.UserData, Buffer.from(base.userData).toString('base64'));
  const observed = observedTemplate({
    template: {
      LaunchTemplateId: 'lt-1',
      LaunchTemplateName: base.name,
      LatestVersionNumber: 3,
      DefaultVersionNumber: 3,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    },
    version: { VersionNumber: 3, LaunchTemplateData: data as never },
  });
  assert.deepStrictEqual(observed.properties, base);
  assert.deepStrictEqual(observed.attributes, {
    name: base.name,
    latestVersion: '3',
    defaultVersion: '3',
  });
  assert.throws(
    () => templateData({ ...base, imageId: { ssmParameter: '/aws/service/ecs/x' } }),
    /unresolved SSM parameter \/aws\/service\/ecs\/x/,
  );
});

/** ssmReturning is a context whose SSM client answers GetParameters from `values`, counting calls. */
function ssmReturning(values: Record<string, string>) {
  const calls: string[][] = [];
  const ssm = {
    async send(command: { input: { Names: string[] } }) {
      calls.push(command.input.Names);
      return {
        Parameters: command.input.Names.filter((name) => name in values).map((Name) => ({
          Name,
          Value: values[Name],
        })),
        InvalidParameters: command.input.Names.filter((name) => !(name in values)),
      };
    },
  };
  const ctx = { clients: { ssm }, region: 'us-west-2', stacks: ['shop'], memo: createMemo() };
  return { ctx: ctx as unknown as ResourceContext, calls };
}

function desiredTemplate(imageId: LaunchTemplateProperties['imageId']) {
  return {
    address: 'launch-template.main',
    kind: 'launch-template',
    stack: 'shop',
    region: 'us-west-2',
    properties: { ...base, imageId },
    tags,
    dependsOn: [],
    deletionPolicy: 'delete',
  } satisfies DesiredResource<LaunchTemplateProperties>;
}

test('lookup reads the AMI of an SSM parameter once; a pinned AMI costs no call', async () => {
  const parameter = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';
  const { ctx, calls } = ssmReturning({ [parameter]: 'ami-0aaa' });
  const lookup = launchTemplateHandler.lookup;
  assert.ok(lookup);
  const filled = await lookup(ctx, [
    desiredTemplate({ ssmParameter: parameter }),
    { ...desiredTemplate({ ssmParameter: parameter }), stack: 'other' },
    desiredTemplate('ami-pinned'),
  ]);
  assert.deepStrictEqual(
    filled.map((resource) => resource.properties.imageId),
    ['ami-0aaa', 'ami-0aaa', 'ami-pinned'],
  );
  assert.deepStrictEqual(calls, [[parameter]]);
  const pinned = ssmReturning({});
  await lookup(pinned.ctx, [desiredTemplate('ami-pinned')]);
  assert.deepStrictEqual(pinned.calls, []);
  await assert.rejects(
    lookup(pinned.ctx, [desiredTemplate({ ssmParameter: '/aws/service/ecs/missing' })]),
    /SSM parameter \/aws\/service\/ecs\/missing does not exist in us-west-2/,
  );
});
