// Byte-wise text order: the same on every machine and locale, so exports and logs are stable.
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
