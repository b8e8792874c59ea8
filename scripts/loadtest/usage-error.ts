/** UsageError is a bad flag or value: main prints its one-line message and exits 2, nothing sent. */
export class UsageError extends Error {
  override name = 'UsageError';
}
