// SPEC §5: integers beyond 2^53 are kept exact, as their digits, whether a document is parsed whole
// or split into its elements first (split.ts): each is parsed here.

/** A JSON string (left as it is) or an integer token of 16 or more digits. */
const STRING_OR_LONG_INTEGER = /"[^"\\]*(?:\\.[^"\\]*)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;
const LONG_INTEGER = /^-?\d{16,}$/;

/**
 * JSON.parse, except that integers a double cannot hold (beyond 2^53) become strings of their
 * digits, which `int` fields keep as they are. The common case costs one walk of the parsed value;
 * only a text that holds such a number is parsed a second time.
 */
export function parseExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!holdsInexactNumber(value)) return value;
  return JSON.parse(text.replace(STRING_OR_LONG_INTEGER, (token) => (inexactInteger(token) ? `"${token}"` : token)));
}

/** The digits of an integer token that a double would round; undefined for any other token. */
function inexactInteger(token: string): string | undefined {
  return LONG_INTEGER.test(token) && !Number.isSafeInteger(Number(token)) ? token : undefined;
}

function holdsInexactNumber(value: unknown): boolean {
  if (typeof value === 'number') return Math.abs(value) > Number.MAX_SAFE_INTEGER;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsInexactNumber(item)) return true;
    return false;
  }
  for (const key in value) if (holdsInexactNumber((value as Record<string, unknown>)[key])) return true;
  return false;
}
