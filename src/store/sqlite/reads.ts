// Reading the history for exports (SPEC §8) and `status`, in chunks of rows.
import type { ChangeRow, HistoryReads, LedgerRow, RejectRow, SeriesInfo, SeriesStatus, SourceRun } from '../index.ts';
import { eventReads } from './events.ts';
import { chunked, type Statements } from './statements.ts';

export function sqliteReads(s: Statements): HistoryReads {
  const idList = (ids: readonly number[]) => ids.map(Number).join(',');
  return {
    ...eventReads(s),

    async listSeries() {
      return s.sql(
        `SELECT series.id, sources.name AS source, series.resource_type AS type,
                min(snapshots.taken_at) AS firstAt, max(snapshots.taken_at) AS lastAt
         FROM series JOIN sources ON sources.id = series.source_id JOIN snapshots ON snapshots.series_id = series.id
         GROUP BY series.id ORDER BY sources.name, series.resource_type`,
      ).all() as SeriesInfo[];
    },

    async sourceNames() {
      return s.sql('SELECT name FROM sources ORDER BY name', 'pluck').all() as string[];
    },

    async storesPrivateFields(seriesIds) {
      if (!seriesIds.length) return false;
      return s.db.prepare(`SELECT 1 FROM snapshots WHERE series_id IN (${idList(seriesIds)}) AND private_fields != 'drop' LIMIT 1`).get() !== undefined;
    },

    async snapshotTimes(seriesId) {
      return s.sql('SELECT DISTINCT taken_at FROM snapshots WHERE series_id = ? ORDER BY taken_at', 'pluck').all(seriesId) as number[];
    },

    async completeSnapshotTimes(seriesId) {
      return s
        .sql('SELECT taken_at FROM snapshots WHERE series_id = ? GROUP BY taken_at HAVING min(complete) = 1 ORDER BY taken_at', 'pluck')
        .all(seriesId) as number[];
    },

    changes(seriesId, fromMs, toMs) {
      return chunked(
        s.sql(
          `SELECT id, taken_at AS takenAt, resource_key AS key, action, record, fields FROM changes
           WHERE series_id = ? AND taken_at >= ? AND taken_at < ? ORDER BY taken_at, id`,
        ).iterate(seriesId, fromMs, toMs) as IterableIterator<ChangeRow>,
      );
    },

    changesAcross(seriesIds, fromMs, toMs) {
      return chunked(
        s.db
          .prepare(
            `SELECT changes.id, changes.series_id AS seriesId, taken_at AS takenAt, resource_key AS key, action, record, fields
             FROM changes JOIN series ON series.id = changes.series_id JOIN sources ON sources.id = series.source_id
             WHERE changes.series_id IN (${idList(seriesIds)}) AND taken_at >= ? AND taken_at < ?
             ORDER BY taken_at, sources.name, series.resource_type, resource_key, changes.id`,
          )
          .iterate(fromMs, toMs) as IterableIterator<ChangeRow & { seriesId: number }>,
      );
    },

    async *ledgerRecords(seriesId, fromMs, toMs) {
      const rows = s.sql(
        `SELECT current.resource_key AS key, current.ledger_at AS at, changes.record, changes.action = 'modified' AS modified
         FROM current JOIN changes ON changes.id = current.change_id
         WHERE current.series_id = ? AND current.ledger_at >= ? AND current.ledger_at < ?
         ORDER BY current.ledger_at`,
      ).iterate(seriesId, fromMs, toMs) as IterableIterator<Omit<LedgerRow, 'modified'> & { modified: number }>;
      // SQLite has no booleans: 1 when the record's latest change is an update.
      for await (const chunk of chunked(rows)) yield chunk.map((row) => ({ ...row, modified: row.modified === 1 }));
    },

    async seriesStatus() {
      return s.sql(
        `SELECT sources.name AS source, series.resource_type AS type,
                (SELECT count(*) FROM current WHERE current.series_id = series.id) AS present,
                (SELECT count(*) FROM snapshots WHERE snapshots.series_id = series.id) AS snapshots,
                (SELECT count(*) FROM rejects WHERE rejects.source = sources.name AND rejects.resource_type = series.resource_type) AS rejected,
                s.taken_at AS lastAt, s.complete, s.added, s.modified, s.removed, s.unchanged, s.rejected AS lastRejected
         FROM series JOIN sources ON sources.id = series.source_id
         LEFT JOIN snapshots s ON s.id = (SELECT id FROM snapshots WHERE series_id = series.id ORDER BY taken_at DESC LIMIT 1)
         ORDER BY sources.name, series.resource_type`,
      ).all() as SeriesStatus[];
    },

    async recentRejects(limit) {
      return s.sql(
        `SELECT run_id AS runId, source, resource_type AS type, file, location, field, reason
         FROM rejects ORDER BY id DESC LIMIT ?`,
      ).all(limit) as RejectRow[];
    },

    async sourceRuns() {
      return s.sql(
        `SELECT last.source, last.run_id AS runId, last.status, runs.finished_at AS finishedAt, last.error,
                (SELECT max(r.finished_at) FROM run_sources o JOIN runs r ON r.id = o.run_id
                 WHERE o.source = last.source AND o.status = 'ok') AS lastOkAt
         FROM run_sources last JOIN runs ON runs.id = last.run_id
         WHERE last.run_id = (SELECT max(run_id) FROM run_sources WHERE source = last.source)
         ORDER BY last.source`,
      ).all() as SourceRun[];
    },
  };
}
