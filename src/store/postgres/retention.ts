// `prune` in PostgreSQL (SPEC §10), as sqlite/retention.ts: the logs of old runs go, the history stays.
import type { Pruned, Retention, Undone } from '../index.ts';
import type { Db } from './db.ts';
import { findSeries } from './rows.ts';
import { retentionSql } from '../retention-sql.ts';

const { expiredRuns: EXPIRED_RUNS, oldRejects: OLD_REJECTS, oldPayloadsWhere: OLD_PAYLOADS_WHERE, oldPayloads: OLD_PAYLOADS } = retentionSql('$1');

export function postgresRetention(db: Db): Retention {
  const count = async (from: string, values: readonly unknown[]) => (await db.value<number>(`SELECT count(*) ${from}`, values)) ?? 0;
  const expired = async (cutoff: number): Promise<Pruned> => ({
    runs: await count(EXPIRED_RUNS, [cutoff]),
    rejects: await count(OLD_REJECTS, [cutoff]),
    payloads: await count(OLD_PAYLOADS, [cutoff]),
  });

  return {
    expired,
    async prune(cutoff) {
      return db.transaction(async () => {
        // Rejects first: a run they name may go next.
        const rejects = await db.run(`DELETE ${OLD_REJECTS}`, [cutoff]);
        const payloads = await db.run(`UPDATE events SET payload = NULL WHERE ${OLD_PAYLOADS_WHERE}`, [cutoff]);
        // A run's per-source outcomes go with it.
        await db.run(`DELETE FROM run_sources WHERE run_id IN (SELECT id ${EXPIRED_RUNS})`, [cutoff]);
        const runs = await db.run(`DELETE ${EXPIRED_RUNS}`, [cutoff]);
        return { rejects, payloads, runs };
      });
    },
    async undoAfter(series, after, dryRun) {
      const id = await findSeries(db, series.source, series.type);
      if (id === undefined) return undefined;
      const counted = async (): Promise<Undone> => ({
        snapshots: await count('FROM snapshots WHERE series_id = $1 AND taken_at > $2', [id, after]),
        changes: await count('FROM changes WHERE series_id = $1 AND taken_at > $2', [id, after]),
        latestLeft: (await db.value<number | null>('SELECT max(taken_at) FROM snapshots WHERE series_id = $1 AND taken_at <= $2', [id, after])) ?? undefined,
      });
      if (dryRun) return counted();
      return db.transaction(async () => {
        const undone = await counted();
        await db.run('DELETE FROM rejects WHERE snapshot_id IN (SELECT id FROM snapshots WHERE series_id = $1 AND taken_at > $2)', [id, after]);
        await db.run('DELETE FROM changes WHERE series_id = $1 AND taken_at > $2', [id, after]);
        await db.run('DELETE FROM snapshots WHERE series_id = $1 AND taken_at > $2', [id, after]);
        // The present state is the latest change of each key, unless that is its removal (schema).
        await db.run('DELETE FROM current WHERE series_id = $1', [id]);
        await db.run(
          `INSERT INTO current (series_id, resource_key, hash, change_id)
           SELECT series_id, resource_key, hash, id FROM changes
           WHERE id IN (SELECT max(id) FROM changes WHERE series_id = $1 GROUP BY resource_key) AND action <> 'removed'`,
          [id],
        );
        return undone;
      });
    },
    async compact() {
      // The server reuses the space of deleted rows; VACUUM of the tables prune thins makes it reusable
      // now (the files do not shrink; VACUUM cannot run in a transaction).
      await db.query('VACUUM runs, run_sources, rejects, events');
    },
    async size() {
      return (await db.value<number>('SELECT pg_database_size(current_database())')) ?? 0;
    },
  };
}
