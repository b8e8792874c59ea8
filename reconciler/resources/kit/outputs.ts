/** pick keeps the named attributes that hold a value, in the order given (a kind's outputs). */
export function pick(
  attributes: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = attributes[name];
    if (value) picked[name] = value;
  }
  return picked;
}
