/**
 * The clients of one createClients share one credential provider: credentials served by a
 * container credentials endpoint (what ECS gives a task role) are fetched once for calls to four
 * services, not once per client; and once for two regions given one provider, as the daemon's.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClients, sharedCredentials } from '../reconciler/aws/clients.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

let moto: MotoServer;
let served = 0;
const credentialsServer = createServer((_request, response) => {
  served += 1;
  response.setHeader('content-type', 'application/json');
  response.end(
    JSON.stringify({
      AccessKeyId: 'AKIACONTAINER',
      SecretAccessKey: 'container-secret',
      Token: 'container-token',
      Expiration: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  );
});

before(async () => {
  moto = await startMoto();
  await new Promise<void>((resolve) => credentialsServer.listen(0, '127.0.0.1', resolve));
  const { port } = credentialsServer.address() as AddressInfo;
  // nothing but the container endpoint can answer the default chain
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
  ])
    delete process.env[name];
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/credentials`;
});

after(async () => {
  credentialsServer.close();
  await moto?.stop();
});

test('four services, one fetch of container credentials', async () => {
  served = 0;
  const clients = createClients({ region: 'us-west-2', endpoint: moto.endpoint });
  try {
    await Promise.all([
      clients.ec2.send(new DescribeVpcsCommand({})),
      clients.logs.send(new DescribeLogGroupsCommand({})),
      clients.iam.send(new ListRolesCommand({})),
    ]);
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    assert.ok(identity.Account, 'the calls were signed with the served credentials');
    assert.equal(served, 1, 'one fetch for every client');
    const resolved = await clients.ec2.config.credentials();
    assert.equal(resolved.accessKeyId, 'AKIACONTAINER');
  } finally {
    clients.destroy();
  }
});

test('two regions given one provider (the daemon), one fetch', async () => {
  served = 0;
  const credentials = sharedCredentials();
  const west = createClients({ region: 'us-west-2', endpoint: moto.endpoint, credentials });
  const east = createClients({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
  try {
    await Promise.all([
      west.ec2.send(new DescribeVpcsCommand({})),
      east.ec2.send(new DescribeVpcsCommand({})),
      east.sts.send(new GetCallerIdentityCommand({})),
    ]);
    assert.equal(served, 1, 'one fetch for both regions');
  } finally {
    west.destroy();
    east.destroy();
  }
});
