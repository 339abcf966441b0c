// SPEC §3 Run in PostgreSQL, as sqlite/runs.ts: every ingest run is logged.
import type { RunLog, RunStatus } from '../index.ts';
import type { Db } from './db.ts';

export function postgresRuns(db: Db): RunLog {
  return {
    async start(command) {
      return (await db.value<number>("INSERT INTO runs (command, pid, started_at, status) VALUES ($1, $2, $3, 'running') RETURNING id", [
        command,
        process.pid,
        Date.now(),
      ]))!;
    },
    async finish(runId, status, error, totals, sources = []) {
      await db.transaction(async () => {
        await db.run(
          `UPDATE runs SET finished_at = $1, status = $2, error = $3, snapshots = $4, examined = $5, added = $6,
             modified = $7, removed = $8, unchanged = $9, rejected = $10, skipped = $11 WHERE id = $12`,
          [Date.now(), status, error ?? null, totals.snapshots, totals.examined, totals.added, totals.modified, totals.removed, totals.unchanged, totals.rejected, totals.skipped, runId],
        );
        for (const outcome of sources) {
          await db.run(
            `INSERT INTO run_sources (run_id, source, status, error) VALUES ($1, $2, $3, $4)
             ON CONFLICT (source, run_id) DO UPDATE SET status = excluded.status, error = excluded.error`,
            [runId, outcome.source, outcome.status, outcome.error ?? null],
          );
        }
      });
    },
    async recent(limit) {
      return db.rows<RunStatus>(
        `SELECT id, command, pid, started_at AS "startedAt", finished_at AS "finishedAt", status, error, snapshots,
                added, modified, removed, unchanged, rejected
         FROM runs ORDER BY id DESC LIMIT $1`,
        [limit],
      );
    },
  };
}
