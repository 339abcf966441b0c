// SPEC §8.5 `reconcile`: one source's instances or volumes as its notifications tell them against its
// complete polled snapshots. The events' side is folded whole (events-view.ts), the snapshots are
// replayed one complete snapshot at a time (snapshots-view.ts) and compared resource by resource
// (compare.ts); the audit periods (exists.ts) and the silent days (gaps.ts) are checked beside.
import type { SnapshotPeriods } from '../lifecycles/from-snapshots.ts';
import type { BilledOf, Period, VmBilled, VolumeBilled } from '../lifecycles/period.ts';
import type { BillingPolicy } from '../lifecycles/policy.ts';
import type { EventSeries, HistoryReads, SeriesInfo } from '../store/index.ts';
import { type Aspect, VM_ASPECTS, volumeAspects } from './aspects.ts';
import { Comparison } from './compare.ts';
import type { Disagreement } from './disagreement.ts';
import { eventsView } from './events-view.ts';
import { missingExists } from './exists.ts';
import { GapFinder } from './gaps.ts';
import { hoursDelta } from './hours.ts';
import { observations } from './snapshots-view.ts';

export interface ReconcileInput<T extends 'vm' | 'volume'> {
  readonly type: T;
  /** The source's snapshot series of the type, and what its notifications cover of it. */
  readonly series: SeriesInfo;
  readonly events: EventSeries;
  readonly fromMs: number;
  readonly toMs: number;
}

/** The disagreements that hold at some point of [fromMs, toMs), in no particular order. */
export async function reconcile<T extends 'vm' | 'volume'>(
  reads: HistoryReads,
  policy: BillingPolicy,
  snapshots: SnapshotPeriods,
  input: ReconcileInput<T>,
): Promise<Disagreement[]> {
  const { type, series, fromMs, toMs } = input;
  const source = series.source;
  const heard = await eventsView(reads, policy, type, source);
  const aspects = (type === 'vm' ? VM_ASPECTS : volumeAspects(heard.typeNames)) as readonly Aspect<BilledOf[T]>[];
  const comparison = new Comparison(heard, aspects);
  const gaps = new GapFinder(heard, fromMs, toMs);
  for await (const observation of observations(reads, series, await snapshots.billing(type, source), toMs)) {
    comparison.observe(observation);
    gaps.observe(observation);
  }
  const polled = await snapshots.lifecycles(type, series, fromMs, toMs);
  // Hours are counted only while both sides were observing: up to the last snapshot and the last message.
  const snapshotsUntil = polled.until;
  const eventsUntil = input.events.lastAt;
  const priceTo = Math.min(toMs, snapshotsUntil, eventsUntil);
  const rows: Disagreement[] = [];
  for (const found of comparison.finish()) {
    if (found.firstSeenAt >= toMs || (found.windowEnd !== undefined && found.windowEnd <= fromMs)) continue;
    const from = Math.max(found.windowStart ?? fromMs, fromMs);
    const to = Math.min(found.windowEnd ?? priceTo, priceTo);
    const sides = {
      snapshots: (polled.periods.get(found.id) ?? []) as readonly Period<VmBilled | VolumeBilled>[],
      events: (heard.resources.get(found.id)?.periods ?? []) as readonly Period<VmBilled | VolumeBilled>[],
      snapshotsUntil,
      eventsUntil,
    };
    const { windowStart: _s, windowEnd: _e, ...row } = found;
    rows.push({ ...row, source, resourceType: type, hoursDelta: hoursDelta(type, found.kind, sides, from, to) ?? 0 });
  }
  rows.push(...missingExists(source, type, heard, polled.periods, snapshotsUntil, fromMs, toMs));
  rows.push(...gaps.rows(source, type));
  return rows;
}

/**
 * The `event_gap` days of [fromMs, toMs) alone, oldest first (`status --check`, issue 11): the same
 * silent days the report's rows span. Only the stretches between complete snapshots that end in the
 * range are read (a check runs every night: it must not replay the whole history).
 */
export async function eventGapDays(reads: HistoryReads, policy: BillingPolicy, input: ReconcileInput<'vm' | 'volume'>): Promise<number[]> {
  const { type, series, fromMs, toMs } = input;
  const times = (await reads.completeSnapshotTimes(series.id)).filter((t) => t < toMs);
  const inRange = times.findIndex((t) => t >= fromMs);
  // A stretch needs a complete snapshot before it: the first one of all ends none.
  const first = Math.max(1, inRange);
  if (inRange < 0 || first >= times.length) return [];
  const heard = await eventsView(reads, policy, type, series.source);
  const gaps = new GapFinder(heard, fromMs, toMs);
  let k = first;
  let changed = new Set<string>();
  const observe = () => {
    // GapFinder reads the times and the changed resources only.
    gaps.observe({ at: times[k]!, previousAt: times[k - 1], listed: new Map(), changed });
    changed = new Set();
    k++;
  };
  // A change belongs to the stretch ending at the first complete snapshot at or after it.
  for await (const chunk of reads.changes(series.id, times[first - 1]! + 1, times[times.length - 1]! + 1)) {
    for (const change of chunk) {
      while (times[k]! < change.takenAt) observe();
      changed.add(change.key);
    }
  }
  while (k < times.length) observe();
  return gaps.days();
}
