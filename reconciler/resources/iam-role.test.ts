import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type IamRoleProperties,
  iamRoleHandler,
  observedRoleProperties,
  parsePolicyDocument,
} from './iam-role.ts';

const trust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
};
const readSecrets = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ['arn:s'] }],
};
const base: IamRoleProperties = {
  roleName: 'app-execution',
  path: '/reconciler/app/',
  assumeRolePolicy: trust,
  managedPolicyArns: ['arn:aws:iam::aws:policy/a', 'arn:aws:iam::aws:policy/b'],
  inlinePolicies: { 'read-secrets': readSecrets },
  description: 'execution',
  maxSessionDuration: 3600,
};
const tags = { 'reconciler:stack': 'app', team: 'platform' };

test('iam-role diff', () => {
  const cases: Array<{
    reason: string;
    desired: IamRoleProperties;
    observed: IamRoleProperties;
    observedTags?: Record<string, string>;
    expected: Array<[string, boolean]>;
  }> = [
    { reason: 'identical roles have no changes', desired: base, observed: base, expected: [] },
    {
      reason: 'a new role name forces replacement',
      desired: { ...base, roleName: 'app-exec' },
      observed: base,
      expected: [['roleName', true]],
    },
    {
      reason: 'a new path forces replacement',
      desired: { ...base, path: '/other/' },
      observed: base,
      expected: [['path', true]],
    },
    {
      reason: 'trust policy key order does not matter',
      desired: base,
      observed: {
        ...base,
        assumeRolePolicy: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Principal: { Service: 'ecs-tasks.amazonaws.com' },
              Effect: 'Allow',
            },
          ],
          Version: '2012-10-17',
        },
      },
      expected: [],
    },
    {
      reason: 'a changed trust principal updates in place',
      desired: base,
      observed: {
        ...base,
        assumeRolePolicy: {
          ...trust,
          Statement: [{ ...trust.Statement[0], Principal: { Service: 'ec2.amazonaws.com' } }],
        },
      },
      expected: [['assumeRolePolicy.Statement[0].Principal.Service', false]],
    },
    {
      reason: 'managed policy order does not matter',
      desired: base,
      observed: { ...base, managedPolicyArns: [...base.managedPolicyArns].reverse() },
      expected: [],
    },
    {
      reason: 'a detached managed policy updates in place',
      desired: base,
      observed: { ...base, managedPolicyArns: ['arn:aws:iam::aws:policy/b'] },
      expected: [
        ['managedPolicyArns[0]', false],
        ['managedPolicyArns[1]', false],
      ],
    },
    {
      reason: 'an extra inline policy is removed in place',
      desired: base,
      observed: { ...base, inlinePolicies: { ...base.inlinePolicies, extra: readSecrets } },
      expected: [['inlinePolicies.extra', false]],
    },
    {
      reason: 'description and session duration update in place',
      desired: base,
      observed: { ...base, description: 'old', maxSessionDuration: 7200 },
      expected: [
        ['description', false],
        ['maxSessionDuration', false],
      ],
    },
    {
      reason: 'a removed tag shows; aws: tags never do',
      desired: base,
      observed: base,
      observedTags: { 'reconciler:stack': 'app', 'aws:createdBy': 'x' },
      expected: [['tags.team', false]],
    },
  ];
  for (const { reason, desired, observed, observedTags, expected } of cases) {
    const changes = iamRoleHandler.diff(desired, observed, tags, observedTags ?? tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.forcesReplacement]),
      expected,
      reason,
    );
  }
});

test('parsePolicyDocument', () => {
  const cases: Array<{
    reason: string;
    input: Parameters<typeof parsePolicyDocument>[0];
    expected: unknown;
  }> = [
    {
      reason: 'AWS returns URL-encoded JSON',
      input: encodeURIComponent(JSON.stringify(trust)),
      expected: trust,
    },
    {
      reason: 'plain JSON text parses as is',
      input: JSON.stringify(readSecrets),
      expected: readSecrets,
    },
    { reason: 'an object passes through', input: trust, expected: trust },
    { reason: 'no document is an empty one', input: undefined, expected: {} },
  ];
  for (const { reason, input, expected } of cases) {
    assert.deepStrictEqual(parsePolicyDocument(input), expected, reason);
  }
});

test('observedRoleProperties', () => {
  const cases: Array<{
    reason: string;
    detail: Parameters<typeof observedRoleProperties>[0];
    listed: Parameters<typeof observedRoleProperties>[1];
    expected: IamRoleProperties;
  }> = [
    {
      reason:
        'encoded documents, unsorted managed policies and ListRoles fields normalize to the desired shape',
      detail: {
        RoleName: 'app-execution',
        Path: '/reconciler/app/',
        RoleId: 'AROA',
        Arn: 'arn:aws:iam::1:role/reconciler/app/app-execution',
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
        AttachedManagedPolicies: [
          { PolicyName: 'b', PolicyArn: 'arn:aws:iam::aws:policy/b' },
          { PolicyName: 'a', PolicyArn: 'arn:aws:iam::aws:policy/a' },
        ],
        RolePolicyList: [
          {
            PolicyName: 'read-secrets',
            PolicyDocument: encodeURIComponent(JSON.stringify(readSecrets)),
          },
        ],
        InstanceProfileList: [],
        RoleLastUsed: {},
      },
      listed: { Description: 'execution', MaxSessionDuration: 3600 },
      expected: base,
    },
    {
      reason: 'a role without policies, description or ListRoles entry',
      detail: { RoleName: 'r', Path: '/', AssumeRolePolicyDocument: JSON.stringify(trust) },
      listed: undefined,
      expected: {
        roleName: 'r',
        path: '/',
        assumeRolePolicy: trust,
        managedPolicyArns: [],
        inlinePolicies: {},
      },
    },
  ];
  for (const { reason, detail, listed, expected } of cases) {
    assert.deepStrictEqual(observedRoleProperties(detail, listed), expected, reason);
  }
});
