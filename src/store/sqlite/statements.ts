// Prepared statements, made once per connection and reused (preparing is most of a small query's cost).
import type Database from 'better-sqlite3';
import { batches } from '../batches.ts';
import type { BeforeCommit } from '../index.ts';
import type { DB } from './open.ts';

/** How a statement returns rows: objects, the first column alone, or arrays. */
type Mode = 'object' | 'pluck' | 'raw';

export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(readonly db: DB) {}

  /**
   * The statement of `text`, prepared once per mode: better-sqlite3's pluck() and raw() change the
   * statement itself, so one shared for two modes would hand rows in the wrong form.
   */
  sql(text: string, mode: Mode = 'object'): Database.Statement {
    const key = `${mode}\0${text}`;
    let statement = this.cache.get(key);
    if (!statement) {
      statement = this.db.prepare(text);
      if (mode === 'pluck') statement.pluck();
      if (mode === 'raw') statement.raw();
      this.cache.set(key, statement);
    }
    return statement;
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE): all of it commits, or none (SPEC §6). */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** As write, then `beforeCommit` awaited with the transaction still open: if it throws, all is rolled back. */
  async writeAwaiting<T>(fn: () => T, beforeCommit: BeforeCommit | undefined): Promise<T> {
    if (!beforeCommit) return this.write(fn);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      await beforeCommit();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // The first error is the one to tell (a full disk may fail the rollback too).
      }
      throw err;
    }
  }
}

/** Rows of an open statement in chunks; the statement is closed however the reader stops. */
export async function* chunked<T>(rows: IterableIterator<T>, size = 2000): AsyncGenerator<T[]> {
  try {
    yield* batches(rows, size);
  } finally {
    rows.return?.();
  }
}
