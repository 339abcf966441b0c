// Prepared statements, made once per connection and reused (preparing is most of a small query's cost).
import type Database from 'better-sqlite3';
import type { DB } from './open.ts';

export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(readonly db: DB) {}

  sql(text: string): Database.Statement {
    let statement = this.cache.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.cache.set(text, statement);
    }
    return statement;
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE): all of it commits, or none (SPEC §6). */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}

/** Rows of an open statement in chunks; the statement is closed however the reader stops. */
export async function* chunked<T>(rows: IterableIterator<T>, size = 2000): AsyncGenerator<T[]> {
  try {
    let chunk: T[] = [];
    for (const row of rows) {
      chunk.push(row);
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length) yield chunk;
  } finally {
    rows.return?.();
  }
}
