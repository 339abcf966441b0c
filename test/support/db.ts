// Looking into a database the way an operator would with `sqlite3 -readonly`.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';

export function readOnly<T>(db: string, fn: (conn: Database.Database) => T): T {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return fn(conn);
  } finally {
    conn.close();
  }
}

/** As readOnly, but undefined while the database does not exist yet or its schema is being written. */
export function tryReadOnly<T>(db: string, fn: (conn: Database.Database) => T): T | undefined {
  if (!existsSync(db)) return undefined;
  try {
    return readOnly(db, fn);
  } catch {
    return undefined;
  }
}

/** The resources of a source present now. */
export function currentKeys(db: string, source: string): string[] {
  return readOnly(db, (conn) =>
    conn
      .prepare(
        `SELECT resource_key FROM current JOIN series ON series.id = current.series_id
         JOIN sources ON sources.id = series.source_id WHERE sources.name = ? ORDER BY resource_key`,
      )
      .pluck()
      .all(source) as string[],
  );
}

/** The pid holding the ingest lock, if any. */
export function lockHolder(db: string): number | undefined {
  return tryReadOnly(db, (conn) => conn.prepare('SELECT pid FROM ingest_lock WHERE id = 1').pluck().get() as number | undefined);
}

/** Whether some process is inside a write transaction: BEGIN IMMEDIATE without waiting fails if so. */
export function writeLockHeld(db: string): boolean {
  const probe = new Database(db, { timeout: 0 });
  try {
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw err;
  } finally {
    probe.close();
  }
}
