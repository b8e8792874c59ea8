/**
 * Does the printed policy really let the reconciler work, and only on its own stack? Every SDK
 * call of a full apply, a drift correction and a destroy of the reference stack against the local
 * cloud is recorded with the resources it names, their tags at that moment and the request's tags,
 * then evaluated against `iam-policy specs/scalable-logging.yaml` (every managed policy it prints,
 * attached together) with @cloud-copilot/iam-simulate. Each must be allowed; the same calls
 * against a resource of another stack or an untagged one must be denied.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteTagsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { createClients } from '../reconciler/aws/clients.ts';
import { TAG_STACK, type Tags } from '../reconciler/aws/tags.ts';
import {
  iamPolicy,
  type PolicyDocument,
  splitPolicy,
  stackScopes,
} from '../reconciler/commands/iam-policy.ts';
import { reconcile } from '../reconciler/engine/reconcile.ts';
import { loadStacks } from '../reconciler/spec/load-stacks.ts';
import type { Stack } from '../reconciler/spec/types.generated.ts';
import { type RecordedCall, Recorder } from './helpers/iam-calls.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const SPEC = fileURLToPath(new URL('../specs/scalable-logging.yaml', import.meta.url));
const ACCOUNT = '123456789012';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/deployer`;

/** The tagging action AWS authorizes, beside the create itself, when a create carries tags. */
const TAG_ON_CREATE: Record<string, (arn: string) => string> = {
  ec2: () => 'ec2:CreateTags',
  ecs: () => 'ecs:TagResource',
  elasticloadbalancing: () => 'elasticloadbalancing:AddTags',
  iam: (arn) => (arn.includes(':role/') ? 'iam:TagRole' : 'iam:TagInstanceProfile'),
  rds: () => 'rds:AddTagsToResource',
  logs: () => 'logs:TagResource',
  ecr: () => 'ecr:TagResource',
  autoscaling: () => 'autoscaling:CreateOrUpdateTags',
};
const CREATE_ACTION_KEY: Record<string, string> = {
  ec2: 'ec2:CreateAction',
  ecs: 'ecs:CreateAction',
  elasticloadbalancing: 'elasticloadbalancing:CreateAction',
};

/** Check is one authorization IAM makes: an action on one resource with its request context. */
interface Check {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

function contextOf(resourceTags: Tags, call: Pick<RecordedCall, 'requestTags' | 'tagKeys'>) {
  const context: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(resourceTags))
    context[`aws:ResourceTag/${key}`] = value;
  for (const [key, value] of Object.entries(call.requestTags ?? {})) {
    context[`aws:RequestTag/${key}`] = value;
  }
  if (call.tagKeys) context['aws:TagKeys'] = call.tagKeys;
  return context;
}

/** checksOf lists what IAM authorizes for one recorded call: each resource, and tagging on create. */
function checksOf(call: RecordedCall): Check[] {
  if (call.resources.length === 0)
    return [{ action: call.action, resource: '*', context: contextOf({}, call) }];
  return call.resources.flatMap((resource) => {
    const own = {
      action: call.action,
      resource: resource.arn,
      context: contextOf(resource.tags, call),
    };
    if (!resource.created || !call.requestTags) return [own];
    const service = call.action.split(':')[0] ?? '';
    const tagAction = TAG_ON_CREATE[service]?.(resource.arn);
    if (!tagAction) return [own];
    const key = CREATE_ACTION_KEY[service];
    const context = { ...own.context, ...(key ? { [key]: call.action.split(':')[1] ?? '' } : {}) };
    return [own, { action: tagAction, resource: resource.arn, context }];
  });
}

async function decide(policies: PolicyDocument[], check: Check): Promise<string> {
  const response = await runSimulation(
    {
      identityPolicies: policies.map((policy, index) => ({ name: `policy-${index + 1}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: check.action,
        principal: PRINCIPAL,
        resource: { resource: check.resource, accountId: ACCOUNT },
        contextVariables: check.context,
      },
    },
    {},
  );
  if (response.resultType === 'error') {
    const message = JSON.stringify(response.errors);
    // AWS authorizes the action on `*` only: it is evaluated so, as IAM would
    if (message.includes('must.use.wildcard') && check.resource !== '*') {
      const context = Object.fromEntries(
        Object.entries(check.context).filter(([key]) => !key.startsWith('aws:ResourceTag/')),
      );
      return decide(policies, { ...check, resource: '*', context });
    }
    // the request names a resource AWS does not authorize this action on (a route's NAT gateway)
    if (message.includes('no.resource.types')) return NOT_AUTHORIZED_ON;
    return `error: ${message}`;
  }
  return response.overallResult;
}

/** NOT_AUTHORIZED_ON: IAM does not authorize the action on that resource type; no decision. */
const NOT_AUTHORIZED_ON = 'NotAuthorizedOnThisResourceType';

const describeLabel = (check: Check) =>
  `${check.action} on ${check.resource} ${JSON.stringify(check.context)}`;

describe('the printed policy against every call of the reference stack', {
  timeout: 900_000,
}, () => {
  let moto: MotoServer;
  let stack: Stack;
  let policies: PolicyDocument[];
  const recorders: Recorder[] = [];
  const calls: RecordedCall[] = [];

  const run = async (mode: 'apply' | 'destroy') => {
    const recorder = new Recorder(stack.region, ACCOUNT);
    recorders.push(recorder);
    const clients = createClients({ region: stack.region });
    try {
      // a pass leaves what AWS still creates for the next one, as the daemon would
      for (let pass = 0; pass < 6; pass++) {
        const result = await reconcile({
          stacks: [stack],
          mode,
          clientsFor: () => recorder.wrap(clients),
        });
        assert.deepStrictEqual(result.failures, [], `${mode} failed`);
        if (result.pending.length === 0) break;
      }
    } finally {
      clients.destroy();
    }
    calls.push(...recorder.calls);
    return recorder.calls;
  };

  before(async () => {
    moto = await startMoto();
    const loaded = await loadStacks([SPEC]);
    assert.deepStrictEqual(loaded.errors, []);
    stack = loaded.stacks[0]!.spec;
    policies = splitPolicy(iamPolicy({ stacks: stackScopes([stack]) }));
  });

  after(async () => {
    for (const recorder of recorders) recorder.close();
    await moto?.stop();
  });

  test('apply, drift correction and destroy: every call is allowed', async () => {
    const applied = await run('apply');
    assert.ok(
      applied.some((call) => call.action === 'ec2:CreateVpc'),
      'the apply created nothing',
    );

    // drift: a retention changed and a tag removed out of band
    const side = createClients({ region: stack.region });
    try {
      await side.logs.send(
        new PutRetentionPolicyCommand({
          logGroupName: '/scalable-logging/api',
          retentionInDays: 1,
        }),
      );
      const subnets = await side.ec2.send(
        new DescribeSubnetsCommand({
          Filters: [{ Name: `tag:${TAG_STACK}`, Values: [stack.name] }],
        }),
      );
      const subnet = subnets.Subnets?.[0]?.SubnetId ?? '';
      await side.ec2.send(
        new DeleteTagsCommand({ Resources: [subnet], Tags: [{ Key: 'project' }] }),
      );
    } finally {
      side.destroy();
    }
    const corrected = await run('apply');
    assert.ok(
      corrected.some((call) => call.action === 'logs:PutRetentionPolicy'),
      'the drift was not corrected',
    );
    const destroyed = await run('destroy');
    assert.ok(
      destroyed.some((call) => call.action === 'ec2:DeleteVpc'),
      'the destroy deleted nothing',
    );

    assert.ok(calls.length > 100, `only ${calls.length} calls recorded`);
    const denied: string[] = [];
    const checks = calls.flatMap(checksOf);
    for (const check of checks) {
      const decision = await decide(policies, check);
      if (decision !== 'Allowed' && decision !== NOT_AUTHORIZED_ON)
        denied.push(`${decision}: ${describeLabel(check)}`);
    }
    assert.deepStrictEqual(denied, [], `${denied.length} of ${checks.length} checks denied`);
  });

  test("another stack's resources and untagged ones are denied", async () => {
    assert.ok(calls.length > 0, 'runs after the recording test');
    const owned = calls
      .filter(
        (call) =>
          !call.requestTags && /:(Delete|Modify|Update|Put|Revoke|Authorize)/.test(call.action),
      )
      .flatMap(checksOf)
      .filter((check) => check.context[`aws:ResourceTag/${TAG_STACK}`] === stack.name);
    assert.ok(owned.length > 20, `only ${owned.length} writes on owned resources`);
    const foreign: string[] = [];
    for (const check of owned) {
      const tags = Object.fromEntries(
        Object.entries(check.context).filter(([key]) => !key.startsWith('aws:ResourceTag/')),
      );
      for (const context of [{ ...tags, [`aws:ResourceTag/${TAG_STACK}`]: 'other-stack' }, tags]) {
        const decision = await decide(policies, { ...check, context });
        if (decision === 'Allowed') foreign.push(describeLabel({ ...check, context }));
      }
    }
    assert.deepStrictEqual(foreign, [], 'allowed on a resource the stack does not own');

    // the tagging actions cannot pull a resource into the stack, nor move one out
    const creates = calls.filter(
      (call) => call.requestTags && call.resources.some((r) => r.created),
    );
    assert.ok(creates.length > 10, `only ${creates.length} creates with tags`);
    const retags: string[] = [];
    for (const call of creates) {
      const tagChecks = checksOf(call).filter((check) => check.action !== call.action);
      for (const check of tagChecks) {
        const asRetag = { ...check, context: { ...check.context } };
        // no create action: tagging an existing, untagged resource
        for (const key of Object.values(CREATE_ACTION_KEY)) delete asRetag.context[key];
        const other = {
          ...check,
          context: { ...check.context, [`aws:RequestTag/${TAG_STACK}`]: 'other-stack' },
        };
        const foreignOwned = {
          ...asRetag,
          context: { ...asRetag.context, [`aws:ResourceTag/${TAG_STACK}`]: 'other-stack' },
        };
        for (const attempt of [
          other,
          foreignOwned,
          ...(CREATE_ACTION_KEY[check.action.split(':')[0] ?? ''] ? [asRetag] : []),
        ]) {
          if ((await decide(policies, attempt)) === 'Allowed') retags.push(describeLabel(attempt));
        }
      }
      const otherCreate = {
        action: call.action,
        resource: call.resources.find((r) => r.created)?.arn ?? '*',
        context: contextOf(
          {},
          { ...call, requestTags: { ...call.requestTags, [TAG_STACK]: 'other-stack' } },
        ),
      };
      if ((await decide(policies, otherCreate)) === 'Allowed')
        retags.push(describeLabel(otherCreate));
    }
    assert.deepStrictEqual(retags, [], 'a tag or create for another stack was allowed');
  });
});
