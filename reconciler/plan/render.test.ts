import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderHuman } from './render-human.ts';
import { renderJson, toJsonPlan } from './render-json.ts';
import { renderMarkdown } from './render-markdown.ts';
import { summarize } from './summary.ts';
import {
  type FieldChange,
  PLAN_FORMAT_VERSION,
  type Plan,
  type StackPlan,
  UNKNOWN,
} from './types.ts';

// Regenerate with: UPDATE_GOLDEN=1 npm test -- render
const goldenDir = fileURLToPath(new URL('../../test/fixtures/golden/', import.meta.url));

function golden(name: string, actual: string): void {
  const path = `${goldenDir}${name}`;
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs (UPDATE_GOLDEN=1 to accept)`);
}

function field(
  path: string,
  before: unknown,
  after: unknown,
  flags: { replace?: boolean; sensitive?: boolean } = {},
): FieldChange {
  return {
    path,
    before,
    after,
    forcesReplacement: flags.replace ?? false,
    sensitive: flags.sensitive ?? false,
  };
}

const mainStack: StackPlan = {
  name: 'scalable-logging',
  region: 'us-west-2',
  changes: [
    {
      address: 'vpc.main',
      kind: 'vpc',
      action: 'no-op',
      reason: 'up to date',
      fields: [],
      id: 'vpc-0a1b',
      unchanged: 2,
    },
    {
      address: 'subnet.private-b',
      kind: 'subnet',
      action: 'create',
      reason: 'not found',
      fields: [
        field('availabilityZone', undefined, 'us-west-2b'),
        field('cidrBlock', undefined, '10.0.11.0/24'),
        field('mapPublicIpOnLaunch', undefined, false),
        field('vpcId', undefined, 'vpc-0a1b'),
        field('tags.reconciler:address', undefined, 'subnet.private-b'),
      ],
    },
    {
      address: 'nat-gateway.a',
      kind: 'nat-gateway',
      action: 'no-op',
      reason: 'up to date (still pending in AWS)',
      fields: [],
      id: 'nat-0f00',
      pending: true,
    },
    {
      address: 'security-group.service-api',
      kind: 'security-group',
      action: 'update',
      reason: 'differs: ingress[1].fromPort, tags.owner, tags.team',
      id: 'sg-0c0d',
      unchanged: 3,
      fields: [
        field('ingress[1].fromPort', 8443, 443),
        field('tags.owner', 'someone', undefined),
        field('tags.team', undefined, 'platform'),
      ],
    },
    {
      address: 'db-instance.main',
      kind: 'db-instance',
      action: 'replace',
      reason: 'engine forces replacement',
      id: 'scalable-logging-db',
      guarded:
        'replacing db-instance.main destroys its data; apply refuses unless --allow-replace=db-instance.main',
      unchanged: 6,
      fields: [
        field('engine', 'mysql', 'postgres', { replace: true }),
        field('masterUserSecret.arn', 'arn:old', 'arn:new', { sensitive: true }),
        field('dbSubnetGroupName', 'old-group', UNKNOWN),
      ],
    },
    {
      address: 'ecs-service.api',
      kind: 'ecs-service',
      action: 'update',
      reason: 'differs: taskDefinition',
      id: 'arn:aws:ecs:us-west-2:123456789012:service/main/api',
      unchanged: 1,
      fields: [field('taskDefinition', 'arn:td:1', UNKNOWN)],
    },
    {
      address: 'subnet.private-c',
      kind: 'subnet',
      action: 'delete',
      reason: 'removed from spec',
      fields: [],
      id: 'subnet-0ccc',
      deletionPolicy: 'delete',
    },
    {
      address: 'log-group.old|audit',
      kind: 'log-group',
      action: 'delete',
      reason: 'removed from spec; deletionPolicy retain: untagged and left in AWS',
      fields: [],
      id: '/old/audit',
      deletionPolicy: 'retain',
    },
  ],
};

const quietStack: StackPlan = {
  name: 'quiet',
  region: 'eu-west-1',
  changes: [
    { address: 'vpc.main', kind: 'vpc', action: 'no-op', reason: 'up to date', fields: [] },
  ],
};

function planOf(stacks: StackPlan[]): Plan {
  return { formatVersion: PLAN_FORMAT_VERSION, stacks, summary: summarize(stacks) };
}

const fullPlan = planOf([mainStack, quietStack]);
const emptyPlan = planOf([quietStack]);

describe('plan renderers (golden files)', () => {
  it('summary counts a replace as one add and one destroy', () => {
    assert.deepStrictEqual(fullPlan.summary, {
      add: 2,
      change: 2,
      destroy: 3,
      replace: 1,
      noOp: 3,
    });
  });
  it('human', () => golden('plan.human.txt', renderHuman(fullPlan)));
  it('human with colour', () =>
    golden('plan.human-color.txt', renderHuman(fullPlan, { color: true })));
  it('human without colour has no escape codes', () => {
    assert.equal(renderHuman(fullPlan).includes('\u001b'), false);
  });
  it('human, no changes', () => golden('no-changes.human.txt', renderHuman(emptyPlan)));
  it('json', () => golden('plan.json', renderJson(fullPlan)));
  it('markdown', () => golden('plan.md', renderMarkdown(fullPlan)));
  it('markdown, no changes', () => golden('no-changes.md', renderMarkdown(emptyPlan)));
  it('no rendering prints a secret', () => {
    for (const text of [renderHuman(fullPlan), renderJson(fullPlan), renderMarkdown(fullPlan)]) {
      assert.doesNotMatch(text, /arn:old|arn:new/);
    }
  });
  it('json lists actions, flags unknowns and drops secret values', () => {
    const json = toJsonPlan(fullPlan);
    const db = json.stacks[0]?.changes.find((change) => change.address === 'db-instance.main');
    assert.deepStrictEqual(db?.actions, ['delete', 'create']);
    assert.deepStrictEqual(db?.fields.slice(1), [
      { path: 'masterUserSecret.arn', forcesReplacement: false, sensitive: true },
      {
        path: 'dbSubnetGroupName',
        before: 'old-group',
        afterUnknown: true,
        forcesReplacement: false,
        sensitive: false,
      },
    ]);
    assert.equal(json.hasChanges, true);
  });
  it('human shows notes as information, in a block or beside the changes, never as a change', () => {
    const note = 'desiredCount: managed by auto scaling (now 4)';
    const service = {
      address: 'ecs-service.api',
      kind: 'ecs-service',
      reason: 'up to date',
      fields: [],
      notes: [note],
    };
    const quiet = planOf([{ ...quietStack, changes: [{ ...service, action: 'no-op' }] }]);
    assert.equal(
      renderHuman(quiet),
      [
        'Unchanged, for your information (quiet):',
        `  # ecs-service.api: ${note}`,
        '',
        'No changes. Your infrastructure matches the configuration.',
        '',
      ].join('\n'),
    );
    assert.equal(toJsonPlan(quiet).hasChanges, false);
    const updated = planOf([
      {
        ...quietStack,
        changes: [
          {
            ...service,
            action: 'update',
            reason: 'differs: taskDefinition',
            fields: [field('taskDefinition', 'arn:td:1', 'arn:td:2')],
          },
        ],
      },
    ]);
    assert.match(
      renderHuman(updated),
      /~ taskDefinition = "arn:td:1" -> "arn:td:2"\n {8}# desiredCount: managed by auto scaling \(now 4\)\n/,
    );
    assert.match(
      renderMarkdown(updated),
      /! {5}taskDefinition = "arn:td:1" -> "arn:td:2"\n {6}# desiredCount: managed by auto scaling \(now 4\)\n/,
    );
  });
});
