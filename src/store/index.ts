// The history store, as the rest of the code sees it: a few coarse-grained, asynchronous calls
// grouped by job, so that a second backend (PostgreSQL, SPEC §10) can implement the same interface
// without ingest or export changing. Every write of a snapshot is one call and one transaction.
// (open.ts opens one; sqlite/ is the SQLite implementation.)
import type { RunTotals, SnapshotCounts } from '../counts.ts';
import type { PresentSink } from '../diff.ts';
import type { Reject } from '../snapshot.ts';

export type Action = 'added' | 'modified' | 'removed';

export interface OpenOptions {
  /** Open for reading only; the database must exist. Reads then see one consistent state. */
  readonly readonly?: boolean;
  /** The database must exist already: a command that only tidies one never creates it (prune). */
  readonly existing?: boolean;
}

export interface Store {
  /** Where the history is, for messages (a file path, or host:port/database). */
  readonly path: string;
  readonly lock: IngestLock;
  readonly runs: RunLog;
  readonly history: HistoryStore;
  readonly reads: HistoryReads;
  readonly files: FilesRead;
  readonly retention: Retention;
  readonly checks: StatusChecks;
  /** The HMAC key of `private_fields: hash`; made on first use when `create` (never in a dry run). */
  hashKey(create: boolean): Promise<string | undefined>;
  close(): Promise<void>;
}

/** The resource type notification streams and their quarantined messages are recorded under. */
export const NOTIFICATION = 'notification';

// --- one ingest at a time (SPEC §10) ---------------------------------------------------------

export interface IngestLock {
  /**
   * Takes the lock, waiting up to `waitMs` for another ingest to finish (`waiting` is told when that
   * happens); a LockError naming the holder when it does not end in time. `exclusive`: no other
   * ingest of any source meanwhile (prune). SQLite's one lock always is; PostgreSQL's runs lock
   * each source they touch, so that collectors of different sources run at once.
   */
  acquire(command: string, waitMs: number, waiting?: () => void, exclusive?: boolean): Promise<void>;
  release(): Promise<void>;
  /** Whether the run of process `pid` still holds the lock (a 'running' run without it was killed). */
  isRunning(pid: number): Promise<boolean>;
}

// --- runs (SPEC §3) -------------------------------------------------------------------------

export interface RunLog {
  start(command: string): Promise<number>;
  /** Closes a run, with how each source it collected went (what `status --check` reads). */
  finish(runId: number, status: 'ok' | 'failed', error: string | undefined, totals: RunTotals, sources?: readonly SourceOutcome[]): Promise<void>;
  recent(limit: number): Promise<RunStatus[]>;
}

export interface RunStatus {
  readonly id: number;
  readonly command: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: 'running' | 'ok' | 'failed';
  readonly error: string | null;
  readonly snapshots: number;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly rejected: number;
}

/** How one source's collection went in a run: failed when anything of it failed (the first error kept). */
export interface SourceOutcome {
  readonly source: string;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
}

/** A source's last finished run (`status --check`), and when a run last collected it without failure. */
export interface SourceRun {
  readonly source: string;
  readonly runId: number;
  readonly status: 'ok' | 'failed';
  readonly finishedAt: number;
  readonly error: string | null;
  readonly lastOkAt: number | null;
}

// --- monitoring (`status --check`) ------------------------------------------------------------

export interface QuarantinedSince {
  readonly source: string;
  readonly type: string;
  readonly count: number;
}

export interface StatusChecks {
  /**
   * Records a check made at `checkedAt`; returns when the one before was (undefined: never) and the
   * records quarantined since it (since ever for the first check), per source and type.
   */
  record(checkedAt: number): Promise<{ readonly previousAt?: number; readonly quarantined: readonly QuarantinedSince[] }>;
}

// --- writing history (SPEC §6) --------------------------------------------------------------

/** What the diff of a state snapshot needs to know of its series. */
export interface SeriesState {
  /** Undefined while the series has no history. */
  readonly id?: number;
  readonly latestAt?: number;
  /** This very snapshot (time and content) is stored already. */
  readonly sameStored: boolean;
  /** Another snapshot at this time is stored. */
  readonly otherAtTime: boolean;
}

/** What the diff of a ledger snapshot needs: only the keys it carries (a ledger grows for ever). */
export interface LedgerState {
  readonly id?: number;
  readonly sameStored: boolean;
  /** The stored records among the keys asked for: hash, and when they were stored. */
  readonly stored: Map<string, { hash: string; takenAt: number }>;
}

/** A record as stored: its key, canonical JSON and hash. */
export interface StoredRecord {
  readonly key: string;
  /** The record's JSON: as text, or as its UTF-8 bytes (a first load's records, never decoded: issue 14). */
  readonly json: string | Uint8Array;
  readonly hash: string;
}

/** One snapshot's whole effect on the history, written in one transaction. */
/** The last step of a write before it commits (a signal heard by then rolls the write back: issue 13). */
export type BeforeCommit = () => Promise<void>;

export interface SnapshotWrite {
  readonly source: string;
  readonly type: string;
  readonly runId: number;
  readonly takenAt: number;
  readonly complete: boolean;
  readonly privateFields: string;
  readonly contentHash: string;
  /** The files it was read from. */
  readonly origin: string;
  readonly counts: SnapshotCounts;
  /** performance.now() when the work on it began: the snapshot's elapsed time ends at its commit. */
  readonly startedAt: number;
  /**
   * State types: the latest snapshot time the diff was computed against (null: none yet). The write
   * is refused if the series has moved on since: a second writer must never interleave.
   */
  readonly diffedAgainst?: number | null;
  readonly added: Iterable<StoredRecord>;
  /** New records with `{field: {old, new}}` as JSON. */
  readonly modified: Iterable<StoredRecord & { readonly fields: string }>;
  /** Last records of the resources removed. */
  readonly removed: Iterable<StoredRecord>;
  readonly rejects: readonly Reject[];
  /**
   * Ledger types: `day` names the time field that places a record on a day (SPEC §8.1); a
   * quarantined line already stored (a growing log read again) is not stored twice.
   */
  readonly ledger?: { readonly day?: string };
}

export interface HistoryStore {
  seriesState(source: string, type: string, takenAt: number, contentHash: string): Promise<SeriesState>;
  /**
   * Hands each present resource's key and record hash to `into.set(key, hash)`, in any order: what
   * the next snapshot is diffed against (a Diff, streamed), or a KeyHashes to keep (key-hashes.ts).
   */
  current(seriesId: number, into: PresentSink): Promise<void>;
  ledgerState(source: string, type: string, takenAt: number, contentHash: string, keys: Iterable<string>): Promise<LedgerState>;
  /** The present records of some resources of a series (canonical JSON), for field changes and removals. */
  records(seriesId: number, keys: Iterable<string>): Promise<Map<string, string>>;
  /**
   * Writes one snapshot; returns the quarantined records stored (a re-read log repeats none).
   * `beforeCommit` is awaited with the transaction still open: if it throws, nothing is written.
   */
  write(snapshot: SnapshotWrite, beforeCommit?: BeforeCommit): Promise<readonly Reject[]>;
  /** Stores a batch of notifications in one transaction; those already stored (same message id, or the same event re-emitted) are not stored again. */
  writeEvents(batch: EventsWrite): Promise<EventsWritten>;
  /** Of these notifications, those already stored, as `${at}\0${dedupeKey}`. */
  knownEvents(source: string, events: readonly Pick<StoredEvent, 'at' | 'dedupeKey'>[]): Promise<Set<string>>;
}

// --- notifications (SPEC §4.4) ---------------------------------------------------------------

/** One notification as stored. */
export interface StoredEvent {
  readonly messageId?: string;
  /** Event type, resource and payload hash: with `at`, what recognises the same event again, whatever its message id. */
  readonly dedupeKey: string;
  readonly eventType: string;
  /** What happened; undefined for a message the fold does not use (stored, counted as skipped). */
  readonly action?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  /** Epoch ms. */
  readonly at: number;
  /** The normalised facts, as JSON. */
  readonly facts?: string;
  /** The payload as JSON (kept until prune, SPEC §4.4), without private fields unless the source keeps them (SPEC §5). */
  readonly payload: string;
  readonly file: string;
  readonly location: string;
}

export interface EventsWrite {
  readonly source: string;
  readonly runId: number;
  readonly events: readonly StoredEvent[];
  readonly rejects: readonly Reject[];
}

export interface EventsWritten {
  /** New events the fold uses. */
  readonly stored: number;
  /** Events the fold uses that were stored already: re-delivered, re-emitted, or a file read again. */
  readonly duplicates: number;
  /** New messages the fold does not use (stored all the same). */
  readonly unusedStored: number;
  /** Quarantined messages stored for the first time (a growing capture read again repeats none). */
  readonly freshRejects: readonly Reject[];
}

/** An event as the lifecycle fold reads it. */
export interface EventRow {
  readonly id: number;
  readonly resourceId: string;
  readonly action: string;
  readonly at: number;
  readonly facts: string;
}

/** What a source's notifications cover: its resource types, and when its first and last message came. */
export interface EventSeries {
  readonly source: string;
  readonly type: string;
  readonly firstAt: number;
  /** The last message of the source, of any type: the listener was alive until then. */
  readonly lastAt: number;
}

export interface EventStatus {
  readonly source: string;
  readonly events: number;
  readonly lastAt: number | null;
  /** Messages stored but not used by the fold (other services, other event types). */
  readonly skipped: number;
  readonly quarantined: number;
}

// --- prune (SPEC §10) ------------------------------------------------------------------------

/** What prune removes: logs of what happened, never the history nor what recognises an event again. */
export interface Pruned {
  /** Run rows no snapshot or event points at, other than the latest run of each command line. */
  readonly runs: number;
  /** Quarantined records. */
  readonly rejects: number;
  /** Raw notification payloads (the event, its facts and its de-duplication key stay). */
  readonly payloads: number;
}

/** What `prune --series … --after …` removes: one series' snapshots after a time, with their changes. */
export interface Undone {
  readonly snapshots: number;
  readonly changes: number;
  /** The time of the latest snapshot left, the one the present state is now as of. */
  readonly latestLeft?: number;
}

export interface Retention {
  /** What `prune` would remove of what runs started before `cutoff` (epoch ms) stored; changes nothing. */
  expired(cutoff: number): Promise<Pruned>;
  /** Removes it, in one transaction. */
  prune(cutoff: number): Promise<Pruned>;
  /**
   * The way out of a poisoned series (issue 13: a snapshot from the far future, applied before the
   * guard): its snapshots taken after `after`, their changes and quarantined records, removed in one
   * transaction, and its present state rebuilt from the changes left. With `dryRun`, only counted.
   * State types only (a ledger's present state is every record ever stored). Undefined: no such series.
   */
  undoAfter(series: { readonly source: string; readonly type: string }, after: number, dryRun: boolean): Promise<Undone | undefined>;
  /** Gives the space freed back to the file system (the file shrinks). */
  compact(): Promise<void>;
  /** Bytes the history takes on disk. */
  size(): Promise<number>;
}

// --- files a source has read through -----------------------------------------------------------

/** A file as it was when listed: path, size and modification time (whole ms). */
export interface SourceFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface FilesRead {
  /** Of these files, the ones read through before at exactly this size and modification time. */
  unchanged(source: string, files: readonly SourceFile[]): Promise<Set<string>>;
  record(source: string, files: readonly SourceFile[], at: number): Promise<void>;
}

// --- reading history (export, status) ------------------------------------------------------

export interface SeriesInfo {
  readonly id: number;
  readonly source: string;
  readonly type: string;
  readonly firstAt: number;
  readonly lastAt: number;
}

export interface ChangeRow {
  readonly id: number;
  readonly takenAt: number;
  readonly key: string;
  readonly action: Action;
  readonly record: string;
  readonly fields: string | null;
}

export interface LedgerRow {
  readonly key: string;
  readonly at: number;
  readonly record: string;
  /** The record's latest change is an update. */
  readonly modified: boolean;
}

export interface RejectRow extends Reject {
  readonly runId: number;
  readonly source: string;
  readonly type: string;
}

export interface SeriesStatus {
  readonly source: string;
  readonly type: string;
  readonly present: number;
  readonly snapshots: number;
  readonly rejected: number;
  readonly lastAt: number | null;
  readonly complete: number | null;
  readonly added: number | null;
  readonly modified: number | null;
  readonly removed: number | null;
  readonly unchanged: number | null;
  readonly lastRejected: number | null;
}

/** Reads come in chunks of rows, so memory does not grow with the history and a network store pays per chunk. */
export interface HistoryReads {
  /** Every series with its first and last snapshot time, ordered by source then type. */
  listSeries(): Promise<SeriesInfo[]>;
  sourceNames(): Promise<string[]>;
  /** Whether any snapshot of these series stored private fields (kept or hashed). */
  storesPrivateFields(seriesIds: readonly number[]): Promise<boolean>;
  /** When each snapshot of a series was taken, oldest first (the brackets of the changes between them). */
  snapshotTimes(seriesId: number): Promise<number[]>;
  /** When each complete snapshot of a series was taken (every part at that time complete), oldest first (SPEC §8.5). */
  completeSnapshotTimes(seriesId: number): Promise<number[]>;
  /** Changes of one series with from <= taken_at < to, in the order they were applied. */
  changes(seriesId: number, fromMs: number, toMs: number): AsyncIterable<readonly ChangeRow[]>;
  /** Changes of several series in a time range, ordered by time, source, type and key (SPEC §8.2). */
  changesAcross(seriesIds: readonly number[], fromMs: number, toMs: number): AsyncIterable<readonly (ChangeRow & { readonly seriesId: number })[]>;
  /** The records of a ledger placed in [fromMs, toMs) (a job by its end), each in its latest version, in time order. */
  ledgerRecords(seriesId: number, fromMs: number, toMs: number): AsyncIterable<readonly LedgerRow[]>;
  seriesStatus(): Promise<SeriesStatus[]>;
  recentRejects(limit: number): Promise<RejectRow[]>;
  /** The (source, resource type) pairs notifications cover, ordered by source then type. */
  eventSeries(): Promise<EventSeries[]>;
  /** One resource type's events of a source, ordered by resource, time and arrival. */
  events(source: string, type: string): AsyncIterable<readonly EventRow[]>;
  eventStatus(): Promise<EventStatus[]>;
  /** Per source ever named in a run's outcome, its last finished run; ordered by source. */
  sourceRuns(): Promise<SourceRun[]>;
}
