// SPEC §8 CSV: RFC 4180, `\n` line ends, true/false, null as empty, lists space-separated, and a
// leading `'` on text that a spreadsheet would run as a formula.
import { stringify } from 'csv-stringify/sync';
import type { Value } from '../types/fields.ts';

export type Cell = string | number | boolean | null | undefined;

const OPTIONS = {
  escape_formulas: true,
  record_delimiter: '\n',
  // With its own record_delimiter, csv-stringify quotes only that one: a bare `\r` would go out
  // unquoted, and Python's csv module (and Excel) read it as the end of a row (issue 13).
  quote_record_delimiter: true,
  cast: { boolean: (value: boolean) => (value ? 'true' : 'false') },
} as const;

/** One CSV line, with its line end. */
export function csvLine(cells: readonly Cell[]): string {
  return `${csvCells(cells)}\n`;
}

/** Several cells as CSV without a line end, to be joined with others by a comma. */
export function csvCells(cells: readonly Cell[]): string {
  // join() gives a flat string; += would build a rope of every cell, flattened again on each use.
  const texts = new Array<string>(cells.length);
  for (let i = 0; i < cells.length; i++) texts[i] = csvCell(cells[i]);
  return texts.join(',');
}

/** Text that needs quoting or a formula guard. */
const SPECIAL = /[",\n\r]|^[=+\-@\t]/;

/**
 * A negative integer beyond 2^53, kept exact as its digits (SPEC §5): a number to a spreadsheet, not
 * a formula, so it is written bare like any other number (SPEC §8). Only those: a text that merely
 * looks numeric (`-42` as a name, `-0012`) keeps its guard.
 */
const NEGATIVE_BIG_INTEGER = /^-[1-9]\d{15,}$/;

/**
 * One cell. Plain text, numbers, booleans and nulls (nearly every cell: a job export formats a million
 * rows, each once) are written here; anything to quote or guard goes through csv-stringify itself.
 */
function csvCell(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : stringify([[cell]], OPTIONS).slice(0, -1);
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  if (!SPECIAL.test(cell) || NEGATIVE_BIG_INTEGER.test(cell)) return cell;
  return stringify([[cell]], OPTIONS).slice(0, -1);
}

export function cell(value: Value | null | undefined): Cell {
  if (Array.isArray(value)) return value.join(' ');
  return value as Cell;
}

/** Lines joined a few hundred at a time: few promises per row, never one huge string. */
export function* inChunks(lines: readonly string[], size = 256): Generator<string> {
  for (let start = 0; start < lines.length; start += size) yield lines.slice(start, start + size).join('');
}
