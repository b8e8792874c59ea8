/**
 * alignColumns lays rows out as borderless columns two spaces apart, each as wide as its widest
 * cell, `right` columns aligned right (counts), trailing spaces trimmed. One helper for the CLI's
 * tables (`--stats`, `reconciler status`); text-table does the same but has had no release since
 * 2014 and no types, and columnify wraps cells, which these tables must not.
 */
export function alignColumns(
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number> = new Set(),
): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) =>
        right.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}
