// A ledger stream (a PBS log, a sacct dump or run) read into batches of jobs as it is read, so a file
// of a million lines is never in memory: each batch is one snapshot, applied in its own transaction
// (SPEC §6, ledger). A reader hands each parsed line to `take` and passes on the batches `ready` has.
import { InputError } from '../../errors.ts';
import { type Snapshot, SnapshotBuilder } from '../../snapshot.ts';
import { job } from '../../types/job.ts';
import type { Privacy } from '../../types/normalise.ts';
import type { Delivery, StreamRef } from '../delivery.ts';
import type { ParsedRecord } from './record.ts';

/** Records per batch: enough that a transaction's cost is spread thin, few enough to stay small. */
export const LEDGER_BATCH = 20_000;

export class LedgerFeed {
  readonly stream: StreamRef;
  private builder: SnapshotBuilder;
  /** Records and quarantined lines in the current batch; it is closed when they reach the batch size. */
  private entries = 0;
  /** Latest time of the current batch, and of the whole stream so far. */
  private batchLatest = Number.NEGATIVE_INFINITY;
  private streamLatest = Number.NEGATIVE_INFINITY;
  private readonly done: Snapshot[] = [];
  readonly skipped = new Map<string, number>();
  private timed = false;
  private firstProblem?: string;

  constructor(
    file: string,
    readonly source: string,
    private readonly privacy: Privacy,
    private readonly size = LEDGER_BATCH,
  ) {
    this.stream = { file, source, type: job.name, startedAt: performance.now() };
    this.builder = new SnapshotBuilder(job, privacy);
  }

  /** One parsed line (or JSON record) at `location`. */
  take(result: ParsedRecord, location: string): void {
    switch (result.kind) {
      case 'jobs':
        this.timed = true;
        for (const record of result.records) {
          this.builder.add(record, 'canonical', this.stream.file, location);
          this.seen(result.at);
        }
        break;
      case 'skip':
        this.builder.skip();
        this.skipped.set(result.reason, (this.skipped.get(result.reason) ?? 0) + 1);
        break;
      case 'reject':
        if (result.at !== undefined) this.timed = true;
        this.firstProblem ??= `${location}: ${result.field ? `${result.field}: ` : ''}${result.reason}`;
        // A quarantined line without a time of its own (cut short) takes its batch's time.
        this.builder.reject(this.stream.file, location, result.reason, result.field);
        if (result.at !== undefined) this.seen(result.at);
        else if (++this.entries >= this.size) this.close();
        return;
      case 'blank':
        return;
    }
  }

  /** Whether batches are ready to be passed on. */
  get hasReady(): boolean {
    return this.done.length > 0;
  }

  /** The batches closed since last asked, as deliveries. */
  *ready(): Generator<Delivery> {
    for (const batch of this.done.splice(0)) yield { kind: 'batch', stream: this.stream, batch };
  }

  /**
   * The stream is over: its last batch, then its end. Quarantined lines need a snapshot time, so a
   * file without one readable time is not a log at all (InputError).
   */
  *end(): Generator<Delivery> {
    if (this.firstProblem !== undefined && !this.timed) {
      throw new InputError(this.stream.file, undefined, `no record in it could be read (first problem: ${this.firstProblem})`);
    }
    this.close();
    yield* this.ready();
    yield { kind: 'stream-end', stream: this.stream, skipped: this.skipped };
  }

  private seen(at: number): void {
    this.batchLatest = Math.max(this.batchLatest, at);
    this.streamLatest = Math.max(this.streamLatest, at);
    if (++this.entries >= this.size) this.close();
  }

  /**
   * Closes the current batch: taken at its latest record (else the stream's latest so far). A batch
   * with no time yet (only lines cut short) waits for the next line that has one.
   */
  private close(): void {
    const takenAt = Number.isFinite(this.batchLatest) ? this.batchLatest : this.streamLatest;
    if (!this.entries || !Number.isFinite(takenAt)) return;
    this.done.push(this.builder.build({ source: this.source, takenAt, complete: true }));
    this.builder = new SnapshotBuilder(job, this.privacy);
    this.entries = 0;
    this.batchLatest = Number.NEGATIVE_INFINITY;
  }
}

/**
 * A scheduler's text output, line by line (`parse` gets each line and its 1-based number), as a ledger
 * stream. `locate` names a line's place in messages and rejects (default: its line number).
 */
export async function* ledgerLines(
  feed: LedgerFeed,
  lines: AsyncIterable<string> | Iterable<string>,
  parse: (line: string, number: number) => ParsedRecord,
  locate: (line: string, number: number) => string = (_line, number) => `line ${number}`,
): AsyncGenerator<Delivery> {
  let number = 0;
  for await (const line of lines) {
    number++;
    feed.take(parse(line, number), locate(line, number));
    if (feed.hasReady) yield* feed.ready();
  }
  yield* feed.end();
}
