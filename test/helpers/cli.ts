import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** CLI is the reconciler's entry point, run from source through tsx. */
export const CLI = fileURLToPath(new URL('../../reconciler/cli.ts', import.meta.url));

/** CliResult is what one CLI run printed and how it ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** runCli runs `reconciler <args>` as a child process, without colours, with `env` added. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      // the SDK's Node 20 notice (scripts/run-tests.mjs says why) kept out of asserted stderr
      env: {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...process.env,
        NO_COLOR: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
