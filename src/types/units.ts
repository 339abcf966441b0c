// Unit conversions for readers (KiB, MiB, statvfs blocks -> bytes) that stay exact beyond 2^53 (SPEC §5).
import { INTEGER, NUMBER } from './fields.ts';

/**
 * `value × factor` in whole units: a number while it is exact, else the digits as text. A value that
 * is not a number (nor a number given as text) is returned as it is, for coercion to refuse with
 * the field's name; an absent value or factor gives nothing.
 */
export function times(value: unknown, factor: unknown): unknown {
  const by = bigIntOf(factor);
  if (by === undefined || value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) return value;
  // Integers (a big one arrives as its digits) multiply exactly; fractions are rounded to a whole unit.
  if (INTEGER.test(text)) return exact(BigInt(text) * by);
  if (NUMBER.test(text)) {
    const product = Number(text) * Number(by);
    return Number.isFinite(product) ? exact(BigInt(Math.round(product))) : value;
  }
  return value;
}

function bigIntOf(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && INTEGER.test(value.trim())) return BigInt(value.trim());
  return undefined;
}

function exact(n: bigint): number | string {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

export const KIB = 1024;
export const MIB = 1024 * 1024;
