// What the HPC scheduler readers (pbs.ts, slurm.ts) share: the result of reading one line or
// record, and the value formats both speak (sizes, durations). Plain functions, so a live collector
// can reuse them as they are.
import { RecordError, describe } from '../errors.ts';
import type { RawObject } from '../types/type.ts';
import { times } from '../types/units.ts';

/** One input line (or JSON record) of a scheduler, read. */
export type ParsedRecord =
  /** Finished jobs (one, or several for a Slurm `123_[1-3]` array line), in our field names. */
  | { readonly kind: 'jobs'; readonly at: number; readonly records: readonly RawObject[] }
  /** Not a finished job, on purpose (another record type, a job step, an unfinished job): counted. */
  | { readonly kind: 'skip'; readonly reason: string }
  /** Looks like a record but does not read: quarantined with its place (SPEC §9). */
  | { readonly kind: 'reject'; readonly at?: number; readonly field?: string; readonly reason: string }
  | { readonly kind: 'blank' };

/** Turns a RecordError from a field parser into a quarantine result; anything else is a bug. */
export function rejected(err: unknown, at?: number): ParsedRecord {
  if (err instanceof RecordError) return { kind: 'reject', at, field: err.field, reason: err.detail };
  throw err;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(b|w)?$/i;
const SIZE_UNITS: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

/**
 * PBS sizes (`2569184kb`, `4gb`, `512mw`; a bare number is bytes): binary multiples, a word is 8
 * bytes. Returns bytes, exact (as text) above 2^53.
 */
export function parseSize(field: string, text: string): number | string {
  const m = SIZE.exec(text.trim());
  if (!m) throw new RecordError(field, `expected a size such as 2569184kb or 4gb, found ${describe(text)}`);
  const power = SIZE_UNITS[m[2]!.toLowerCase()]!;
  const perUnit = 1024 ** power * (m[3]?.toLowerCase() === 'w' ? 8 : 1);
  return bytes(m[1]!, perUnit);
}

/** Slurm sizes (`4000M`, `16G`, `1.5T`; a bare number is megabytes, as sacct prints them). */
export function parseSlurmSize(field: string, text: string): number | string {
  const m = /^(\d+(?:\.\d+)?)([KMGTP]?)$/i.exec(text.trim());
  if (!m) throw new RecordError(field, `expected a size such as 4000M or 16G, found ${describe(text)}`);
  // Slurm's unit when none is given: megabytes.
  const unit = (m[2] || 'M').toLowerCase();
  return bytes(m[1]!, 1024 ** SIZE_UNITS[unit]!);
}

function bytes(quantity: string, perUnit: number): number | string {
  // perUnit is a power of two: the product is exact whenever it is a safe integer (the common case,
  // without a BigInt); beyond 2^53 the shared exact multiplication keeps every digit, as text.
  const product = Number(quantity) * perUnit;
  if (Number.isSafeInteger(product)) return product;
  return times(quantity, perUnit) as number | string;
}

const DURATION = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?(?:\.\d+)?$/;

/**
 * Durations as schedulers print them: seconds (`3600`), `MM:SS`, `HH:MM:SS` (hours may pass 24)
 * and Slurm's `D-HH:MM:SS` / `D-HH`. Whole seconds.
 */
export function parseDuration(field: string, text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new RecordError(field, `expected a duration such as 01:30:00 or 2-12:00:00, found ${describe(text)}`);
  const [, days, a, b, c] = m;
  const parts = [a, b, c].filter((p) => p !== undefined).map(Number);
  let seconds: number;
  if (days !== undefined) {
    // Slurm: D-HH, D-HH:MM, D-HH:MM:SS.
    const [h = 0, mi = 0, s = 0] = parts;
    seconds = h * 3600 + mi * 60 + s;
  } else if (parts.length === 3) seconds = parts[0]! * 3600 + parts[1]! * 60 + parts[2]!;
  else if (parts.length === 2) seconds = parts[0]! * 60 + parts[1]!;
  else seconds = parts[0]!;
  return Number(days ?? 0) * 86_400 + seconds;
}

const WHOLE = /^[+-]?\d+$/;

/** A whole number given as text or a number; undefined when absent. */
export function wholeNumber(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && WHOLE.test(value.trim()) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n)) return n;
  // A core count or exit status beyond 2^53 is garbage, not a count to keep exact: quarantined.
  throw new RecordError(field, `expected a whole number${Number.isInteger(n) ? ' below 2^53' : ''}, found ${describe(value)}`);
}
