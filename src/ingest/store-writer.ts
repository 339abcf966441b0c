// The real run: each snapshot diffed against the stored history and written in one call to the
// store (one transaction, SPEC §6).
import { randomBytes } from 'node:crypto';
import { Diff, diff } from '../diff.ts';
import type { Snapshot } from '../snapshot.ts';
import type { SourceFile, SourceOutcome, Store } from '../store/index.ts';
import type { RunTotals } from '../counts.ts';
import type { EventBatch, SeriesRef } from '../sources/delivery.ts';
import { FlavorJoin } from './flavors.ts';
import {
  addedRecords,
  alreadyIngested,
  type ApplyOptions,
  type ApplyOutcome,
  checkOrder,
  guardFuture,
  countsOf,
  eventOutcome,
  guardMassRemoval,
  ledgerDiffState,
  modifiedRecords,
  removedRecords,
} from './rules.ts';
import { type HistoryWriter, latestOf } from './writer.ts';

export class StoreWriter implements HistoryWriter {
  private runId = 0;
  private locked = false;
  private readonly flavors: FlavorJoin;

  constructor(private readonly store: Store) {
    this.flavors = new FlavorJoin(store);
  }

  async begin(command: string, waitMs: number, waiting: () => void): Promise<void> {
    await this.store.lock.acquire(command, waitMs, waiting);
    this.locked = true;
    this.runId = await this.store.runs.start(command);
  }

  async hashKey(): Promise<string> {
    return (await this.store.hashKey(true)) ?? randomBytes(32).toString('hex');
  }

  latestAt(series: SeriesRef): Promise<number | undefined> {
    return latestOf(this.store, series);
  }

  unchangedFiles(source: string, files: readonly SourceFile[]): Promise<Set<string>> {
    return this.store.files.unchanged(source, files);
  }

  async rememberFiles(source: string, files: readonly SourceFile[]): Promise<void> {
    if (files.length) await this.store.files.record(source, files, Date.now());
  }

  apply(snapshot: Snapshot, options: ApplyOptions): Promise<ApplyOutcome> {
    return snapshot.type.mode === 'ledger' ? this.applyLedger(snapshot, options) : this.applyState(snapshot, options);
  }

  private async applyState(read: Snapshot, options: ApplyOptions): Promise<ApplyOutcome> {
    const started = options.startedAt ?? performance.now();
    const { history } = this.store;
    guardFuture(read, options.future);
    const state = await history.seriesState(read.source, read.type.name, read.takenAt, read.contentHash);
    if (checkOrder(read, { same: state.sameStored, other: state.otherAtTime }, state.latestAt)) return alreadyIngested(read);
    const joined = await this.flavors.join(read, (keys) => (state.id === undefined ? Promise.resolve(new Map()) : history.records(state.id, keys)));
    try {
      // The present state streams through the diff: never held whole (SPEC §11, memory).
      const differ = new Diff(joined.type.mode, joined);
      if (state.id !== undefined) await history.current(state.id, differ);
      const changes = differ.result();
      guardMassRemoval(joined, changes, options.allowMassRemoval);
      const counts = countsOf(joined, changes);
      const before = state.id === undefined ? new Map<string, string>() : await history.records(state.id, [...changes.modified, ...changes.removed]);
      await history.write({
        ...this.header(joined, started),
        counts,
        diffedAgainst: state.latestAt ?? null,
        added: addedRecords(joined, changes.added),
        modified: modifiedRecords(joined, changes.modified, before),
        removed: removedRecords(changes, before),
        rejects: joined.rejects,
      }, options.beforeCommit);
      await this.flavors.applied(joined);
      return { status: 'applied', counts };
    } finally {
      if (joined !== read) joined.records.release();
    }
  }

  /**
   * SPEC §6 for a ledger (finished jobs): a new key is inserted, a known one with the same content is a
   * duplicate, one with new content is updated; absence means nothing. There is no order to keep (a
   * back-filled older file is welcome: XDMoD's newest-job watermark skipped those), and the series'
   * history is never loaded whole: only the keys this snapshot carries are looked up.
   */
  private async applyLedger(snapshot: Snapshot, options: ApplyOptions): Promise<ApplyOutcome> {
    const started = options.startedAt ?? performance.now();
    const { history } = this.store;
    const state = await history.ledgerState(snapshot.source, snapshot.type.name, snapshot.takenAt, snapshot.contentHash, snapshot.records.keys());
    // The same batch of the same file, read again (SPEC §6: "already ingested").
    if (state.sameStored) return alreadyIngested(snapshot);
    const { current, newer } = ledgerDiffState(state.stored, snapshot.takenAt);
    const changes = diff('ledger', current, snapshot, { newer });
    const counts = countsOf(snapshot, changes);
    const before = state.id === undefined || !changes.modified.length ? new Map<string, string>() : await history.records(state.id, changes.modified);
    const freshRejects = await history.write({
      ...this.header(snapshot, started),
      counts,
      added: addedRecords(snapshot, changes.added),
      modified: modifiedRecords(snapshot, changes.modified, before),
      removed: [],
      rejects: snapshot.rejects,
      ledger: { day: snapshot.type.ledgerDay },
    }, options.beforeCommit);
    return { status: 'applied', counts, freshRejects };
  }

  async applyEvents(batch: EventBatch): Promise<ApplyOutcome> {
    const written = await this.store.history.writeEvents({ source: batch.source, runId: this.runId, events: batch.events, rejects: batch.rejects });
    const fresh = written.stored + written.unusedStored + written.freshRejects.length > 0;
    return eventOutcome(batch, written.stored, written.duplicates, fresh, written.freshRejects);
  }

  private header(snapshot: Snapshot, startedAt: number) {
    return {
      source: snapshot.source,
      type: snapshot.type.name,
      runId: this.runId,
      takenAt: snapshot.takenAt,
      complete: snapshot.complete,
      privateFields: snapshot.privateFields,
      contentHash: snapshot.contentHash,
      origin: snapshot.origins.join(' '),
      startedAt,
    };
  }

  async finish(status: 'ok' | 'failed', error: string | undefined, totals: RunTotals, sources: readonly SourceOutcome[] = []): Promise<void> {
    if (this.runId) await this.store.runs.finish(this.runId, status, error, totals, sources);
    this.runId = 0;
    if (this.locked) await this.store.lock.release();
    this.locked = false;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
