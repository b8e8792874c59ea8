/** run is the `reconciler plan` command (not implemented yet). */
export async function run(_argv: string[]): Promise<number> {
  console.error('reconciler plan: not implemented yet');
  return 1;
}
