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
