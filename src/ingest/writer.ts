// Where a run's snapshots go: into the history (store-writer.ts), or nowhere but the summary (a dry
// run, dry-run.ts). Both apply the same rules to the same deliveries; the run loop chooses one, once.
import type { RunTotals } from '../counts.ts';
import type { EventBatch, HistoryView, SeriesRef } from '../sources/delivery.ts';
import type { Snapshot } from '../snapshot.ts';
import type { SourceFile, SourceOutcome, Store } from '../store/index.ts';
import type { ApplyOptions, ApplyOutcome } from './rules.ts';

export interface HistoryWriter extends HistoryView {
  /** Takes the ingest lock (telling `waiting` if it must wait) and opens the run's entry in the run log (SPEC §3, §10). */
  begin(command: string, waitMs: number, waiting: () => void): Promise<void>;
  /** The key that hashes private fields, the database's own (SPEC §5: equality holds across runs). */
  hashKey(): Promise<string>;
  /** Order checks, the diff, the guards, and the writes of one snapshot, in one transaction. */
  apply(snapshot: Snapshot, options: ApplyOptions): Promise<ApplyOutcome>;
  /** Stores a batch of notifications (those already stored are counted unchanged), in one transaction. */
  applyEvents(batch: EventBatch): Promise<ApplyOutcome>;
  /** Files a source read through, so an unchanged one is not read again. */
  rememberFiles(source: string, files: readonly SourceFile[]): Promise<void>;
  /** Closes the run's entry (with how each source went) and releases the lock. */
  finish(status: 'ok' | 'failed', error: string | undefined, totals: RunTotals, sources?: readonly SourceOutcome[]): Promise<void>;
  close(): Promise<void>;
}

/** The newest snapshot time of a series as stored. */
export async function latestOf(store: Store, series: SeriesRef): Promise<number | undefined> {
  return (await store.reads.listSeries()).find((s) => s.source === series.source && s.type === series.type)?.lastAt;
}
