// What `prune` removes (SPEC §10), as SQL both stores run: one policy, so a PostgreSQL history keeps
// exactly what an SQLite one keeps. Age is when a row was stored: the start of the run that wrote it
// (rejects carry no time of their own). `cutoff` is the store's placeholder for that time (? or $1).
export function retentionSql(cutoff: string) {
  const oldRuns = `SELECT id FROM runs WHERE started_at < ${cutoff}`;
  // The event row, its facts (the lifecycles) and its de-duplication key stay for ever.
  const oldPayloadsWhere = `payload IS NOT NULL AND run_id IN (${oldRuns})`;
  return {
    // A snapshot or an event points at the run that stored it (SPEC §3), so that run stays; so does
    // the latest run of each command line and of each source, so `status` still tells when each cron
    // job last ran, and `status --check` how each source's last collection went.
    expiredRuns: `FROM runs WHERE started_at < ${cutoff}
  AND id NOT IN (SELECT run_id FROM snapshots)
  AND id NOT IN (SELECT run_id FROM events)
  AND id NOT IN (SELECT max(id) FROM runs GROUP BY command)
  AND id NOT IN (SELECT max(run_id) FROM run_sources GROUP BY source)`,
    oldRejects: `FROM rejects WHERE run_id IN (${oldRuns})`,
    oldPayloadsWhere,
    oldPayloads: `FROM events WHERE ${oldPayloadsWhere}`,
  } as const;
}
