// The SQLite store (SPEC §10): one file, WAL mode; its jobs are in the modules beside this one.
import { randomBytes } from 'node:crypto';
import type { OpenOptions, Store } from '../index.ts';
import { sqliteChecks } from './checks.ts';
import { sqliteFilesRead } from './files.ts';
import { sqliteHistory } from './history.ts';
import { sqliteLock } from './lock.ts';
import { closeDatabase } from './journal.ts';
import { openDatabase } from './open.ts';
import { sqliteReads } from './reads.ts';
import { sqliteRetention } from './retention.ts';
import { sqliteRuns } from './runs.ts';
import { Statements } from './statements.ts';

export function openSqliteStore(path: string, options: OpenOptions): Store {
  const db = openDatabase(path, options);
  const s = new Statements(db);
  // A reader sees one state of the history from its first read to its close, whatever an ingest
  // commits meanwhile (WAL keeps that state for it): an export never mixes two.
  if (options.readonly) db.exec('BEGIN');
  const existingKey = () => (s.sql("SELECT value FROM meta WHERE key = 'hash_key'", 'pluck').get() as string | undefined) ?? undefined;
  return {
    path,
    lock: sqliteLock(s, path),
    runs: sqliteRuns(s),
    history: sqliteHistory(s),
    reads: sqliteReads(s),
    files: sqliteFilesRead(s),
    retention: sqliteRetention(s, path),
    checks: sqliteChecks(s),
    async hashKey(create) {
      const existing = existingKey();
      if (existing || !create) return existing;
      s.sql("INSERT OR IGNORE INTO meta (key, value) VALUES ('hash_key', ?)").run(randomBytes(32).toString('hex'));
      return existingKey();
    },
    async close() {
      if (!db.open) return;
      if (db.inTransaction) db.exec('COMMIT');
      closeDatabase(db, path);
    },
  };
}
