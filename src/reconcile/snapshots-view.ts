// SPEC §8.5, the snapshots' side: what each complete snapshot listed, replayed from the stored
// changes (SPEC §6), with what each resource bills as the usage report reads its record (§8.3).
import type { Billing } from '../lifecycles/from-snapshots.ts';
import type { HistoryReads, SeriesInfo } from '../store/index.ts';
import type { Row } from '../types/fields.ts';

export interface Listed<B> {
  readonly billed: B;
  /** When it began by its own record (launched_at, else created_at), else when a snapshot first listed it. */
  readonly since: number;
}

export interface Observation<B> {
  /** A complete snapshot's time. */
  readonly at: number;
  /** The complete snapshot before it, if any. */
  readonly previousAt?: number;
  /** Every resource it listed. (The same map, updated between observations: read it before the next.) */
  readonly listed: ReadonlyMap<string, Listed<B>>;
  /** The resources added, modified or removed since the previous complete snapshot. */
  readonly changed: ReadonlySet<string>;
}

/** The complete snapshots of a series taken before `toMs`, oldest first. */
export async function* observations<B>(reads: HistoryReads, series: SeriesInfo, billing: Billing<B>, toMs: number): AsyncGenerator<Observation<B>> {
  const times = (await reads.completeSnapshotTimes(series.id)).filter((t) => t < toMs);
  const listed = new Map<string, Listed<B>>();
  let changed = new Set<string>();
  let k = 0;
  const observe = (): Observation<B> => {
    const observation = { at: times[k]!, previousAt: k > 0 ? times[k - 1] : undefined, listed, changed };
    changed = new Set();
    k++;
    return observation;
  };
  if (!times.length) return;
  for await (const chunk of reads.changes(series.id, 0, times[times.length - 1]! + 1)) {
    for (const change of chunk) {
      while (k < times.length && times[k]! < change.takenAt) yield observe();
      changed.add(change.key);
      if (change.action === 'removed') {
        listed.delete(change.key);
        continue;
      }
      const record = JSON.parse(change.record) as Row;
      const since = listed.get(change.key)?.since ?? billing.startOf(record) ?? change.takenAt;
      listed.set(change.key, { billed: billing.billed(record, change.takenAt), since });
    }
  }
  while (k < times.length) yield observe();
}
