import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type InternetGatewayProperties, internetGatewayHandler } from './internet-gateway.ts';

const tags = { 'reconciler:stack': 's' };

const cases: Array<{
  reason: string;
  observed: InternetGatewayProperties;
  want: Array<[path: string, before: unknown, forcesReplacement: boolean]>;
}> = [
  { reason: 'attached to the right vpc: no change', observed: { vpcId: 'vpc-1' }, want: [] },
  {
    reason: 'detached out of band: re-attach in place',
    observed: { vpcId: null },
    want: [['vpcId', null, false]],
  },
  {
    reason: 'attached elsewhere: move in place',
    observed: { vpcId: 'vpc-9' },
    want: [['vpcId', 'vpc-9', false]],
  },
];

for (const { reason, observed, want } of cases) {
  test(`internet gateway diff: ${reason}`, () => {
    const changes = internetGatewayHandler.diff({ vpcId: 'vpc-1' }, observed, tags, tags);
    assert.deepStrictEqual(
      changes.map((change) => [change.path, change.before, change.forcesReplacement]),
      want,
    );
  });
}
