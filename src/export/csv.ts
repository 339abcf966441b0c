// SPEC §8 CSV: RFC 4180, `\n` line ends, true/false, null as empty, lists space-separated, and a
// leading `'` on text that a spreadsheet would run as a formula.
import { stringify } from 'csv-stringify/sync';
import type { Value } from '../types/fields.ts';

export type Cell = string | number | boolean | null | undefined;

const OPTIONS = {
  escape_formulas: true,
  record_delimiter: '\n',
  cast: { boolean: (value: boolean) => (value ? 'true' : 'false') },
} as const;

/** One CSV line, with its line end. */
export function csvLine(cells: readonly Cell[]): string {
  return stringify([cells as Cell[]], OPTIONS);
}

/** Several cells as CSV without a line end, to be joined with others by a comma. */
export function csvCells(cells: readonly Cell[]): string {
  return csvLine(cells).slice(0, -1);
}

export function cell(value: Value | null | undefined): Cell {
  if (Array.isArray(value)) return value.join(' ');
  return value as Cell;
}
