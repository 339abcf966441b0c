// The value formats the schedulers speak (SPEC §4.1.4, §5 `job`): PBS and Slurm sizes, durations,
// whole numbers. Plain functions, so a live collector can reuse them as they are.
import { RecordError, describe } from '../../errors.ts';
import { INTEGER } from '../../types/fields.ts';
import { times } from '../../types/units.ts';

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


/** A whole number given as text or a number; undefined when absent. */
export function wholeNumber(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && INTEGER.test(value.trim()) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n)) return n;
  // A core count or exit status beyond 2^53 is garbage, not a count to keep exact: quarantined.
  throw new RecordError(field, `expected a whole number${Number.isInteger(n) ? ' below 2^53' : ''}, found ${describe(value)}`);
}
