// Applies one snapshot to the history: order checks, the pure diff, the guards, and the writes,
// all inside one transaction (SPEC §6).
import { diff, fieldChanges, type ChangeSet } from '../diff.ts';
import { RefusedError } from '../errors.ts';
import { contentHash, type Snapshot } from '../snapshot.ts';
import type { CurrentEntry, SnapshotCounts, Store } from '../store/store.ts';
import { formatInstant } from '../time.ts';
import type { Row } from '../types/fields.ts';

export interface ApplyOptions {
  readonly runId: number;
  readonly allowMassRemoval: boolean;
}

export type ApplyOutcome =
  | { readonly status: 'applied'; readonly counts: SnapshotCounts }
  | { readonly status: 'already ingested'; readonly counts: SnapshotCounts };

export function countsOf(snapshot: Snapshot, changes: ChangeSet): SnapshotCounts {
  return {
    examined: snapshot.examined,
    added: changes.added.length,
    modified: changes.modified.length,
    removed: changes.removed.length,
    unchanged: changes.unchanged,
    rejected: snapshot.rejects.length,
    duplicates: snapshot.duplicates + changes.duplicates,
    skipped: snapshot.skipped + changes.partialSkipped,
  };
}

const NOTHING: SnapshotCounts = {
  examined: 0,
  added: 0,
  modified: 0,
  removed: 0,
  unchanged: 0,
  rejected: 0,
  duplicates: 0,
  skipped: 0,
};

export function applySnapshot(store: Store, snapshot: Snapshot, options: ApplyOptions): ApplyOutcome {
  const started = performance.now();
  const hash = contentHash(snapshot);
  return store.writeTransaction(() => {
    const seriesId = store.ensureSeries(snapshot.source, snapshot.type.name);
    const { current, already } = checkOrder(store, seriesId, snapshot, hash);
    if (already) return { status: 'already ingested', counts: { ...NOTHING, examined: snapshot.examined } };

    const changes = diff(snapshot.type.mode, current, snapshot);
    if (changes.massRemoval && !options.allowMassRemoval) throw massRemoval(snapshot, changes, current.size);
    const counts = countsOf(snapshot, changes);
    const { takenAt } = snapshot;
    const snapshotId = store.insertSnapshot(seriesId, options.runId, takenAt, snapshot.complete, hash, snapshot.origins.join(' '), counts);

    for (const key of changes.added) {
      const record = snapshot.records.get(key)!;
      store.recordChange(seriesId, snapshotId, takenAt, key, 'added', record.json, record.hash);
    }
    for (const key of changes.modified) {
      const record = snapshot.records.get(key)!;
      const before = JSON.parse(store.recordOf(current.get(key)!.changeId)) as Row;
      const fields = JSON.stringify(fieldChanges(before, JSON.parse(record.json) as Row));
      store.recordChange(seriesId, snapshotId, takenAt, key, 'modified', record.json, record.hash, fields);
    }
    for (const key of changes.removed) {
      store.recordChange(seriesId, snapshotId, takenAt, key, 'removed', store.recordOf(current.get(key)!.changeId), '');
    }
    for (const reject of snapshot.rejects) {
      store.insertReject(options.runId, snapshotId, snapshot.source, snapshot.type.name, reject);
    }
    store.setSnapshotElapsed(snapshotId, performance.now() - started);
    return { status: 'applied', counts };
  });
}

/** What `--dry-run` reports: the same checks and diff, nothing written. */
export function previewSnapshot(store: Store | undefined, snapshot: Snapshot, allowMassRemoval: boolean): ApplyOutcome {
  const seriesId = store?.findSeries(snapshot.source, snapshot.type.name);
  if (!store || seriesId === undefined) {
    const changes = diff(snapshot.type.mode, new Map(), snapshot);
    return { status: 'applied', counts: countsOf(snapshot, changes) };
  }
  const { current, already } = checkOrder(store, seriesId, snapshot, contentHash(snapshot));
  if (already) return { status: 'already ingested', counts: { ...NOTHING, examined: snapshot.examined } };
  const changes = diff(snapshot.type.mode, current, snapshot);
  if (changes.massRemoval && !allowMassRemoval) throw massRemoval(snapshot, changes, current.size);
  return { status: 'applied', counts: countsOf(snapshot, changes) };
}

/** SPEC §6 order: an already-applied snapshot is a no-op; an older one, or a different one at the same time, is refused. */
function checkOrder(
  store: Store,
  seriesId: number,
  snapshot: Snapshot,
  hash: string,
): { current: Map<string, CurrentEntry>; already: boolean } {
  const what = `${snapshot.source} ${snapshot.type.name} at ${formatInstant(snapshot.takenAt)}`;
  const same = store.snapshotAt(seriesId, snapshot.takenAt);
  if (same) {
    if (same.contentHash === hash) return { current: new Map(), already: true };
    throw new RefusedError(`a different snapshot of ${what} was already ingested; refusing to replace history`);
  }
  const latest = store.latestSnapshotAt(seriesId);
  if (latest !== undefined && snapshot.takenAt < latest) {
    throw new RefusedError(
      `snapshot of ${what} is older than the latest one already applied (${formatInstant(latest)}); ` +
        'snapshots must be ingested in time order',
    );
  }
  return { current: store.loadCurrent(seriesId), already: false };
}

function massRemoval(snapshot: Snapshot, changes: ChangeSet, present: number): RefusedError {
  return new RefusedError(
    `refusing to remove ${changes.removed.length} of ${present} ${snapshot.type.name} resources of ${snapshot.source} ` +
      `at once (snapshot ${formatInstant(snapshot.takenAt)}); if that is real, rerun with --allow-mass-removal`,
  );
}
