// `--dry-run`: the same checks and diffs as the real run, nothing written. What it would have applied
// is kept in memory, so the next snapshot of a series is diffed against it, as the real run would do.
import { randomBytes } from 'node:crypto';
import { diff } from '../diff.ts';
import { KeyHashes } from '../key-hashes.ts';
import type { EventBatch, SeriesRef } from '../sources/delivery.ts';
import type { Snapshot } from '../snapshot.ts';
import type { SourceFile, Store } from '../store/index.ts';
import { FlavorJoin } from './flavors.ts';
import { alreadyIngested, type ApplyOptions, type ApplyOutcome, checkOrder, countsOf, eventOutcome, guardFuture, guardMassRemoval, ledgerDiffState } from './rules.ts';
import { type HistoryWriter, latestOf } from './writer.ts';

interface Previewed {
  /** The stored series, if there is one. */
  readonly id?: number;
  readonly current: KeyHashes;
  /** Content hashes of the snapshots this dry run has applied, by time (several when scoped). */
  readonly applied: Map<number, Set<string>>;
  latest?: number;
}

interface PreviewedLedger {
  /** What this dry run would have added or updated (keys it read, not the whole ledger). */
  readonly records: Map<string, { hash: string; takenAt: number }>;
  readonly applied: Set<string>;
}

export class DryRunWriter implements HistoryWriter {
  private readonly series = new Map<string, Promise<Previewed>>();
  private readonly ledgers = new Map<string, PreviewedLedger>();
  /** Notifications this dry run would have stored, by source: their de-duplication keys and message ids. */
  private readonly events = new Map<string, Set<string>>();
  /** A key for private fields when the database has none yet (nothing is stored, so any will do). */
  private readonly spareKey = randomBytes(32).toString('hex');

  private readonly flavors: FlavorJoin;

  /** The database, when there is one: read, never written. */
  constructor(private readonly store: Store | undefined) {
    this.flavors = new FlavorJoin(store);
  }

  async begin(): Promise<void> {}

  async finish(): Promise<void> {}

  /** The database's key, so hashed private fields compare as the real run would. */
  async hashKey(): Promise<string> {
    return (await this.store?.hashKey(false)) ?? this.spareKey;
  }

  async latestAt(series: SeriesRef): Promise<number | undefined> {
    return this.store && latestOf(this.store, series);
  }

  async unchangedFiles(source: string, files: readonly SourceFile[]): Promise<Set<string>> {
    return this.store ? this.store.files.unchanged(source, files) : new Set();
  }

  async rememberFiles(): Promise<void> {}

  apply(snapshot: Snapshot, options: ApplyOptions): Promise<ApplyOutcome> {
    return snapshot.type.mode === 'ledger' ? this.previewLedger(snapshot) : this.previewState(snapshot, options);
  }

  private async previewState(snapshot: Snapshot, options: ApplyOptions): Promise<ApplyOutcome> {
    guardFuture(snapshot, options.future);
    const series = await this.seriesOf(snapshot);
    const { takenAt, contentHash } = snapshot;
    const previewed = series.applied.get(takenAt);
    const stored = series.id === undefined ? undefined : await this.store!.history.seriesState(snapshot.source, snapshot.type.name, takenAt, contentHash);
    const sameTime = {
      same: !!previewed?.has(contentHash) || !!stored?.sameStored,
      other: !!previewed?.size || !!stored?.otherAtTime,
    };
    if (checkOrder(snapshot, sameTime, series.latest)) return alreadyIngested(snapshot);
    const { id } = series;
    const joined = await this.flavors.join(snapshot, (keys) => (id === undefined ? Promise.resolve(new Map()) : this.store!.history.records(id, keys)));
    try {
      const changes = diff(snapshot.type.mode, series.current, joined);
      guardMassRemoval(snapshot, changes, options.allowMassRemoval);
      await this.flavors.applied(joined);
      for (const key of [...changes.added, ...changes.modified]) series.current.set(key, joined.records.hashOf(key)!);
      for (const key of changes.removed) series.current.delete(key);
      if (!series.applied.has(takenAt)) series.applied.set(takenAt, new Set());
      series.applied.get(takenAt)!.add(contentHash);
      series.latest = Math.max(series.latest ?? takenAt, takenAt);
      return { status: 'applied', counts: countsOf(snapshot, changes) };
    } finally {
      if (joined !== snapshot) joined.records.release();
    }
  }

  /** A ledger snapshot: its keys looked up in the database, under what this dry run has added. */
  private async previewLedger(snapshot: Snapshot): Promise<ApplyOutcome> {
    const name = `${snapshot.source}\0${snapshot.type.name}`;
    let series = this.ledgers.get(name);
    if (!series) this.ledgers.set(name, (series = { records: new Map(), applied: new Set() }));
    const { takenAt, contentHash } = snapshot;
    if (series.applied.has(`${takenAt}\0${contentHash}`)) return alreadyIngested(snapshot);
    const unseen = [...snapshot.records.keys()].filter((k) => !series.records.has(k));
    const state = this.store
      ? await this.store.history.ledgerState(snapshot.source, snapshot.type.name, takenAt, contentHash, unseen)
      : { sameStored: false, stored: new Map<string, { hash: string; takenAt: number }>() };
    if (state.sameStored) return alreadyIngested(snapshot);
    const stored = state.stored;
    for (const k of snapshot.records.keys()) {
      const record = series.records.get(k);
      if (record) stored.set(k, record);
    }
    const { current, newer } = ledgerDiffState(stored, takenAt);
    const changes = diff('ledger', current, snapshot, { newer });
    for (const k of [...changes.added, ...changes.modified]) series.records.set(k, { hash: snapshot.records.hashOf(k)!, takenAt });
    series.applied.add(`${takenAt}\0${contentHash}`);
    return { status: 'applied', counts: countsOf(snapshot, changes) };
  }

  async applyEvents(batch: EventBatch): Promise<ApplyOutcome> {
    let seen = this.events.get(batch.source);
    if (!seen) this.events.set(batch.source, (seen = new Set()));
    const stored = (await this.store?.history.knownEvents(batch.source, batch.events)) ?? new Set<string>();
    let added = 0;
    let duplicates = 0;
    let unusedNew = 0;
    for (const e of batch.events) {
      const key = `${e.at}\0${e.dedupeKey}`;
      const known = stored.has(key) || seen.has(key);
      seen.add(key);
      if (e.action === undefined) unusedNew += known ? 0 : 1;
      else if (known) duplicates++;
      else added++;
    }
    return eventOutcome(batch, added, duplicates, added + unusedNew + batch.rejects.length > 0, batch.rejects);
  }

  /** The series as stored, then as this dry run would have left it. */
  private seriesOf(snapshot: Snapshot): Promise<Previewed> {
    const name = `${snapshot.source}\0${snapshot.type.name}`;
    let series = this.series.get(name);
    if (!series) {
      series = this.loadSeries(snapshot);
      this.series.set(name, series);
    }
    return series;
  }

  private async loadSeries(snapshot: Snapshot): Promise<Previewed> {
    const state = await this.store?.history.seriesState(snapshot.source, snapshot.type.name, snapshot.takenAt, snapshot.contentHash);
    if (state?.id === undefined || !this.store) return { current: new KeyHashes(), applied: new Map() };
    const current = new KeyHashes();
    await this.store.history.current(state.id, current);
    return { id: state.id, current, applied: new Map(), latest: state.latestAt };
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}
