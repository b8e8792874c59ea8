import { errorCode } from '../../aws/errors.ts';

/**
 * StepError names the call of a several-call operation that failed (`cannot attach internet
 * gateway igw-1 to vpc-2`) and keeps its cause's AWS code as `Code`, so the ResourceError the
 * kit wraps it in still carries the code and its disposition, and "already gone" stays gone.
 */
export class StepError extends Error {
  readonly Code: string | undefined;

  constructor(description: string, cause: unknown) {
    super(`${description}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.Code = errorCode(cause);
  }
}

/** step runs one call of an operation and names it in the error when it fails. */
export async function step<T>(description: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new StepError(description, err);
  }
}
