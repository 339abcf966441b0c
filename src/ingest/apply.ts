// Applies one snapshot to the history: order checks, the pure diff, the guards, and the writes,
// all inside one transaction (SPEC §6).
import { diff, fieldChanges, type ChangeSet } from '../diff.ts';
import { RefusedError } from '../errors.ts';
import type { Reject, Snapshot } from '../snapshot.ts';
import type { RunTotals, SnapshotCounts, Store } from '../store/store.ts';
import { formatInstant } from '../time.ts';
import type { Row } from '../types/fields.ts';

export interface ApplyOptions {
  readonly runId: number;
  readonly allowMassRemoval: boolean;
  /** When the work on this snapshot began (performance.now()): a live scan counts its fetching too. */
  readonly startedAt?: number;
}

export interface ApplyOutcome {
  readonly status: 'applied' | 'already ingested';
  readonly counts: SnapshotCounts;
  /** Ledger: the quarantined records stored for the first time (a log read again repeats none). */
  readonly freshRejects?: readonly Reject[];
}

function countsOf(snapshot: Snapshot, changes: ChangeSet): SnapshotCounts {
  return {
    examined: snapshot.examined,
    added: changes.added.length,
    modified: changes.modified.length,
    removed: changes.removed.length,
    // A ledger's re-delivered records show as unchanged in the summary (SPEC §2).
    unchanged: snapshot.type.mode === 'ledger' ? changes.duplicates + changes.stale : changes.unchanged,
    rejected: snapshot.rejects.length,
    duplicates: snapshot.duplicates + changes.duplicates,
    skipped: snapshot.skipped + changes.partialSkipped,
  };
}

/** Counts of a snapshot that changed nothing (a start for sums). */
export const NOTHING: SnapshotCounts = {
  examined: 0,
  added: 0,
  modified: 0,
  removed: 0,
  unchanged: 0,
  rejected: 0,
  duplicates: 0,
  skipped: 0,
};

/** Adds what an applied snapshot did to a run's totals; ledger files count their skipped lines apart. */
export function addToTotals(totals: { -readonly [K in keyof RunTotals]: number }, outcome: ApplyOutcome, snapshots = 1, withSkipped = true): void {
  if (outcome.status !== 'applied') return;
  totals.snapshots += snapshots;
  for (const key of ['examined', 'added', 'modified', 'removed', 'unchanged', 'rejected'] as const) totals[key] += outcome.counts[key];
  if (withSkipped) totals.skipped += outcome.counts.skipped;
}

export function applySnapshot(store: Store, snapshot: Snapshot, options: ApplyOptions): ApplyOutcome {
  if (snapshot.type.mode === 'ledger') return applyLedger(store, snapshot, options);
  const started = options.startedAt ?? performance.now();
  return store.writeTransaction(() => {
    const seriesId = store.ensureSeries(snapshot.source, snapshot.type.name);
    const sameTime = {
      same: store.hasSnapshot(seriesId, snapshot.takenAt, snapshot.contentHash),
      other: store.snapshotAt(seriesId, snapshot.takenAt) !== undefined,
    };
    if (checkOrder(snapshot, sameTime, store.latestSnapshotAt(seriesId))) return already(snapshot);
    const current = store.loadCurrent(seriesId);
    const changes = diff(snapshot.type.mode, current, snapshot);
    if (changes.massRemoval && !options.allowMassRemoval) throw massRemoval(snapshot, changes);
    const counts = countsOf(snapshot, changes);
    const { takenAt } = snapshot;
    const snapshotId = store.insertSnapshot(seriesId, options.runId, snapshot, snapshot.origins.join(' '), counts);

    writeAddedAndModified(store, seriesId, snapshotId, snapshot, changes);
    for (const key of changes.removed) {
      store.recordChange(seriesId, snapshotId, takenAt, key, 'removed', store.currentRecord(seriesId, key), current.get(key)!);
    }
    store.syncCurrent(seriesId, takenAt, snapshotId);
    for (const reject of snapshot.rejects) {
      store.insertReject(options.runId, snapshotId, snapshot.source, snapshot.type.name, reject);
    }
    store.setSnapshotElapsed(snapshotId, performance.now() - started);
    return { status: 'applied', counts };
  });
}

/** The full record of each added resource; both records' differing fields of each modified one (SPEC §6). */
function writeAddedAndModified(store: Store, seriesId: number, snapshotId: number, snapshot: Snapshot, changes: ChangeSet): void {
  const { takenAt } = snapshot;
  for (const key of changes.added) {
    const record = snapshot.records.get(key)!;
    store.recordChange(seriesId, snapshotId, takenAt, key, 'added', record.json, record.hash);
  }
  for (const key of changes.modified) {
    const record = snapshot.records.get(key)!;
    const before = JSON.parse(store.currentRecord(seriesId, key)) as Row;
    const fields = JSON.stringify(fieldChanges(before, JSON.parse(record.json) as Row));
    store.recordChange(seriesId, snapshotId, takenAt, key, 'modified', record.json, record.hash, fields);
  }
}

/**
 * SPEC §6 for a ledger (finished jobs): a new key is inserted, a known one with the same content is a
 * duplicate, one with new content is updated; absence means nothing. There is no order to keep (a
 * back-filled older file is welcome: XDMoD's newest-job watermark skipped those), and the series'
 * history is never loaded whole: only the keys this snapshot carries are looked up.
 */
function applyLedger(store: Store, snapshot: Snapshot, options: ApplyOptions): ApplyOutcome {
  const started = options.startedAt ?? performance.now();
  return store.writeTransaction(() => {
    const seriesId = store.ensureSeries(snapshot.source, snapshot.type.name);
    const { takenAt } = snapshot;
    // The same batch of the same file, read again (SPEC §6: "already ingested").
    if (store.hasSnapshot(seriesId, takenAt, snapshot.contentHash)) return already(snapshot);
    const { current, newer } = ledgerState(store.ledgerLookup(seriesId, snapshot.records.keys()), takenAt);
    const changes = diff('ledger', current, snapshot, { newer });
    const counts = countsOf(snapshot, changes);
    const snapshotId = store.insertSnapshot(seriesId, options.runId, snapshot, snapshot.origins.join(' '), counts);
    writeAddedAndModified(store, seriesId, snapshotId, snapshot, changes);
    store.syncCurrent(seriesId, takenAt, snapshotId, snapshot.type.ledgerDay);
    // A growing log is read again and again: a line quarantined before is not stored twice.
    const freshRejects = snapshot.rejects.filter((reject) => !store.hasReject(snapshot.source, snapshot.type.name, reject));
    for (const reject of freshRejects) store.insertReject(options.runId, snapshotId, snapshot.source, snapshot.type.name, reject);
    store.setSnapshotElapsed(snapshotId, performance.now() - started);
    return { status: 'applied', counts, freshRejects };
  });
}

/** Stored ledger records -> the hashes the diff compares, and the keys stored from a later snapshot. */
function ledgerState(stored: ReadonlyMap<string, { hash: string; takenAt: number }>, takenAt: number) {
  const current = new Map<string, string>();
  const newer = new Set<string>();
  for (const [key, record] of stored) {
    current.set(key, record.hash);
    if (record.takenAt > takenAt) newer.add(key);
  }
  return { current, newer };
}

function already(snapshot: Snapshot): ApplyOutcome {
  return { status: 'already ingested', counts: { ...NOTHING, examined: snapshot.examined } };
}

/**
 * `--dry-run`: the same checks and diffs, nothing written. What it would have applied is kept in
 * memory, so the next snapshot of a series is diffed against it, as the real run would do.
 */
export class DryRun {
  private readonly series = new Map<string, Previewed>();
  /** Ledger series: what this dry run would have added or updated (keys it read, not the whole ledger). */
  private readonly ledgers = new Map<string, { id?: number; records: Map<string, { hash: string; takenAt: number }>; applied: Set<string> }>();

  constructor(private readonly store: Store | undefined) {}

  preview(snapshot: Snapshot, allowMassRemoval: boolean): ApplyOutcome {
    if (snapshot.type.mode === 'ledger') return this.previewLedger(snapshot);
    const series = this.seriesOf(snapshot);
    const { takenAt, contentHash } = snapshot;
    const previewed = series.applied.get(takenAt);
    const stored = series.id === undefined ? undefined : this.store;
    const sameTime = {
      same: !!previewed?.has(contentHash) || !!stored?.hasSnapshot(series.id!, takenAt, contentHash),
      other: !!previewed?.size || stored?.snapshotAt(series.id!, takenAt) !== undefined,
    };
    if (checkOrder(snapshot, sameTime, series.latest)) return already(snapshot);
    const changes = diff(snapshot.type.mode, series.current, snapshot);
    if (changes.massRemoval && !allowMassRemoval) throw massRemoval(snapshot, changes);
    for (const key of [...changes.added, ...changes.modified]) series.current.set(key, snapshot.records.get(key)!.hash);
    for (const key of changes.removed) series.current.delete(key);
    if (!series.applied.has(takenAt)) series.applied.set(takenAt, new Set());
    series.applied.get(takenAt)!.add(contentHash);
    series.latest = Math.max(series.latest ?? takenAt, takenAt);
    return { status: 'applied', counts: countsOf(snapshot, changes) };
  }

  /** A ledger snapshot: its keys looked up in the database, under what this dry run has added. */
  private previewLedger(snapshot: Snapshot): ApplyOutcome {
    const key = `${snapshot.source}\0${snapshot.type.name}`;
    let series = this.ledgers.get(key);
    if (!series) {
      series = { id: this.store?.findSeries(snapshot.source, snapshot.type.name), records: new Map(), applied: new Set() };
      this.ledgers.set(key, series);
    }
    const { takenAt, contentHash } = snapshot;
    if (series.applied.has(`${takenAt}\0${contentHash}`) || (series.id !== undefined && this.store?.hasSnapshot(series.id, takenAt, contentHash))) {
      return already(snapshot);
    }
    const unseen = [...snapshot.records.keys()].filter((k) => !series.records.has(k));
    const stored = series.id === undefined || !this.store ? new Map() : this.store.ledgerLookup(series.id, unseen);
    for (const k of snapshot.records.keys()) {
      const record = series.records.get(k);
      if (record) stored.set(k, record);
    }
    const { current, newer } = ledgerState(stored, takenAt);
    const changes = diff('ledger', current, snapshot, { newer });
    for (const k of [...changes.added, ...changes.modified]) series.records.set(k, { hash: snapshot.records.get(k)!.hash, takenAt });
    series.applied.add(`${takenAt}\0${contentHash}`);
    return { status: 'applied', counts: countsOf(snapshot, changes) };
  }

  /** The series as stored, then as this dry run would have left it. */
  private seriesOf(snapshot: Snapshot): Previewed {
    const key = `${snapshot.source}\0${snapshot.type.name}`;
    let series = this.series.get(key);
    if (!series) {
      const id = this.store?.findSeries(snapshot.source, snapshot.type.name);
      series =
        id === undefined || !this.store
          ? { current: new Map(), applied: new Map() }
          : { id, current: this.store.loadCurrent(id), applied: new Map(), latest: this.store.latestSnapshotAt(id) };
      this.series.set(key, series);
    }
    return series;
  }
}

interface Previewed {
  /** The stored series, if there is one. */
  readonly id?: number;
  readonly current: Map<string, string>;
  /** Content hashes of the snapshots this dry run has applied, by time (several when scoped). */
  readonly applied: Map<number, Set<string>>;
  latest?: number;
}

/**
 * SPEC §6 order: true when this very snapshot was already applied (a no-op); refuses a different
 * snapshot at an applied time, and one older than the latest applied.
 */
function checkOrder(snapshot: Snapshot, atSameTime: { same: boolean; other: boolean }, latest: number | undefined): boolean {
  const what = `${snapshot.source} ${snapshot.type.name} at ${formatInstant(snapshot.takenAt)}`;
  if (atSameTime.same) return true;
  // Scoped snapshots (several hosts of one source) may share an instant: each covers its own part.
  if (atSameTime.other && !snapshot.scope) {
    throw new RefusedError(`a different snapshot of ${what} was already ingested; refusing to replace history`);
  }
  if (latest !== undefined && snapshot.takenAt < latest) {
    throw new RefusedError(
      `snapshot of ${what} is older than the latest one already applied (${formatInstant(latest)}); ` +
        'snapshots must be ingested in time order',
    );
  }
  return false;
}

function massRemoval(snapshot: Snapshot, changes: ChangeSet): RefusedError {
  const of = snapshot.scope ? ` (${Object.entries(snapshot.scope).map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
  return new RefusedError(
    `refusing to remove ${changes.removed.length} of ${changes.present} ${snapshot.type.name} resources of ${snapshot.source}${of} ` +
      `at once (snapshot ${formatInstant(snapshot.takenAt)}); if that is real, rerun with --allow-mass-removal`,
  );
}
