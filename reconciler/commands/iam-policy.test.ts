import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { iamPolicy, type PolicyDocument, policyActions, run } from './iam-policy.ts';

const reconcilerDir = new URL('..', import.meta.url).pathname;

/** IAM_PREFIX maps an SDK v3 client package to the IAM service prefix of its actions. */
const IAM_PREFIX: Record<string, string> = {
  '@aws-sdk/client-application-auto-scaling': 'application-autoscaling',
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
};

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
  const allowed = new Set(policyActions(iamPolicy({ leaseTable: 'reconciler-lease' })));
  const missing = [...used]
    .filter(([action]) => !allowed.has(action))
    .map(([action, files]) => `${action} (${[...new Set(files)].join(', ')})`);
  assert.deepStrictEqual(missing, []);
});

test('every read the reconciler sends is allowed by the read-only (plan) policy', () => {
  const reads = [...sdkActions().keys()].filter((action) =>
    /:(Describe|List|Get(?!SecretValue))/.test(action),
  );
  const allowed = new Set(policyActions(iamPolicy({ readOnly: true, leaseTable: 'lease' })));
  assert.deepStrictEqual(
    reads.filter((action) => !allowed.has(action)),
    [],
  );
});

test('policy shape for each option set', () => {
  const statementIds = (policy: PolicyDocument) => policy.Statement.map((s) => s.Sid);
  const cases = [
    {
      reason: 'default: no lease statement',
      policy: iamPolicy(),
      check: (policy: PolicyDocument) => ({
        lease: statementIds(policy).includes('DaemonLease'),
        dynamodb: policyActions(policy).some((a) => a.startsWith('dynamodb:')),
      }),
      expected: { lease: false, dynamodb: false },
    },
    {
      reason: '--lease-table adds DynamoDB on that table only',
      policy: iamPolicy({ leaseTable: 'my-lease' }),
      check: (policy: PolicyDocument) =>
        policy.Statement.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:'))).map(
          (s) => s.Resource,
        ),
      expected: ['arn:aws:dynamodb:*:*:table/my-lease'],
    },
    {
      reason: '--read-only leaves no action that changes anything or reads a secret',
      policy: iamPolicy({ readOnly: true, leaseTable: 'lease' }),
      check: (policy: PolicyDocument) =>
        policyActions(policy).filter(
          (a) => !/:(Describe|List|Get)/.test(a) || a.endsWith('GetSecretValue'),
        ),
      expected: [],
    },
    {
      reason:
        'roles and instance profiles are scoped to the /reconciler/ path, PassRole to ECS tasks and EC2',
      policy: iamPolicy({ account: '123456789012' }),
      check: (policy: PolicyDocument) =>
        policy.Statement.filter((s) =>
          s.Action.some((a) => /^iam:(CreateRole|PassRole)$/.test(a)),
        ).map((s) => ({ resource: s.Resource, condition: s.Condition })),
      expected: [
        {
          resource: [
            'arn:aws:iam::123456789012:role/reconciler/*',
            'arn:aws:iam::123456789012:instance-profile/reconciler/*',
          ],
          condition: undefined,
        },
        {
          resource: 'arn:aws:iam::123456789012:role/reconciler/*',
          condition: {
            StringEquals: {
              'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'],
            },
          },
        },
      ],
    },
    {
      reason: 'secrets are readable only when RDS manages them',
      policy: iamPolicy(),
      check: (policy: PolicyDocument) =>
        policy.Statement.filter((s) => s.Action.includes('secretsmanager:GetSecretValue')).map(
          (s) => s.Resource,
        ),
      expected: ['arn:aws:secretsmanager:*:*:secret:rds!*'],
    },
  ];
  for (const { reason, policy, check, expected } of cases) {
    assert.deepStrictEqual(check(policy), expected, reason);
  }
});

test('every statement is well formed', () => {
  for (const policy of [iamPolicy(), iamPolicy({ leaseTable: 'l', readOnly: true })]) {
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

test('the command prints valid JSON and rejects bad options', async () => {
  const cases = [
    { reason: 'default', argv: [], code: 0 },
    { reason: 'explicit json', argv: ['--output', 'json', '--lease-table', 'lease'], code: 0 },
    { reason: 'help', argv: ['--help'], code: 0 },
    { reason: 'unknown format', argv: ['--output', 'yaml'], code: 1 },
    { reason: 'bad account', argv: ['--account', '12'], code: 1 },
    { reason: 'bad table name', argv: ['--lease-table', 'a b'], code: 1 },
    { reason: 'unknown option', argv: ['--nope'], code: 1 },
  ];
  for (const { reason, argv, code } of cases) {
    const result = await captureRun(argv);
    assert.equal(result.code, code, `${reason}: ${result.stderr}`);
    if (code === 0 && !argv.includes('--help')) {
      const parsed = JSON.parse(result.stdout) as PolicyDocument;
      assert.deepStrictEqual(
        parsed,
        iamPolicy(argv.includes('--lease-table') ? { leaseTable: 'lease' } : {}),
        reason,
      );
    }
  }
});

test('the full policy fits the 6,144-character limit of an IAM managed policy', () => {
  // AWS counts the document without whitespace; a longer one must be split into two policies.
  const policy = iamPolicy({ leaseTable: 'reconciler-lease-table', account: '123456789012' });
  const size = JSON.stringify(policy).replace(/\s/g, '').length;
  assert.ok(size <= 6144, `the policy is ${size} characters`);
});
