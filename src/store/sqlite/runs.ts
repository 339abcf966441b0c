// SPEC §3 Run: every ingest run is logged, including those that changed nothing or failed.
import type { RunLog, RunStatus } from '../index.ts';
import type { Statements } from './statements.ts';

export function sqliteRuns(s: Statements): RunLog {
  return {
    async start(command) {
      const result = s.sql("INSERT INTO runs (command, pid, started_at, status) VALUES (?, ?, ?, 'running')").run(command, process.pid, Date.now());
      return Number(result.lastInsertRowid);
    },
    async finish(runId, status, error, totals, sources = []) {
      s.write(() => {
        s.sql(
          `UPDATE runs SET finished_at = ?, status = ?, error = ?, snapshots = ?, examined = ?, added = ?,
             modified = ?, removed = ?, unchanged = ?, rejected = ?, skipped = ? WHERE id = ?`,
        ).run(
          Date.now(),
          status,
          error ?? null,
          totals.snapshots,
          totals.examined,
          totals.added,
          totals.modified,
          totals.removed,
          totals.unchanged,
          totals.rejected,
          totals.skipped,
          runId,
        );
        const insert = s.sql('INSERT OR REPLACE INTO run_sources (run_id, source, status, error) VALUES (?, ?, ?, ?)');
        for (const outcome of sources) insert.run(runId, outcome.source, outcome.status, outcome.error ?? null);
      });
    },
    async recent(limit) {
      return s.sql(
        `SELECT id, command, pid, started_at AS startedAt, finished_at AS finishedAt, status, error, snapshots,
                added, modified, removed, unchanged, rejected
         FROM runs ORDER BY id DESC LIMIT ?`,
      ).all(limit) as RunStatus[];
    },
  };
}
