// `prune` in the SQLite store (SPEC §10): the logs of old runs go; the history they wrote stays.
// What it removes is retention-sql.ts's, shared with PostgreSQL.
import { existsSync, statSync } from 'node:fs';
import type { Pruned, Retention, Undone } from '../index.ts';
import type { Statements } from './statements.ts';
import { retentionSql } from '../retention-sql.ts';

const { expiredRuns: EXPIRED_RUNS, oldRejects: OLD_REJECTS, oldPayloadsWhere: OLD_PAYLOADS_WHERE, oldPayloads: OLD_PAYLOADS } = retentionSql('?');
const SERIES_ID = 'SELECT series.id FROM series JOIN sources ON sources.id = series.source_id WHERE sources.name = ? AND series.resource_type = ?';

export function sqliteRetention(s: Statements, path: string): Retention {
  const count = (from: string, cutoff: number) => s.sql(`SELECT count(*) ${from}`, 'pluck').get(cutoff) as number;
  const expired = (cutoff: number): Pruned => ({
    runs: count(EXPIRED_RUNS, cutoff),
    rejects: count(OLD_REJECTS, cutoff),
    payloads: count(OLD_PAYLOADS, cutoff),
  });
  const deleteRuns = (cutoff: number) => {
    // A run's per-source outcomes go with it.
    s.sql(`DELETE FROM run_sources WHERE run_id IN (SELECT id ${EXPIRED_RUNS})`).run(cutoff);
    return s.sql(`DELETE ${EXPIRED_RUNS}`).run(cutoff).changes;
  };
  const fileSize = (file: string) => (existsSync(file) ? statSync(file).size : 0);

  return {
    async expired(cutoff) {
      return expired(cutoff);
    },
    async prune(cutoff) {
      return s.write(() => ({
        // Rejects first: a run they name may go next.
        rejects: s.sql(`DELETE ${OLD_REJECTS}`).run(cutoff).changes,
        payloads: s.sql(`UPDATE events SET payload = NULL WHERE ${OLD_PAYLOADS_WHERE}`).run(cutoff).changes,
        runs: deleteRuns(cutoff),
      }));
    },
    async undoAfter(series, after, dryRun) {
      const id = s.sql(SERIES_ID, 'pluck').get(series.source, series.type) as number | undefined;
      if (id === undefined) return undefined;
      const counted = (): Undone => ({
        snapshots: s.sql('SELECT count(*) FROM snapshots WHERE series_id = ? AND taken_at > ?', 'pluck').get(id, after) as number,
        changes: s.sql('SELECT count(*) FROM changes WHERE series_id = ? AND taken_at > ?', 'pluck').get(id, after) as number,
        latestLeft: (s.sql('SELECT max(taken_at) FROM snapshots WHERE series_id = ? AND taken_at <= ?', 'pluck').get(id, after) as number | null) ?? undefined,
      });
      if (dryRun) return counted();
      return s.write(() => {
        const undone = counted();
        s.sql('DELETE FROM rejects WHERE snapshot_id IN (SELECT id FROM snapshots WHERE series_id = ? AND taken_at > ?)').run(id, after);
        s.sql('DELETE FROM changes WHERE series_id = ? AND taken_at > ?').run(id, after);
        s.sql('DELETE FROM snapshots WHERE series_id = ? AND taken_at > ?').run(id, after);
        // The present state is the latest change of each key, unless that is its removal (schema.sql).
        s.sql('DELETE FROM current WHERE series_id = ?').run(id);
        s.sql(
          `INSERT INTO current (series_id, resource_key, hash, change_id)
           SELECT series_id, resource_key, hash, id FROM changes
           WHERE id IN (SELECT max(id) FROM changes WHERE series_id = ? GROUP BY resource_key) AND action <> 'removed'`,
        ).run(id);
        return undone;
      });
    },
    async compact() {
      // Deleted rows only free pages inside the file: VACUUM rewrites it, and the checkpoint moves
      // the rewrite from the WAL into the file and truncates both.
      s.db.exec('VACUUM');
      s.db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async size() {
      return fileSize(path) + fileSize(`${path}-wal`);
    },
  };
}
