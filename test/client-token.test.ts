/**
 * A create whose response is lost is retried by the SDK. Where the API takes a client token the
 * SDK fills one per call and sends the same one on each of its retries, so AWS completes the
 * create once (docs/architecture.md, "Creates under lost responses"). The local cloud ignores
 * client tokens, so this suite checks what is sent, not what AWS does with it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateVpcCommand } from '@aws-sdk/client-ec2';
import { createClients } from '../reconciler/aws/clients.ts';
import { managementTags } from '../reconciler/aws/tags.ts';
import { routeTableHandler } from '../reconciler/resources/route-table.ts';
import type { Logger } from '../reconciler/resources/types.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

const silent: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => silent,
};

let moto: MotoServer;
before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});

test('a create whose response is lost is retried with the same client token; CreateVpc has none', async () => {
  const clients = createClients({ region: 'us-west-2' });
  const sent: Record<string, string[]> = {};
  let drop = new Set(['CreateVpc', 'CreateRouteTable']);
  // once per HTTP attempt, after the SDK's retry step: the request reaches the cloud, its
  // response is dropped as a reset connection would drop it
  clients.ec2.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      const body = String((args.request as { body?: unknown }).body);
      const token = new URLSearchParams(body).get('ClientToken') ?? 'none';
      sent[operation] = [...(sent[operation] ?? []), token];
      const result = await next(args);
      if (!drop.has(operation)) return result;
      drop = new Set([...drop].filter((name) => name !== operation));
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    },
    { step: 'finalizeRequest', name: 'dropFirstResponse', priority: 'low' },
  );
  try {
    const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const created = await routeTableHandler.create(
      { clients, region: 'us-west-2', stacks: ['alpha'], log: silent },
      {
        address: 'route-table.public',
        kind: 'route-table',
        stack: 'alpha',
        region: 'us-west-2',
        properties: { vpcId: vpc.Vpc?.VpcId ?? '', routes: [], subnetIds: [] },
        tags: managementTags('alpha', 'route-table.public'),
        dependsOn: [],
        deletionPolicy: 'delete',
      },
    );
    assert.match(created.id, /^rtb-/);
    const [first, retry] = sent.CreateRouteTable ?? [];
    assert.equal(sent.CreateRouteTable?.length, 2, 'one try and one retry');
    assert.match(first ?? '', /^[0-9a-f-]{36}$/, 'the SDK fills the token');
    assert.equal(retry, first, 'the retry carries the same token');
    assert.deepEqual(sent.CreateVpc, ['none', 'none'], 'CreateVpc takes no token');
  } finally {
    clients.destroy();
  }
});
