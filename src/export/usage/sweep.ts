// The day-by-day walk the usage reports share: every billable period flattened once into arrays, its
// group (the row it adds to) found once, then each day's pieces summed per group in typed arrays.
// Work is periods × days of plain arithmetic; memory is periods + groups, never days × resources.
import type { Lifecycles, Period } from '../../lifecycles/period.ts';
import { byText } from '../../order.ts';
import { addDays } from '../../time.ts';
import { microHours, overlap } from '../../lifecycles/hours.ts';

export interface Groups<B> {
  /** What each group bills (its first period's), by group index. */
  readonly billed: B[];
  /** Group indexes in row order. */
  readonly order: number[];
}

/** One day's sums per group index; a group with no hours that day has `hours[g] === 0`. */
export interface DaySums {
  readonly day: number;
  readonly hours: Float64Array;
  readonly estimated: Float64Array;
  /** Resources billed for any part of the day. */
  readonly count: Int32Array;
  /** Per group: Σ piece × weight(period), one array per weight. */
  readonly weighted: readonly Float64Array[];
}

/**
 * Walks the UTC days [fromDay, toDay] up to the lifecycles' end, summing the pieces of the periods
 * `billable` keeps into the group `keyOf` names; `weights` give per-period factors (vCPUs, GB...).
 */
export function* sweepDays<B>(
  lifecycles: Lifecycles<B>,
  fromDay: number,
  toDay: number,
  billable: (billed: B) => boolean,
  keyOf: (billed: B) => string,
  weights: readonly ((billed: B) => number)[],
): Generator<DaySums & Groups<B>> {
  const { until } = lifecycles;
  const keys = new Map<string, number>();
  const billed: B[] = [];
  const flat: Period<B>[] = [];
  const group: number[] = [];
  const resource: number[] = [];
  let r = 0;
  for (const periods of lifecycles.periods.values()) {
    for (const period of periods) {
      if (!billable(period.billed)) continue;
      const key = keyOf(period.billed);
      let g = keys.get(key);
      if (g === undefined) {
        keys.set(key, (g = billed.length));
        billed.push(period.billed);
      }
      flat.push(period);
      group.push(g);
      resource.push(r);
    }
    r++;
  }
  const order = [...keys.keys()].sort(byText).map((key) => keys.get(key)!);
  const n = billed.length;
  const factor = weights.map((weight) => Float64Array.from(flat, (p) => weight(p.billed)));
  const start = Float64Array.from(flat, (p) => p.start);
  const end = Float64Array.from(flat, (p) => Math.min(p.end ?? until, until));
  const sums = { hours: new Float64Array(n), estimated: new Float64Array(n), count: new Int32Array(n), weighted: weights.map(() => new Float64Array(n)) };
  const last = new Int32Array(n);
  for (let day = fromDay; day <= toDay && day < until; day = addDays(day, 1)) {
    const dayEnd = Math.min(addDays(day, 1), until);
    sums.hours.fill(0);
    sums.estimated.fill(0);
    sums.count.fill(0);
    for (const w of sums.weighted) w.fill(0);
    last.fill(-1);
    for (let i = 0; i < flat.length; i++) {
      const a = start[i]! > day ? start[i]! : day;
      const b = end[i]! < dayEnd ? end[i]! : dayEnd;
      if (b <= a) continue;
      const piece = microHours(b) - microHours(a);
      if (piece <= 0) continue;
      const g = group[i]!;
      if (last[g] !== resource[i]) {
        sums.count[g]!++;
        last[g] = resource[i]!;
      }
      sums.hours[g]! += piece;
      const p = flat[i]!;
      if (p.estimatedUntil !== undefined || p.estimatedFrom !== undefined) sums.estimated[g]! += estimated(a, b, p);
      for (let w = 0; w < factor.length; w++) sums.weighted[w]![g]! += factor[w]![i]! * piece;
    }
    yield { day, ...sums, billed, order };
  }
}

/** The micro-hours of [a, b) that rest on an estimated start ([start, estimatedUntil)) or end ([estimatedFrom, end)). */
function estimated(a: number, b: number, period: Period<unknown>): number {
  const { start, end, estimatedUntil: until, estimatedFrom: from } = period;
  let total = until === undefined ? 0 : overlap(a, b, start, until);
  if (from !== undefined && end !== undefined) total += overlap(a, b, Math.max(from, until ?? from), end);
  return total;
}
