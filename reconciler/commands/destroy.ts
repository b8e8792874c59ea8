/** run is the `reconciler destroy` command (not implemented yet). */
export async function run(_argv: string[]): Promise<number> {
  console.error('reconciler destroy: not implemented yet');
  return 1;
}
