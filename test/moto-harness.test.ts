import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { createClients } from '../reconciler/aws/clients.ts';
import { type MotoServer, startMoto } from './helpers/moto.ts';

let moto: MotoServer;
before(async () => {
  moto = await startMoto();
});
after(async () => {
  await moto?.stop();
});

test('clients talk to moto through AWS_ENDPOINT_URL and count every call', async () => {
  const clients = createClients({ region: 'us-west-2' });
  const described = await clients.ec2.send(new DescribeVpcsCommand({}));
  // moto creates a default VPC in every region
  assert.equal(described.Vpcs?.length, 1);
  assert.deepEqual(clients.stats.entries(), [
    { service: 'ec2', operation: 'DescribeVpcs', outcome: 'ok', count: 1 },
  ]);
  clients.destroy();
});
