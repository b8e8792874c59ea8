import { after, before } from 'node:test';
import { type AwsClients, createClients } from '../../reconciler/aws/clients.ts';
import { startLocalCloud } from '../../scripts/local/local-cloud.ts';

export { freePort } from '../../scripts/local/ports.ts';

/** MotoServer is one emulator process on a free loopback port. */
export interface MotoServer {
  endpoint: string;
  port: number;
  /** reset drops every resource in every service (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * startMoto starts the local cloud (moto 5.2.1 with the fixes of docs/local.md, IAM managed
 * policies loaded) on a free port and points the AWS SDK at it through AWS_ENDPOINT_URL with
 * dummy credentials in region us-west-2. `plain: true` starts moto without the fixes.
 */
export async function startMoto(
  options: { env?: Record<string, string>; plain?: boolean } = {},
): Promise<MotoServer> {
  const cloud = await startLocalCloud({
    env: { ...process.env, ...options.env },
    ...(options.plain ? { plain: true } : {}),
  });
  process.env.AWS_ENDPOINT_URL = cloud.endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  process.env.AWS_REGION ??= 'us-west-2';
  return { endpoint: cloud.endpoint, port: cloud.port, reset: cloud.reset, stop: cloud.stop };
}

/**
 * localCloudForFile starts the local cloud before the file's tests and stops it after them;
 * the clients read it directly, not through a proxy.
 */
export function localCloudForFile(): { readonly moto: MotoServer; readonly clients: AwsClients } {
  const cloud = {} as { moto: MotoServer; clients: AwsClients };
  before(async () => {
    cloud.moto = await startMoto();
    cloud.clients = createClients({ region: 'us-west-2', endpoint: cloud.moto.endpoint });
  });
  after(async () => {
    cloud.clients?.destroy();
    await cloud.moto?.stop();
  });
  return cloud;
}
