// `status --check` in PostgreSQL, as sqlite/checks.ts: the last check and the last quarantined record it saw.
import type { QuarantinedSince, StatusChecks } from '../index.ts';
import type { Db } from './db.ts';

export function postgresChecks(db: Db): StatusChecks {
  return {
    async record(checkedAt) {
      return db.transaction(async () => {
        // Two checks at once would both read the same last one: the second waits for the first.
        await db.query('LOCK TABLE status_checks IN EXCLUSIVE MODE');
        const last = await db.one<{ at: number; rejectId: number }>('SELECT checked_at AS at, last_reject_id AS "rejectId" FROM status_checks ORDER BY id DESC LIMIT 1');
        const after = last?.rejectId ?? 0;
        const quarantined = await db.rows<QuarantinedSince>(
          `SELECT source, resource_type AS type, count(*) AS count FROM rejects WHERE id > $1
           GROUP BY source, resource_type ORDER BY source, resource_type`,
          [after],
        );
        const newest = (await db.value<number | null>('SELECT max(id) FROM rejects')) ?? after;
        await db.run('DELETE FROM status_checks');
        await db.run('INSERT INTO status_checks (checked_at, last_reject_id) VALUES ($1, $2)', [checkedAt, newest]);
        return { previousAt: last?.at, quarantined };
      });
    },
  };
}
