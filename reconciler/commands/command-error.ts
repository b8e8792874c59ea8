/** CommandError is a user-facing failure of a command: printed as `reconciler <cmd>: message`, exit 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/** messageOf is an error's message. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
