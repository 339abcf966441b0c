// One connection to PostgreSQL and the few ways the store uses it: rows of a query, one
// transaction, and rows in chunks through a server-side cursor (SPEC §10: exports stream).
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';

type Params = readonly unknown[];

export class Db {
  /** Queries in order, one at a time: pg deprecates queueing on a busy client, and reads interleave (an export's cursors). */
  private queue: Promise<unknown> = Promise.resolve();
  private cursors = 0;
  inTransaction = false;
  /** Marks the work of the open transaction, so that other work waits for its end (below). */
  private readonly inside = new AsyncLocalStorage<true>();
  /** Settles when the open transaction ends. */
  private open?: Promise<void>;

  /** The error that ended the connection, as the server told it (pg hands it to its 'error' listeners). */
  private lost?: unknown;

  constructor(
    readonly client: pg.Client,
    /** host:port/database, for messages. */
    readonly where: string,
  ) {
    client.on('error', (err) => (this.lost ??= err));
  }

  query<T extends object>(text: string, values: Params = []): Promise<pg.QueryResult<T>> {
    return this.queued(() => this.client.query<T>(text, values as unknown[]));
  }

  /** Rows as arrays of their columns (no object per row: the large reads of an ingest). */
  async arrays<T extends unknown[]>(text: string, values: Params = []): Promise<T[]> {
    return (await this.queued(() => this.client.query<T>({ text, values: values as unknown[], rowMode: 'array' }))).rows;
  }

  /**
   * Runs after the queries before it; its errors name the server (store/errors.ts tells them in one
   * line). Work from outside an open transaction waits for it to end: a signal's handler logging the
   * run as failed while a snapshot is written would otherwise commit half of it with its own COMMIT
   * (SQLite's writes are synchronous, so there a signal waits by itself).
   */
  private async queued<R>(work: () => Promise<R>): Promise<R> {
    while (this.open && !this.inside.getStore()) await this.open;
    const run = this.queue.then(work).catch((err: unknown) => {
      // After the server ended the connection (a restart: 57P01), a query may fail only with pg's
      // own "not queryable": the server's reason is the one to tell (store/errors.ts).
      const told = this.lost !== undefined && !(err as { severity?: unknown } | undefined)?.severity ? this.lost : err;
      if (told && typeof told === 'object') Object.assign(told, { server: this.where });
      throw told;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async rows<T extends object>(text: string, values: Params = []): Promise<T[]> {
    return (await this.query<T>(text, values)).rows;
  }

  async one<T extends object>(text: string, values: Params = []): Promise<T | undefined> {
    return (await this.query<T>(text, values)).rows[0];
  }

  /** The first column of the first row (undefined: no row). */
  async value<T>(text: string, values: Params = []): Promise<T | undefined> {
    const row = (await this.query<Record<string, T>>(text, values)).rows[0];
    return row === undefined ? undefined : Object.values(row)[0];
  }

  /** Rows changed. */
  async run(text: string, values: Params = []): Promise<number> {
    return (await this.query(text, values)).rowCount ?? 0;
  }

  /** Runs `fn` in one transaction: all of it commits, or none (SPEC §6). */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    while (this.open) await this.open;
    let end = () => {};
    this.open = new Promise((resolve) => (end = resolve));
    this.inTransaction = true;
    try {
      return await this.inside.run(true, async () => {
        await this.query('BEGIN');
        try {
          const result = await fn();
          await this.query('COMMIT');
          return result;
        } catch (err) {
          await this.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
    } finally {
      this.inTransaction = false;
      this.open = undefined;
      end();
    }
  }

  /**
   * The rows of a query in chunks, through a cursor of SQL's own (DECLARE / FETCH): every FETCH is an
   * ordinary query, so other reads may run between two chunks on this one connection, inside the
   * reader's snapshot. Outside a transaction the cursor is WITH HOLD (the server keeps the result).
   */
  async *cursor<T extends object>(text: string, values: Params = [], size = 2000): AsyncGenerator<T[]> {
    const name = `uetl_cursor_${++this.cursors}`;
    await this.query(`DECLARE ${name} NO SCROLL CURSOR ${this.inTransaction ? '' : 'WITH HOLD '}FOR ${text}`, values);
    try {
      for (;;) {
        const rows = await this.rows<T>(`FETCH ${size} FROM ${name}`);
        if (rows.length) yield rows;
        if (rows.length < size) return;
      }
    } finally {
      await this.query(`CLOSE ${name}`).catch(() => undefined);
    }
  }
}
