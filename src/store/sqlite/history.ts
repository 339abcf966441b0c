// Writing the history (SPEC §6): what a diff needs to know of a series, and one snapshot's changes
// written in one transaction. Times are UTC epoch milliseconds.
import { RefusedError } from '../../errors.ts';
import type { Reject } from '../../snapshot.ts';
import { formatInstant } from '../../time.ts';
import type { Action, HistoryStore, SnapshotWrite, StoredRecord } from '../index.ts';
import { knownEvents, writeEvents } from './events.ts';
import { batches } from '../batches.ts';
import type { Statements } from './statements.ts';

/** Keys per lookup statement (passed as one JSON array). */
const LOOKUP_CHUNK = 2000;
/** Change rows per INSERT statement (8 values each; SQLite allows 32 766). */
const CHANGES_PER_INSERT = 64;
/** Present resources read per statement when the state is streamed to a diff. */
const CURRENT_PAGE = 10_000;

export function sqliteHistory(s: Statements): HistoryStore {
  const findSeries = (source: string, type: string) =>
    (
      s.sql('SELECT series.id FROM series JOIN sources ON sources.id = series.source_id WHERE sources.name = ? AND resource_type = ?').get(
        source,
        type,
      ) as { id: number } | undefined
    )?.id;

  const ensureSeries = (source: string, type: string): number => {
    const found = findSeries(source, type);
    if (found !== undefined) return found;
    s.sql('INSERT OR IGNORE INTO sources (name, created_at) VALUES (?, ?)').run(source, Date.now());
    const { id: sourceId } = s.sql('SELECT id FROM sources WHERE name = ?').get(source) as { id: number };
    return Number(s.sql('INSERT INTO series (source_id, resource_type) VALUES (?, ?)').run(sourceId, type).lastInsertRowid);
  };

  const hasSnapshot = (seriesId: number, takenAt: number, contentHash: string) =>
    s.sql('SELECT 1 FROM snapshots WHERE series_id = ? AND taken_at = ? AND content_hash = ?').get(seriesId, takenAt, contentHash) !== undefined;

  const latestAt = (seriesId: number) =>
    (s.sql('SELECT max(taken_at) FROM snapshots WHERE series_id = ?', 'pluck').get(seriesId) as number | null) ?? undefined;

  /** Runs `lookup` over `keys` in chunks of one JSON array each. */
  const inChunks = (keys: Iterable<string>, lookup: (chunk: string) => void) => {
    for (const chunk of batches(keys, LOOKUP_CHUNK)) lookup(JSON.stringify(chunk));
  };

  /**
   * Change rows, inserted CHANGES_PER_INSERT to a statement (in the order given, so their ids are
   * as one by one): a call into SQLite costs about as much as appending the row. flush() the rest.
   */
  const changeInserter = (seriesId: number, snapshotId: number, takenAt: number) => {
    const insert = (rows: number) =>
      // CAST: a record given as its UTF-8 bytes is stored as the same text, not as a blob.
      s.sql(`INSERT INTO changes (series_id, snapshot_id, taken_at, resource_key, action, record, hash, fields) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?)').join(', ')}`);
    const many = insert(CHANGES_PER_INSERT);
    const one = insert(1);
    let values: unknown[] = [];
    return {
      add(action: Action, r: StoredRecord, fields: string | null = null): void {
        values.push(seriesId, snapshotId, takenAt, r.key, action, r.json, r.hash, fields);
        if (values.length === CHANGES_PER_INSERT * 8) {
          many.run(values);
          values = [];
        }
      },
      flush(): void {
        for (let at = 0; at < values.length; at += 8) one.run(values.slice(at, at + 8));
        values = [];
      },
    };
  };

  /**
   * Brings `current` up to date with the changes of one snapshot, in two set-based statements (in
   * key order, so the index grows by appending) instead of one call per resource. `ledgerDay` names
   * the time field that places a ledger record on a day (SPEC §8.1).
   */
  const syncCurrent = (seriesId: number, takenAt: number, snapshotId: number, ledgerDay?: string) => {
    // State types have no day to place: the JSON of their records is not opened at all.
    const ledgerAt = ledgerDay === undefined ? 'NULL' : `unixepoch(json_extract(record, '$.${ledgerDay.replace(/'/g, "''")}')) * 1000`;
    s.sql(
      `INSERT INTO current (series_id, resource_key, hash, change_id, ledger_at)
       SELECT series_id, resource_key, hash, id, ${ledgerAt} FROM changes
       WHERE series_id = ? AND taken_at = ? AND snapshot_id = ? AND action != 'removed' ORDER BY resource_key
       ON CONFLICT (series_id, resource_key) DO UPDATE SET hash = excluded.hash, change_id = excluded.change_id,
         ledger_at = excluded.ledger_at`,
    ).run(seriesId, takenAt, snapshotId);
    s.sql(
      `DELETE FROM current WHERE series_id = ? AND resource_key IN
         (SELECT resource_key FROM changes WHERE series_id = ? AND taken_at = ? AND snapshot_id = ? AND action = 'removed')`,
    ).run(seriesId, seriesId, takenAt, snapshotId);
  };

  /** Whether this quarantined line (same place, same reason) is stored already: a log read again. */
  const hasReject = (source: string, type: string, reject: Reject) =>
    s.sql('SELECT 1 FROM rejects WHERE source = ? AND resource_type = ? AND file = ? AND location = ? AND reason = ? LIMIT 1').get(
      source,
      type,
      reject.file,
      reject.location,
      reject.reason,
    ) !== undefined;

  const write = (w: SnapshotWrite): readonly Reject[] => {
    const seriesId = ensureSeries(w.source, w.type);
    if (w.diffedAgainst !== undefined && (latestAt(seriesId) ?? null) !== w.diffedAgainst) {
      throw new RefusedError(
        `${w.source} ${w.type} at ${formatInstant(w.takenAt)}: the history changed while the snapshot was being compared with it; nothing was written, run again`,
      );
    }
    const c = w.counts;
    const snapshotId = Number(
      s.sql(
        `INSERT INTO snapshots (series_id, run_id, taken_at, complete, private_fields, content_hash, origin, examined, added,
           modified, removed, unchanged, rejected, duplicates, skipped, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      ).run(
        seriesId,
        w.runId,
        w.takenAt,
        w.complete ? 1 : 0,
        w.privateFields,
        w.contentHash,
        w.origin,
        c.examined,
        c.added,
        c.modified,
        c.removed,
        c.unchanged,
        c.rejected,
        c.duplicates,
        c.skipped,
      ).lastInsertRowid,
    );
    const insert = changeInserter(seriesId, snapshotId, w.takenAt);
    for (const r of w.added) insert.add('added', r);
    for (const r of w.modified) insert.add('modified', r, r.fields);
    for (const r of w.removed) insert.add('removed', r);
    insert.flush();
    syncCurrent(seriesId, w.takenAt, snapshotId, w.ledger?.day);
    // A growing log is read again and again: a line quarantined before is not stored twice.
    const fresh = w.ledger ? w.rejects.filter((reject) => !hasReject(w.source, w.type, reject)) : w.rejects;
    const insertReject = s.sql(
      `INSERT INTO rejects (run_id, snapshot_id, source, resource_type, file, location, field, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of fresh) insertReject.run(w.runId, snapshotId, w.source, w.type, r.file, r.location, r.field ?? null, r.reason);
    s.sql('UPDATE snapshots SET elapsed_ms = ? WHERE id = ?').run(Math.round(performance.now() - w.startedAt), snapshotId);
    return fresh;
  };

  return {
    async seriesState(source, type, takenAt, contentHash) {
      const id = findSeries(source, type);
      if (id === undefined) return { sameStored: false, otherAtTime: false };
      return {
        id,
        latestAt: latestAt(id),
        sameStored: hasSnapshot(id, takenAt, contentHash),
        otherAtTime: s.sql('SELECT 1 FROM snapshots WHERE series_id = ? AND taken_at = ?').get(id, takenAt) !== undefined,
      };
    },

    async current(seriesId, into) {
      // In pages along the primary key: never every row at once (a million would double the peak,
      // SPEC §11), nor one call into SQLite per row (iterate() costs twice as much a row as all()).
      const first = s.sql(`SELECT resource_key, hash FROM current WHERE series_id = ? ORDER BY resource_key LIMIT ${CURRENT_PAGE}`, 'raw');
      const next = s.sql(
        `SELECT resource_key, hash FROM current WHERE series_id = ? AND resource_key > ? ORDER BY resource_key LIMIT ${CURRENT_PAGE}`,
        'raw',
      );
      for (let page = first.all(seriesId) as [string, string][]; page.length; page = next.all(seriesId, page.at(-1)![0]) as [string, string][]) {
        for (const [key, hash] of page) into.set(key, hash);
        if (page.length < CURRENT_PAGE) break;
      }
    },

    async ledgerState(source, type, takenAt, contentHash, keys) {
      const stored = new Map<string, { hash: string; takenAt: number }>();
      const id = findSeries(source, type);
      if (id === undefined) return { sameStored: false, stored };
      // The same batch of the same file, read again (SPEC §6: "already ingested").
      if (hasSnapshot(id, takenAt, contentHash)) return { id, sameStored: true, stored };
      const lookup = s.sql(
        `SELECT current.resource_key, current.hash, changes.taken_at FROM current JOIN changes ON changes.id = current.change_id
         WHERE current.series_id = ? AND current.resource_key IN (SELECT value FROM json_each(?))`, 'raw');
      inChunks(keys, (chunk) => {
        for (const [key, hash, at] of lookup.all(id, chunk) as [string, string, number][]) stored.set(key, { hash, takenAt: at });
      });
      return { id, sameStored: false, stored };
    },

    async records(seriesId, keys) {
      const found = new Map<string, string>();
      const lookup = s.sql(
        `SELECT current.resource_key, changes.record FROM current JOIN changes ON changes.id = current.change_id
         WHERE current.series_id = ? AND current.resource_key IN (SELECT value FROM json_each(?))`, 'raw');
      inChunks(keys, (chunk) => {
        for (const [key, record] of lookup.all(seriesId, chunk) as [string, string][]) found.set(key, record);
      });
      return found;
    },

    async write(snapshot, beforeCommit) {
      return s.writeAwaiting(() => write(snapshot), beforeCommit);
    },

    async writeEvents(batch) {
      return writeEvents(s, batch);
    },

    async knownEvents(source, events) {
      return knownEvents(s, source, events);
    },
  };
}
