// The rules every history writer applies before anything is written (SPEC §6): order, the
// mass-removal guard, and what the summary line counts. The diff itself is src/diff.ts.
import type { ChangeSet } from '../diff.ts';
import { fieldChanges } from '../diff.ts';
import { NOTHING, type SnapshotCounts } from '../counts.ts';
import { RefusedError } from '../errors.ts';
import { KeyHashes } from '../key-hashes.ts';
import type { EventBatch } from '../sources/delivery.ts';
import type { Reject, Snapshot } from '../snapshot.ts';
import type { BeforeCommit, StoredEvent, StoredRecord } from '../store/index.ts';
import { formatInstant } from '../time.ts';
import type { Row } from '../types/fields.ts';

export interface ApplyOptions {
  readonly allowMassRemoval: boolean;
  /** Snapshots taken after `notAfter` (now + `margin`) are refused: see guardFuture. */
  readonly future?: { readonly notAfter: number; readonly margin: string };
  /** When the work on this snapshot began (performance.now()): a live scan counts its fetching too. */
  readonly startedAt?: number;
  /** Awaited before the snapshot's transaction commits; throwing rolls it back (run.ts: a signal). */
  readonly beforeCommit?: BeforeCommit;
}

export interface ApplyOutcome {
  readonly status: 'applied' | 'already ingested';
  readonly counts: SnapshotCounts;
  /** Ledger: the quarantined records stored for the first time (a log read again repeats none). */
  readonly freshRejects?: readonly Reject[];
}

export function countsOf(snapshot: Snapshot, changes: ChangeSet): SnapshotCounts {
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

export function alreadyIngested(snapshot: Snapshot): ApplyOutcome {
  return { status: 'already ingested', counts: { ...NOTHING, examined: snapshot.examined } };
}

/**
 * SPEC §6 order: true when this very snapshot was already applied (a no-op); refuses a different
 * snapshot at an applied time, and one older than the latest applied.
 */
export function checkOrder(snapshot: Snapshot, atSameTime: { same: boolean; other: boolean }, latest: number | undefined): boolean {
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

/**
 * A state snapshot from the future (9999-12-31, a producer's clock years ahead) would be the latest
 * of its series for ever, and every real one after it refused as older: refused itself (issue 13).
 */
export function guardFuture(snapshot: Snapshot, future: ApplyOptions['future']): void {
  if (!future || snapshot.takenAt <= future.notAfter) return;
  throw new RefusedError(tooFarAhead(`snapshot of ${snapshot.source} ${snapshot.type.name}`, snapshot.takenAt, future));
}

/** Why something dated `at` is refused by --max-future. */
function tooFarAhead(what: string, at: number, future: NonNullable<ApplyOptions['future']>): string {
  return (
    `${what} at ${formatInstant(at)} is more than ${future.margin} in the future ` +
    `(refused after ${formatInstant(future.notAfter)}): a wrong clock or time in the producer? (--max-future sets the margin)`
  );
}

/**
 * A notification dated after `notAfter` (a producer's clock years ahead, 9999-12-31) would place its
 * event in the far future and make the listener look alive until then (SPEC §8.5 `event_gap`): it
 * is quarantined, like any bad record of a good file (issue 13), and never stored as an event.
 */
export function quarantineFutureEvents(batch: EventBatch, future: ApplyOptions['future']): EventBatch {
  if (!future || batch.latestAt <= future.notAfter) return batch;
  const events: StoredEvent[] = [];
  const rejects = [...batch.rejects];
  let unused = batch.unused;
  let latestAt = 0;
  for (const event of batch.events) {
    if (event.at <= future.notAfter) {
      events.push(event);
      latestAt = Math.max(latestAt, event.at);
      continue;
    }
    if (event.action === undefined) unused--;
    rejects.push({ file: event.file, location: event.location, reason: tooFarAhead(event.eventType, event.at, future) });
  }
  return { ...batch, events, rejects, unused, latestAt };
}

/**
 * SPEC §6: refused unless allowed; the message names the scope and the count it measured. Besides
 * the spec's "more than half, and more than 10", a snapshot that shares no key at all with a
 * non-empty current state is refused too, however small: it is another cloud's dump, or a wrong
 * `--source` (issue 12). An emptied series (a snapshot with no resources) is left to the first rule.
 */
export function guardMassRemoval(snapshot: Snapshot, changes: ChangeSet, allowed: boolean): void {
  if (allowed) return;
  const of = snapshot.scope ? ` (${Object.entries(snapshot.scope).map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
  const what = `${snapshot.type.name} resources of ${snapshot.source}${of}`;
  const at = `snapshot ${formatInstant(snapshot.takenAt)}`;
  if (changes.massRemoval) {
    throw new RefusedError(`refusing to remove ${changes.removed.length} of ${changes.present} ${what} at once (${at}); if that is real, rerun with --allow-mass-removal`);
  }
  if (sharesNoKey(changes)) {
    throw new RefusedError(
      `refusing to replace all ${changes.present} ${what} with ${changes.added.length} others (${at}): it shares no resource with the current state ` +
        '(another source\'s dump, or a wrong --source?); if that is real, rerun with --allow-mass-removal',
    );
  }
}

/** Every present resource would go and only new ones come: the snapshot lists none of what is there. */
function sharesNoKey(changes: ChangeSet): boolean {
  return changes.present > 0 && changes.removed.length === changes.present && changes.added.length > 0;
}

/** Stored ledger records -> the hashes the diff compares, and the keys stored from a later snapshot. */
export function ledgerDiffState(stored: ReadonlyMap<string, { hash: string; takenAt: number }>, takenAt: number) {
  const current = new KeyHashes();
  const newer = new Set<string>();
  for (const [key, record] of stored) {
    current.set(key, record.hash);
    if (record.takenAt > takenAt) newer.add(key);
  }
  return { current, newer };
}

/** The full record of each added resource (SPEC §6). */
export function* addedRecords(snapshot: Snapshot, keys: readonly string[]): Generator<StoredRecord> {
  // Every record added (a first load): the diff lists them in the snapshot's order, so they are
  // read in that order without looking each key up.
  if (keys.length === snapshot.records.size) yield* snapshot.records.encodedValues();
  else for (const key of keys) yield snapshot.records.get(key)!;
}

/** Each modified resource's new record with both values of every differing field (SPEC §6). */
export function* modifiedRecords(
  snapshot: Snapshot,
  keys: readonly string[],
  before: ReadonlyMap<string, string>,
): Generator<StoredRecord & { fields: string }> {
  for (const key of keys) {
    const record = snapshot.records.get(key)!;
    const old = JSON.parse(before.get(key) ?? '{}') as Row;
    yield { key, json: record.json, hash: record.hash, fields: JSON.stringify(fieldChanges(old, JSON.parse(record.json) as Row)) };
  }
}

/** The last record of each removed resource, with the hash it had. */
export function* removedRecords(changes: ChangeSet, before: ReadonlyMap<string, string>): Generator<StoredRecord> {
  for (const key of changes.removed) yield { key, json: before.get(key) ?? '{}', hash: changes.removedHashes.get(key)! };
}

/** What a batch of notifications did, as the summary line counts it: new events added, known ones unchanged, other messages skipped. */
export function eventOutcome(batch: EventBatch, stored: number, duplicates: number, fresh: boolean, freshRejects: readonly Reject[]): ApplyOutcome {
  return {
    status: fresh ? 'applied' : 'already ingested',
    counts: {
      ...NOTHING,
      examined: batch.events.length + batch.rejects.length,
      added: stored,
      unchanged: duplicates,
      rejected: batch.rejects.length,
      skipped: batch.unused,
    },
    freshRejects,
  };
}
