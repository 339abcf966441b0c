// The bench's tables: a number with thousands separators, and columns as wide as their widest cell.

export const int = (x: number) => Math.round(x).toLocaleString('en');

/** Prints a table: the first column left-aligned, the others right-aligned; a one-cell row as it is. */
export function printTable(table: readonly (readonly string[])[]): void {
  const widths = table[0]!.map((_, c) => Math.max(...table.filter((t) => t.length > 1).map((t) => t[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  for (const cells of table) console.log(cells.length > 1 ? line(cells) : cells[0]);
}
