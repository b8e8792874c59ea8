/** run is the `reconciler run` command (not implemented yet). */
export async function run(_argv: string[]): Promise<number> {
  console.error('reconciler run: not implemented yet');
  return 1;
}
