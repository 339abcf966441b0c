// SPEC §8.3: hours as decimal numbers with at most 6 decimals, every interval half-open and clipped
// to UTC days, so a range's days sum exactly to the range. Times are counted on a grid of millionths
// of an hour (3.6 ms) from the epoch: every UTC midnight lies on it, so the micro-hours of a day's
// pieces add up to the same whole however a range is cut into days.

/** An instant on the grid (ms -> micro-hours since the epoch). */
export function microHours(ms: number): number {
  return Math.round(ms / 3.6);
}

/** The micro-hours of [a, b) ∩ [c, d). */
export function overlap(a: number, b: number, c: number, d: number): number {
  const lo = Math.max(a, c);
  const hi = Math.min(b, d);
  return hi > lo ? microHours(hi) - microHours(lo) : 0;
}

/** Micro-hours (times a whole factor) as hours. */
export function hours(microHoursTotal: number): number {
  return Math.round(microHoursTotal) / 1e6;
}
