// Reading the history in PostgreSQL for exports (SPEC §8) and `status`, as sqlite/reads.ts; the
// long reads come through a cursor, in chunks. Column names are quoted where they are camelCase.
import type { ChangeRow, HistoryReads, LedgerRow, RejectRow, SeriesInfo, SeriesStatus, SourceRun } from '../index.ts';
import type { Db } from './db.ts';
import { eventReads } from './events.ts';

export function postgresReads(db: Db): HistoryReads {
  return {
    ...eventReads(db),

    async listSeries() {
      return db.rows<SeriesInfo>(
        `SELECT series.id, sources.name AS source, series.resource_type AS type,
                min(snapshots.taken_at) AS "firstAt", max(snapshots.taken_at) AS "lastAt"
         FROM series JOIN sources ON sources.id = series.source_id JOIN snapshots ON snapshots.series_id = series.id
         GROUP BY series.id, sources.name ORDER BY sources.name, series.resource_type`,
      );
    },

    async sourceNames() {
      return (await db.arrays<[string]>('SELECT name FROM sources ORDER BY name')).map(([name]) => name);
    },

    async storesPrivateFields(seriesIds) {
      if (!seriesIds.length) return false;
      return (await db.one("SELECT 1 FROM snapshots WHERE series_id = ANY($1::bigint[]) AND private_fields <> 'drop' LIMIT 1", [seriesIds])) !== undefined;
    },

    async snapshotTimes(seriesId) {
      return (await db.arrays<[number]>('SELECT DISTINCT taken_at FROM snapshots WHERE series_id = $1 ORDER BY taken_at', [seriesId])).map(([at]) => at);
    },

    async completeSnapshotTimes(seriesId) {
      return (
        await db.arrays<[number]>('SELECT taken_at FROM snapshots WHERE series_id = $1 GROUP BY taken_at HAVING min(complete) = 1 ORDER BY taken_at', [seriesId])
      ).map(([at]) => at);
    },

    changes(seriesId, fromMs, toMs) {
      return db.cursor<ChangeRow>(
        `SELECT id, taken_at AS "takenAt", resource_key AS key, action, record, fields FROM changes
         WHERE series_id = $1 AND taken_at >= $2 AND taken_at < $3 ORDER BY taken_at, id`,
        [seriesId, fromMs, toMs],
      );
    },

    changesAcross(seriesIds, fromMs, toMs) {
      return db.cursor<ChangeRow & { seriesId: number }>(
        `SELECT changes.id, changes.series_id AS "seriesId", taken_at AS "takenAt", resource_key AS key, action, record, fields
         FROM changes JOIN series ON series.id = changes.series_id JOIN sources ON sources.id = series.source_id
         WHERE changes.series_id = ANY($1::bigint[]) AND taken_at >= $2 AND taken_at < $3
         ORDER BY taken_at, sources.name, series.resource_type, resource_key, changes.id`,
        [seriesIds, fromMs, toMs],
      );
    },

    ledgerRecords(seriesId, fromMs, toMs) {
      return db.cursor<LedgerRow>(
        `SELECT current.resource_key AS key, current.ledger_at AS at, changes.record, changes.action = 'modified' AS modified
         FROM current JOIN changes ON changes.id = current.change_id
         WHERE current.series_id = $1 AND current.ledger_at >= $2 AND current.ledger_at < $3
         ORDER BY current.ledger_at`,
        [seriesId, fromMs, toMs],
      );
    },

    async seriesStatus() {
      return db.rows<SeriesStatus>(
        `SELECT sources.name AS source, series.resource_type AS type,
                (SELECT count(*) FROM current WHERE current.series_id = series.id) AS present,
                (SELECT count(*) FROM snapshots WHERE snapshots.series_id = series.id) AS snapshots,
                (SELECT count(*) FROM rejects WHERE rejects.source = sources.name AND rejects.resource_type = series.resource_type) AS rejected,
                s.taken_at AS "lastAt", s.complete, s.added, s.modified, s.removed, s.unchanged, s.rejected AS "lastRejected"
         FROM series JOIN sources ON sources.id = series.source_id
         LEFT JOIN snapshots s ON s.id = (SELECT id FROM snapshots WHERE series_id = series.id ORDER BY taken_at DESC, id DESC LIMIT 1)
         ORDER BY sources.name, series.resource_type`,
      );
    },

    async recentRejects(limit) {
      return db.rows<RejectRow>(
        `SELECT run_id AS "runId", source, resource_type AS type, file, location, field, reason
         FROM rejects ORDER BY id DESC LIMIT $1`,
        [limit],
      );
    },

    async sourceRuns() {
      return db.rows<SourceRun>(
        `SELECT last.source, last.run_id AS "runId", last.status, runs.finished_at AS "finishedAt", last.error,
                (SELECT max(r.finished_at) FROM run_sources o JOIN runs r ON r.id = o.run_id
                 WHERE o.source = last.source AND o.status = 'ok') AS "lastOkAt"
         FROM run_sources last JOIN runs ON runs.id = last.run_id
         WHERE last.run_id = (SELECT max(run_id) FROM run_sources WHERE source = last.source)
         ORDER BY last.source`,
      );
    },
  };
}
