/** run is the `reconciler apply` command (not implemented yet). */
export async function run(_argv: string[]): Promise<number> {
  console.error('reconciler apply: not implemented yet');
  return 1;
}
