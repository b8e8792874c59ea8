import { errorCode, isNotFound, isTerminal, isThrottling } from '../../aws/errors.ts';

/** Operation is what the reconciler was doing to a resource when an error happened. */
export type Operation =
  | 'observe'
  | 'create'
  | 'update'
  | 'delete'
  | 'untag'
  | 'adopt'
  | 'verify'
  | 'wait';

/**
 * Disposition says what a caller may do about an error: `retryable` (run again later),
 * `throttled` (AWS asked to slow down: back off harder) or `terminal` (retrying the same
 * request cannot help: access denied, an invalid value, an unsupported policy).
 */
export type Disposition = 'retryable' | 'throttled' | 'terminal';

/** dispositionOf classifies an SDK error by its AWS code; anything unknown is retryable. */
export function dispositionOf(err: unknown): Disposition {
  if (err instanceof ResourceError) return err.disposition;
  if (isThrottling(err)) return 'throttled';
  if (isTerminal(err)) return 'terminal';
  return 'retryable';
}

/** ResourceErrorInit is everything a ResourceError carries besides its message. */
export interface ResourceErrorInit {
  kind: string;
  address: string;
  operation: Operation;
  /** The AWS error code (`InvalidGroup.Duplicate`), when the failure came from AWS. */
  code?: string | undefined;
  disposition?: Disposition;
  cause?: unknown;
}

/**
 * ResourceError is the one error type of resource operations: it carries the kind, the
 * address, the operation, the AWS code and whether to retry from the SDK call through apply,
 * the plan's failures, the daemon's conditions and `/status`, so nobody parses a message.
 */
export class ResourceError extends Error {
  override name = 'ResourceError';
  readonly kind: string;
  readonly address: string;
  readonly operation: Operation;
  readonly code: string | undefined;
  readonly disposition: Disposition;

  constructor(message: string, init: ResourceErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.address = init.address;
    this.operation = init.operation;
    this.code = init.code ?? errorCode(init.cause);
    this.disposition = init.disposition ?? dispositionOf(init.cause);
  }

  /** retryable tells whether running again may succeed (throttled counts as retryable). */
  get retryable(): boolean {
    return this.disposition !== 'terminal';
  }
}

function detailOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const code = errorCode(err);
  return code && !text.startsWith(code) && !(err instanceof ResourceError)
    ? `${code}: ${text}`
    : text;
}

/**
 * asResourceError wraps any error of an operation on `address`: `cannot create subnet.private-a:
 * InvalidSubnet.Conflict: ...`. An error that already is a ResourceError of the same address is
 * returned as it is.
 */
export function asResourceError(
  err: unknown,
  init: { kind: string; address: string; operation: Operation },
): ResourceError {
  if (err instanceof ResourceError && err.address === init.address) return err;
  return new ResourceError(`cannot ${init.operation} ${init.address}: ${detailOf(err)}`, {
    ...init,
    cause: err,
  });
}

/** failure builds a ResourceError a kind raises itself, without an AWS error behind it. */
export function failure(
  message: string,
  init: { kind: string; address: string; operation: Operation; disposition?: Disposition },
): ResourceError {
  return new ResourceError(message, init);
}

/** isGone tells whether an error means the resource no longer exists (the kind's codes and the generic ones). */
export function isGone(err: unknown, codes: readonly string[]): boolean {
  const code = errorCode(err);
  return isNotFound(err) || (code !== undefined && codes.includes(code));
}

/** unlessGone runs a delete of something that may be gone already (a route, an association): gone is success. */
export async function unlessGone(codes: readonly string[], call: () => Promise<unknown>) {
  try {
    await call();
  } catch (err) {
    if (!isGone(err, codes)) throw err;
  }
}

/**
 * unlessPresent runs an add to a resource (a route, a rule) that a retry of the same call whose
 * response was lost may have made already: the codes that say "already there" are success,
 * and a member that is there but different is what the next diff finds and changes.
 */
export async function unlessPresent(codes: readonly string[], call: () => Promise<unknown>) {
  try {
    await call();
  } catch (err) {
    const code = errorCode(err);
    if (code === undefined || !codes.includes(code)) throw err;
  }
}

/**
 * ErrorMatch is an AWS error code, or a code with the message that narrows it where AWS answers
 * a generic code (ECS's `ClientException` for "The specified capacity provider already exists").
 */
export type ErrorMatch = string | { code: string; message: RegExp };

/** matchesError tells whether an SDK error is one of `matches`. */
export function matchesError(err: unknown, matches: readonly ErrorMatch[]): boolean {
  const code = errorCode(err);
  if (code === undefined) return false;
  const message = err instanceof Error ? err.message : '';
  return matches.some((match) =>
    typeof match === 'string' ? match === code : match.code === code && match.message.test(message),
  );
}

/** required returns what an AWS answer must hold, or throws saying it is missing (`CreateVpc returned no VpcId`). */
export function required<T>(value: T | null | undefined, missing: string): T {
  if (value === undefined || value === null || value === '') throw new Error(missing);
  return value;
}
