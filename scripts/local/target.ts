/**
 * Where `npm start` points the reconciler: the local emulator by default, the real AWS account
 * only when asked with `--target aws`. AWS credentials in the environment without an explicit
 * target are a refusal, never a silent choice either way.
 */

/** Target is what the reconciler converges: the local emulator or the real account. */
export type Target = 'local' | 'aws';

/** CREDENTIAL_VARIABLES are the variables that make the AWS SDK reach a real account (or another endpoint). */
export const CREDENTIAL_VARIABLES = [
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_ENDPOINT_URL',
] as const;

/** EMULATOR_REGION is the region of the local system (the reference stack's region). */
export const EMULATOR_REGION = 'us-west-2';

/** Decision is either a target to run or a refusal with the message to print. */
export type Decision = { target: Target; ignored: string[] } | { refusal: string };

/** credentialVariables lists the credential variables set (non-empty) in env, in a fixed order. */
export function credentialVariables(env: NodeJS.ProcessEnv): string[] {
  return CREDENTIAL_VARIABLES.filter((name) => (env[name] ?? '').trim() !== '');
}

/** decideTarget applies the rule: explicit target wins; credentials without one are refused. */
export function decideTarget(requested: string | undefined, env: NodeJS.ProcessEnv): Decision {
  const found = credentialVariables(env);
  if (requested !== undefined && requested !== 'local' && requested !== 'aws') {
    return { refusal: `unknown --target '${requested}': use --target local or --target aws` };
  }
  if (requested === 'aws') return { target: 'aws', ignored: [] };
  if (requested === 'local') return { target: 'local', ignored: found };
  if (found.length === 0) return { target: 'local', ignored: [] };
  return {
    refusal: [
      `AWS credentials are set in the environment (${found.join(', ')}).`,
      'npm start never touches a real AWS account unless told to. Choose one:',
      '  npm start -- --target local   run everything on the local emulator and ignore them',
      '  npm start -- --target aws     run the reconciler daemon against that AWS account',
    ].join('\n'),
  };
}

/**
 * emulatorEnv is the environment of a child on the local system: every AWS_* variable of the
 * caller removed, then the emulator's endpoint, dummy credentials and the region.
 */
export function emulatorEnv(env: NodeJS.ProcessEnv, endpoint: string): NodeJS.ProcessEnv {
  const cleaned: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('AWS_')) cleaned[name] = value;
  }
  return {
    ...cleaned,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: EMULATOR_REGION,
    AWS_DEFAULT_REGION: EMULATOR_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    // The emulator needs no notice about which Node versions future SDK releases support.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
