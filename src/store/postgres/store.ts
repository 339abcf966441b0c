// The PostgreSQL store (SPEC §10): one central history for several collectors, the same interface
// as the SQLite store; its jobs are in the modules beside this one. Loaded only for a postgres:// URL.
import { randomBytes } from 'node:crypto';
import type { OpenOptions, Store } from '../index.ts';
import { postgresChecks } from './checks.ts';
import { postgresFilesRead } from './files.ts';
import { postgresHistory } from './history.ts';
import { postgresLock } from './lock.ts';
import { openDatabase } from './open.ts';
import { postgresReads } from './reads.ts';
import { postgresRetention } from './retention.ts';
import { postgresRuns } from './runs.ts';

export async function openPostgresStore(url: string, options: OpenOptions): Promise<Store> {
  const db = await openDatabase(url, options);
  // A reader sees one state of the history from its first read to its close, whatever collectors
  // commit meanwhile: an export never mixes two.
  if (options.readonly) {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    db.inTransaction = true;
  }
  const lock = postgresLock(db);
  const existingKey = () => db.value<string>("SELECT value FROM meta WHERE key = 'hash_key'");
  let closed = false;
  return {
    path: db.where,
    lock,
    runs: postgresRuns(db),
    history: postgresHistory(db, lock),
    reads: postgresReads(db),
    files: postgresFilesRead(db, lock),
    retention: postgresRetention(db),
    checks: postgresChecks(db),
    async hashKey(create) {
      const existing = await existingKey();
      if (existing || !create) return existing;
      await db.run("INSERT INTO meta (key, value) VALUES ('hash_key', $1) ON CONFLICT (key) DO NOTHING", [randomBytes(32).toString('hex')]);
      return existingKey();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (options.readonly) await db.query('COMMIT').catch(() => undefined);
      await db.client.end();
    },
  };
}
