// A ledger stream (a PBS log, a sacct dump) applied in batches as it is read, so memory follows the
// batch, not the file (a million-line log is never in memory). Each batch is one snapshot and one
// transaction. That is safe for a ledger: re-reading a file, after a crash or because it grew, finds
// what is already stored by key and counts it unchanged (SPEC §6, ledger). One summary line per file.
import type { LedgerHeader, LedgerWriter } from '../sources/dump/parts.ts';
import { type Reject, type Snapshot, SnapshotBuilder } from '../snapshot.ts';
import type { SnapshotCounts } from '../store/store.ts';
import type { Privacy } from '../types/normalise.ts';
import { type ApplyOutcome, NOTHING } from './apply.ts';

/** Records per batch: enough that a transaction's cost is spread thin, few enough to stay small. */
const LEDGER_BATCH = Number(process.env.USAGE_ETL_LEDGER_BATCH) || 20_000;

export interface LedgerFile {
  /** The file's summary: taken at its latest record, counts summed over its batches. */
  readonly summary: Snapshot;
  readonly outcome: ApplyOutcome;
  /** How many batches were stored (already-ingested ones are not). */
  readonly stored: number;
  /** Lines skipped on purpose, by reason. */
  readonly skipped: ReadonlyMap<string, number>;
}

interface LedgerHooks {
  /** Applies one batch in one transaction (or previews it in a dry run). */
  apply(batch: Snapshot): ApplyOutcome;
  /** Differing copies of one key inside a batch: the later is kept. */
  conflicts(batch: Snapshot): void;
  /** The stream is over; undefined when it held no job and nothing quarantined. */
  finished(file: LedgerFile | undefined, skipped: ReadonlyMap<string, number>): void;
}

export class LedgerBatches implements LedgerWriter {
  private builder: SnapshotBuilder;
  /** Records in the current batch; it is applied when this reaches the batch size. */
  private records = 0;
  private batchRejects = 0;
  /** Latest time of the current batch, and of the whole file so far. */
  private batchLatest = Number.NEGATIVE_INFINITY;
  private fileLatest = Number.NEGATIVE_INFINITY;
  private readonly skipped = new Map<string, number>();
  private skippedLines = 0;
  private counts: { -readonly [K in keyof SnapshotCounts]: SnapshotCounts[K] } = { ...NOTHING };
  private readonly rejects: Reject[] = [];
  private batches = 0;
  private stored = 0;

  constructor(
    private readonly file: string,
    private readonly header: LedgerHeader,
    private readonly privacy: Privacy,
    private readonly hooks: LedgerHooks,
    private readonly size = LEDGER_BATCH,
  ) {
    this.builder = new SnapshotBuilder(header.type, privacy);
  }

  add(value: unknown, location: string, at: number): void {
    this.builder.add(value, this.header.shape, this.file, location);
    this.seen(at);
    if (++this.records + this.batchRejects >= this.size) this.flush();
  }

  /** A quarantined line without a time of its own (cut short) takes its batch's time. */
  reject(location: string, reason: string, at?: number, field?: string): void {
    this.builder.reject(this.file, location, reason, field);
    if (at !== undefined) this.seen(at);
    // A file of bad lines is batched like one of good ones: bounded memory and transactions.
    if (this.records + ++this.batchRejects >= this.size) this.flush();
  }

  skip(reason: string): void {
    this.builder.skip();
    this.skippedLines++;
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  end(): void {
    this.flush();
    if (!this.batches) {
      this.hooks.finished(undefined, this.skipped);
      return;
    }
    const summary: Snapshot = {
      source: this.header.source,
      type: this.header.type,
      takenAt: this.fileLatest,
      // A ledger never removes, so "incomplete" would say nothing; quarantined lines are listed.
      complete: true,
      privateFields: this.privacy.mode,
      contentHash: '',
      origins: [this.file],
      records: new Map(),
      partial: new Set(),
      rejects: this.rejects,
      incompleteBecause: [],
      examined: this.counts.examined,
      duplicates: this.counts.duplicates,
      conflicts: [],
      skipped: this.skippedLines,
    };
    // Already ingested only when every batch was; otherwise those batches' records are unchanged.
    const status = this.stored === 0 ? 'already ingested' : 'applied';
    this.hooks.finished(
      { summary, outcome: { status, counts: { ...this.counts, skipped: this.skippedLines } }, stored: this.stored, skipped: this.skipped },
      this.skipped,
    );
  }

  private seen(at: number): void {
    this.batchLatest = Math.max(this.batchLatest, at);
    this.fileLatest = Math.max(this.fileLatest, at);
  }

  /**
   * Applies the current batch: taken at its latest record (else the file's latest so far). A batch
   * with no time yet (only lines cut short) waits for the next line that has one.
   */
  private flush(): void {
    const takenAt = Number.isFinite(this.batchLatest) ? this.batchLatest : this.fileLatest;
    if (!(this.records + this.batchRejects) || !Number.isFinite(takenAt)) return;
    const batch = this.builder.build({ source: this.header.source, takenAt, complete: true });
    this.hooks.conflicts(batch);
    const outcome = this.hooks.apply(batch);
    this.batches++;
    const c = outcome.counts;
    if (outcome.status === 'applied') {
      this.stored++;
      for (const key of ['examined', 'added', 'modified', 'removed', 'unchanged', 'rejected', 'duplicates'] as const) this.counts[key] += c[key];
    } else {
      // Identical to a batch already stored: every record in it is unchanged.
      this.counts.examined += batch.examined;
      this.counts.unchanged += batch.records.size;
      this.counts.rejected += batch.rejects.length;
    }
    // Warn about quarantined lines once: not again when a re-read finds them already stored.
    // One at a time: a spread of a batch's worth of rejects overflows the call stack.
    if (outcome.status === 'applied') for (const reject of outcome.freshRejects ?? batch.rejects) this.rejects.push(reject);
    this.builder = new SnapshotBuilder(this.header.type, this.privacy);
    this.records = 0;
    this.batchRejects = 0;
    this.batchLatest = Number.NEGATIVE_INFINITY;
  }
}
