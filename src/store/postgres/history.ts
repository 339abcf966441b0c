// Writing the history in PostgreSQL (SPEC §6, §10): what a diff needs to know of a series, and one
// snapshot's changes written in one transaction, in multi-row inserts of whole arrays (unnest), not
// one round trip per row. Mirrors sqlite/history.ts.
import { RefusedError } from '../../errors.ts';
import type { Reject } from '../../snapshot.ts';
import { formatInstant } from '../../time.ts';
import type { HistoryStore, SnapshotWrite, StoredRecord } from '../index.ts';
import type { Db } from './db.ts';
import { knownEvents, writeEvents } from './events.ts';
import type { PostgresLock } from './lock.ts';
import { batches, ensureSource, findSeries, storeRejects } from './rows.ts';

/** Rows of the present state read a statement. */
const CURRENT_PAGE = 10_000;

// The day a ledger record is placed on (SPEC §8.1), as SQLite's unixepoch(json_extract(…)) * 1000
// gives it: whole seconds of the time field, NULL when it holds no time. The session is in UTC.
const LEDGER_AT = `CASE WHEN (record::jsonb ->> $4) ~ '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?(Z|[+-]\\d{2}:?\\d{2})?$'
  THEN floor(extract(epoch FROM (record::jsonb ->> $4)::timestamptz))::bigint * 1000 END`;

/** A record's JSON as text, for the text array of an insert: a first load hands it as UTF-8 bytes. */
function jsonText(json: StoredRecord['json']): string {
  return typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.length).toString('utf8');
}

export function postgresHistory(db: Db, lock: PostgresLock): HistoryStore {
  const ensureSeries = async (source: string, type: string): Promise<number> => {
    const found = await findSeries(db, source, type);
    if (found !== undefined) return found;
    const sourceId = await ensureSource(db, source);
    await db.run('INSERT INTO series (source_id, resource_type) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sourceId, type]);
    return (await findSeries(db, source, type))!;
  };

  const hasSnapshot = async (seriesId: number, takenAt: number, contentHash: string) =>
    (await db.one('SELECT 1 FROM snapshots WHERE series_id = $1 AND taken_at = $2 AND content_hash = $3', [seriesId, takenAt, contentHash])) !== undefined;

  const latestAt = async (seriesId: number) => (await db.value<number | null>('SELECT max(taken_at) FROM snapshots WHERE series_id = $1', [seriesId])) ?? undefined;

  /** Inserts one action's changes, in order (their ids keep the order they were applied in). */
  const insertChanges = async (seriesId: number, snapshotId: number, takenAt: number, action: string, records: Iterable<StoredRecord & { fields?: string | null }>) => {
    for (const batch of batches(records)) {
      await db.query(
        `INSERT INTO changes (series_id, snapshot_id, taken_at, resource_key, action, record, hash, fields)
         SELECT $1, $2, $3, t.k, $4, t.r, t.h, t.f FROM unnest($5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS t(k, r, h, f, n)
         ORDER BY t.n`,
        [seriesId, snapshotId, takenAt, action, batch.map((r) => r.key), batch.map((r) => jsonText(r.json)), batch.map((r) => r.hash), batch.map((r) => r.fields ?? null)],
      );
    }
  };

  /** Brings `current` up to date with one snapshot's changes, in two set-based statements (as sqlite/history.ts). */
  const syncCurrent = async (seriesId: number, takenAt: number, snapshotId: number, ledgerDay?: string) => {
    await db.query(
      `INSERT INTO current (series_id, resource_key, hash, change_id, ledger_at)
       SELECT series_id, resource_key, hash, id, ${ledgerDay === undefined ? 'NULL::bigint' : LEDGER_AT} FROM changes
       WHERE series_id = $1 AND taken_at = $2 AND snapshot_id = $3 AND action <> 'removed' ORDER BY resource_key
       ON CONFLICT (series_id, resource_key) DO UPDATE SET hash = excluded.hash, change_id = excluded.change_id, ledger_at = excluded.ledger_at`,
      ledgerDay === undefined ? [seriesId, takenAt, snapshotId] : [seriesId, takenAt, snapshotId, ledgerDay],
    );
    await db.query(
      `DELETE FROM current WHERE series_id = $1 AND resource_key IN
         (SELECT resource_key FROM changes WHERE series_id = $1 AND taken_at = $2 AND snapshot_id = $3 AND action = 'removed')`,
      [seriesId, takenAt, snapshotId],
    );
  };

  const write = async (w: SnapshotWrite): Promise<readonly Reject[]> => {
    const seriesId = await ensureSeries(w.source, w.type);
    if (w.diffedAgainst !== undefined && ((await latestAt(seriesId)) ?? null) !== w.diffedAgainst) {
      throw new RefusedError(
        `${w.source} ${w.type} at ${formatInstant(w.takenAt)}: the history changed while the snapshot was being compared with it; nothing was written, run again`,
      );
    }
    const c = w.counts;
    const snapshotId = (await db.value<number>(
      `INSERT INTO snapshots (series_id, run_id, taken_at, complete, private_fields, content_hash, origin, examined, added,
         modified, removed, unchanged, rejected, duplicates, skipped, elapsed_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0) RETURNING id`,
      [seriesId, w.runId, w.takenAt, w.complete ? 1 : 0, w.privateFields, w.contentHash, w.origin, c.examined, c.added, c.modified, c.removed, c.unchanged, c.rejected, c.duplicates, c.skipped],
    ))!;
    await insertChanges(seriesId, snapshotId, w.takenAt, 'added', w.added);
    await insertChanges(seriesId, snapshotId, w.takenAt, 'modified', w.modified);
    await insertChanges(seriesId, snapshotId, w.takenAt, 'removed', w.removed);
    await syncCurrent(seriesId, w.takenAt, snapshotId, w.ledger?.day);
    // A growing log is read again and again: a line quarantined before is not stored twice.
    const fresh = await storeRejects(db, { runId: w.runId, snapshotId, source: w.source, type: w.type }, w.rejects, w.ledger !== undefined);
    await db.run('UPDATE snapshots SET elapsed_ms = $1 WHERE id = $2', [Math.round(performance.now() - w.startedAt), snapshotId]);
    return fresh;
  };

  /** The present records of some keys, with `columns` of each. */
  const lookup = async <T extends unknown[]>(seriesId: number, keys: Iterable<string>, columns: string): Promise<T[]> => {
    const found: T[] = [];
    for (const batch of batches(keys)) {
      found.push(
        ...(await db.arrays<T>(
          `SELECT current.resource_key, ${columns} FROM current JOIN changes ON changes.id = current.change_id
           WHERE current.series_id = $1 AND current.resource_key = ANY($2::text[])`,
          [seriesId, batch],
        )),
      );
    }
    return found;
  };

  return {
    async seriesState(source, type, takenAt, contentHash) {
      // The diff about to be made holds only while no other collector of this source writes.
      await lock.source(source);
      const id = await findSeries(db, source, type);
      if (id === undefined) return { sameStored: false, otherAtTime: false };
      return {
        id,
        latestAt: await latestAt(id),
        sameStored: await hasSnapshot(id, takenAt, contentHash),
        otherAtTime: (await db.one('SELECT 1 FROM snapshots WHERE series_id = $1 AND taken_at = $2', [id, takenAt])) !== undefined,
      };
    },

    async current(seriesId, into) {
      // In pages along the primary key, as SQLite reads it: a million rows at once would double the peak (SPEC §11).
      let page = await db.arrays<[string, string]>(`SELECT resource_key, hash FROM current WHERE series_id = $1 ORDER BY resource_key LIMIT ${CURRENT_PAGE}`, [seriesId]);
      for (;;) {
        for (const [key, hash] of page) into.set(key, hash);
        if (page.length < CURRENT_PAGE) return;
        page = await db.arrays<[string, string]>(
          `SELECT resource_key, hash FROM current WHERE series_id = $1 AND resource_key > $2 ORDER BY resource_key LIMIT ${CURRENT_PAGE}`,
          [seriesId, page.at(-1)![0]],
        );
      }
    },

    async ledgerState(source, type, takenAt, contentHash, keys) {
      await lock.source(source);
      const stored = new Map<string, { hash: string; takenAt: number }>();
      const id = await findSeries(db, source, type);
      if (id === undefined) return { sameStored: false, stored };
      // The same batch of the same file, read again (SPEC §6: "already ingested").
      if (await hasSnapshot(id, takenAt, contentHash)) return { id, sameStored: true, stored };
      for (const [key, hash, at] of await lookup<[string, string, number]>(id, keys, 'current.hash, changes.taken_at')) stored.set(key, { hash, takenAt: at });
      return { id, sameStored: false, stored };
    },

    async records(seriesId, keys) {
      return new Map(await lookup<[string, string]>(seriesId, keys, 'changes.record'));
    },

    async write(snapshot, beforeCommit) {
      await lock.source(snapshot.source);
      return db.transaction(async () => {
        const rejects = await write(snapshot);
        await beforeCommit?.();
        return rejects;
      });
    },

    async writeEvents(batch) {
      await lock.source(batch.source);
      return writeEvents(db, batch);
    },

    async knownEvents(source, events) {
      return knownEvents(db, source, events);
    },
  };
}
