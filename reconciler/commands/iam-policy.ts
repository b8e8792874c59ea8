/** run is the `reconciler iam-policy` command (not implemented yet). */
export async function run(_argv: string[]): Promise<number> {
  console.error('reconciler iam-policy: not implemented yet');
  return 1;
}
