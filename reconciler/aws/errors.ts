/** errorCode returns the AWS error code (name) of an SDK error, or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const withCode = err as { name?: unknown; Code?: unknown; code?: unknown };
  for (const candidate of [withCode.Code, withCode.name, withCode.code]) {
    // a ResourceError's name is its class, its AWS code is in `code`
    if (typeof candidate === 'string' && candidate !== 'Error' && candidate !== 'ResourceError') {
      return candidate;
    }
  }
  return undefined;
}

/**
 * NOT_FOUND_CODES are the codes that mean "not found" whatever the service; each kind lists its
 * own in its descriptor's `notFound` (the kit checks both).
 */
const NOT_FOUND_CODES = new Set([
  'ResourceNotFoundException',
  'NoSuchEntity',
  'NoSuchEntityException',
]);

/** isNotFound tells whether an SDK error means the resource does not exist. */
export function isNotFound(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && (NOT_FOUND_CODES.has(code) || code.endsWith('.NotFound'));
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

/** isThrottling tells whether an SDK error means AWS asked us to slow down. */
export function isThrottling(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && THROTTLING_CODES.has(code);
}

const TERMINAL_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'AuthFailure',
  'ValidationError',
  'ValidationException',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'InvalidParameterException',
  'MissingParameter',
]);

/** isTerminal tells whether retrying the same call cannot help (access denied, validation errors). */
export function isTerminal(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && TERMINAL_CODES.has(code);
}
