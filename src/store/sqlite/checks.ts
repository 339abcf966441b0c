// `status --check` (issue 12): each check is remembered with the last quarantined record it saw, so
// the next one reports only what was quarantined since.
import type { QuarantinedSince, StatusChecks } from '../index.ts';
import type { Statements } from './statements.ts';

export function sqliteChecks(s: Statements): StatusChecks {
  return {
    async record(checkedAt) {
      return s.write(() => {
        const last = s.sql('SELECT checked_at AS at, last_reject_id AS rejectId FROM status_checks ORDER BY id DESC LIMIT 1').get() as
          | { at: number; rejectId: number }
          | undefined;
        const after = last?.rejectId ?? 0;
        const quarantined = s.sql(
          `SELECT source, resource_type AS type, count(*) AS count FROM rejects WHERE id > ?
           GROUP BY source, resource_type ORDER BY source, resource_type`,
        ).all(after) as QuarantinedSince[];
        const newest = (s.sql('SELECT max(id) FROM rejects', 'pluck').get() as number | null) ?? after;
        // Only the last check is ever read: the table holds that one, not one row per poll for ever.
        s.sql('DELETE FROM status_checks').run();
        s.sql('INSERT INTO status_checks (checked_at, last_reject_id) VALUES (?, ?)').run(checkedAt, newest);
        return { previousAt: last?.at, quarantined };
      });
    },
  };
}
