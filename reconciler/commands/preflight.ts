/**
 * checkAwsAccess runs before a command's first AWS call and fails fast, naming the fix: an
 * AWS_ENDPOINT_URL that is no URL, an endpoint that does not answer (a few short tries, not the
 * SDK's retries of every call), or no credentials anywhere the SDK looks.
 */
import { connect } from 'node:net';
import { CommandError, messageOf } from './command-error.ts';

/** ENDPOINT_TRIES bounds the reachability check: tries of ENDPOINT_TIMEOUT_MS each. */
const ENDPOINT_TRIES = 3;
const ENDPOINT_TIMEOUT_MS = 1_500;

/** CREDENTIALS_HINT is what to set when no credentials were found. */
export const CREDENTIALS_HINT =
  'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys), ' +
  'or AWS_PROFILE to a profile of ~/.aws/config (after `aws sso login` for SSO), ' +
  'or run with an instance or task role';

/** endpointOf reads AWS_ENDPOINT_URL; a value without http:// or https:// is an error naming it. */
export function endpointOf(env: NodeJS.ProcessEnv): URL | undefined {
  const value = env.AWS_ENDPOINT_URL?.trim();
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = /^https?:\/\//i.test(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) {
    throw new CommandError(
      `AWS_ENDPOINT_URL must be a URL with its scheme, such as http://127.0.0.1:5000, got '${value}'`,
    );
  }
  return url;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** connectError is why a TCP connection to host:port failed within timeoutMs, or undefined. */
function connectError(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** unreachableReason is why nothing accepts connections at url after a few short tries. */
async function unreachableReason(url: URL): Promise<string | undefined> {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let reason: string | undefined;
  for (let attempt = 1; attempt <= ENDPOINT_TRIES; attempt += 1) {
    reason = await connectError(host, port, ENDPOINT_TIMEOUT_MS);
    if (reason === undefined) return undefined;
    if (attempt < ENDPOINT_TRIES) await delay(300 * attempt);
  }
  return reason;
}

/** checkAwsAccess throws a CommandError that names the variable, the endpoint or the fix. */
export async function checkAwsAccess(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const endpoint = endpointOf(env);
  if (endpoint) {
    const reason = await unreachableReason(endpoint);
    if (reason !== undefined) {
      throw new CommandError(
        `cannot reach the AWS endpoint ${endpoint.origin} of AWS_ENDPOINT_URL (${reason}, ${ENDPOINT_TRIES} tries): start it (npm run cloud for the local cloud), or unset AWS_ENDPOINT_URL to use AWS`,
      );
    }
  }
  await checkCredentials();
}

/**
 * checkCredentials throws a CommandError naming what to set when the SDK's default chain finds
 * no credentials in `tries` attempts (a second apart, then two). The daemon runs only this check,
 * with three tries, so that a metadata service slow at boot does not stop it: an endpoint that
 * is down is retried as any failed pass is, but credentials missing for seconds are a setting to
 * fix, and the orchestrator's restarts cover a longer outage.
 */
export async function checkCredentials(tries = 1): Promise<void> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  for (let attempt = 1; ; attempt += 1) {
    try {
      // one short try of the instance metadata service instead of the SDK's slower default
      await defaultProvider({ timeout: 1_000, maxRetries: 0 })();
      return;
    } catch (err) {
      if (attempt < tries) {
        await delay(1_000 * attempt);
        continue;
      }
      const detail = messageOf(err).split('\n')[0];
      const after = tries > 1 ? `, ${tries} tries` : '';
      throw new CommandError(`no AWS credentials found (${detail}${after}): ${CREDENTIALS_HINT}`);
    }
  }
}
