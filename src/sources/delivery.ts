// What a source hands to ingest, in the order ingest must apply it (SPEC §6: by taken_at within a
// series). Sources produce deliveries; the one run loop in src/ingest/ consumes them, so no source
// knows whether the history is written or only previewed.
import { InputError } from '../errors.ts';
import type { Reject, Snapshot } from '../snapshot.ts';
import type { SourceFile, StoredEvent } from '../store/index.ts';
import type { Privacy } from '../types/normalise.ts';

/** One (source, resource type): the unit that history is kept for. */
export interface SeriesRef {
  readonly source: string;
  readonly type: string;
}

/** A ledger stream (a PBS log, a sacct dump or run): applied batch by batch, summed up in one line. */
export interface StreamRef extends SeriesRef {
  /** The file or command it came from. */
  readonly file: string;
  /** performance.now() when its reading began. */
  readonly startedAt: number;
}

export type Delivery =
  /** One whole snapshot; `startedAt` (performance.now()) when its collection began, if before now. */
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot; readonly startedAt?: number }
  /** A file of one series, read only if nothing earlier of that series failed in this run. */
  | { readonly kind: 'file'; readonly file: string; readonly series: SeriesRef; read(): AsyncIterable<Delivery> }
  /** One batch of a ledger stream. */
  | { readonly kind: 'batch'; readonly stream: StreamRef; readonly batch: Snapshot }
  /** One batch of notifications (SPEC §4.4), stored in one transaction. */
  | { readonly kind: 'events'; readonly stream: StreamRef; readonly batch: EventBatch }
  /** A ledger stream is over; what it skipped on purpose, by reason (SPEC §9). */
  | { readonly kind: 'stream-end'; readonly stream: StreamRef; readonly skipped: ReadonlyMap<string, number> }
  /** Something failed and wrote nothing; later snapshots of its series wait for the next run. */
  | { readonly kind: 'failed'; readonly message: string; readonly series?: SeriesRef }
  /** Input skipped on purpose (another schema, a re-delivered message), counted by reason. */
  | { readonly kind: 'skipped'; readonly reason: string; readonly count: number }
  /** Routine information worth a line in a log (not shown with --quiet). */
  /** A line for people; a `detail` (an HTTP retry) only with -v. */
  | { readonly kind: 'note'; readonly message: string; readonly detail?: boolean }
  /** Spinner text, on a terminal only. */
  | { readonly kind: 'progress'; readonly text: string }
  /** Files read through: remembered (so not read again while unchanged) only if the source had no failure. */
  | { readonly kind: 'files-read'; readonly source: string; readonly files: readonly SourceFile[] };

/** Notifications read from a file, each with the keys that recognise it when it comes again. */
export interface EventBatch {
  readonly source: string;
  /** Every message read, used or not (unused ones have no action). */
  readonly events: readonly StoredEvent[];
  readonly rejects: readonly Reject[];
  /** Messages among `events` the fold does not use. */
  readonly unused: number;
  /** The latest message time in the batch (epoch ms). */
  readonly latestAt: number;
}

/** What a source may ask of the history before it collects (never written through here). */
export interface HistoryView {
  /** The newest snapshot time of a series, if it has any. */
  latestAt(series: SeriesRef): Promise<number | undefined>;
  /** Of these files, the ones read through before at exactly this size and modification time. */
  unchangedFiles(source: string, files: readonly SourceFile[]): Promise<Set<string>>;
}

/** What every source is given for one run. */
export interface CollectContext {
  readonly history: HistoryView;
  /** How a source's private fields are stored (SPEC §5). */
  privacy(source: string): Privacy;
}

/**
 * A file's deliveries, its failure turned into a `failed` delivery of its series (later files of the
 * series then wait). Batches delivered before the failure stay: reading the file again recognises them.
 */
export async function* failingSoftly(series: SeriesRef, read: AsyncIterable<Delivery>): AsyncGenerator<Delivery> {
  try {
    yield* read;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    yield { kind: 'failed', message: err.message, series };
  }
}
