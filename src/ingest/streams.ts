// A ledger stream (a PBS log, a sacct dump or run) arrives batch by batch, each applied in its own
// transaction, so memory follows the batch, not the file. That is safe for a ledger: reading a file
// again, after a crash or because it grew, finds what is stored by key and counts it unchanged
// (SPEC §6, ledger). This sums a stream's batches into its one summary line.
import { type Mutable, NOTHING, type SnapshotCounts } from '../counts.ts';
import type { StreamRef } from '../sources/delivery.ts';
import type { Reject } from '../snapshot.ts';
import type { Summary } from './report.ts';
import type { ApplyOutcome } from './rules.ts';

export class StreamSummary {
  private readonly counts: Mutable<SnapshotCounts> = { ...NOTHING };
  private readonly rejects: Reject[] = [];
  private latest = Number.NEGATIVE_INFINITY;
  batches = 0;
  /** Batches stored (already-ingested ones are not). */
  stored = 0;

  constructor(readonly stream: StreamRef) {}

  /** A batch: when it was taken, how many records it examined and held, and what applying it did. */
  add(batch: { readonly takenAt: number; readonly examined: number; readonly size: number; readonly rejects: readonly Reject[] }, outcome: ApplyOutcome): void {
    this.batches++;
    this.latest = Math.max(this.latest, batch.takenAt);
    if (outcome.status === 'applied') {
      this.stored++;
      for (const key of ['examined', 'added', 'modified', 'removed', 'unchanged', 'rejected', 'duplicates'] as const) this.counts[key] += outcome.counts[key];
      // Warned about once: not again when a re-read finds them already stored. One at a time: a
      // spread of a batch's worth of rejects overflows the call stack.
      for (const reject of outcome.freshRejects ?? batch.rejects) this.rejects.push(reject);
    } else {
      // Identical to a batch already stored: every record in it is unchanged.
      this.counts.examined += batch.examined;
      this.counts.unchanged += batch.size;
      this.counts.rejected += batch.rejects.length;
    }
  }

  /** The file's line: taken at its latest record, counts summed; undefined when it held no batch. */
  summary(skipped: ReadonlyMap<string, number>): Summary | undefined {
    if (!this.batches) return undefined;
    let skippedLines = 0;
    for (const count of skipped.values()) skippedLines += count;
    return {
      source: this.stream.source,
      type: this.stream.type,
      takenAt: this.latest,
      // A ledger never removes, so "incomplete" would say nothing; quarantined lines are listed.
      complete: true,
      incompleteBecause: [],
      // Already ingested only when every batch was; otherwise those batches' records are unchanged.
      status: this.stored === 0 ? 'already ingested' : 'applied',
      counts: { ...this.counts, skipped: skippedLines },
      rejects: this.rejects,
      elapsedMs: performance.now() - this.stream.startedAt,
    };
  }
}
