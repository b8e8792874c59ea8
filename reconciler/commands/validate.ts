/** run is the `reconciler validate` command (not implemented yet). */
export async function run(_argv: string[]): Promise<number> {
  console.error('reconciler validate: not implemented yet');
  return 1;
}
