// Both history stores for one test: a fresh SQLite file, or a fresh PostgreSQL database on the
// server of $USAGE_ETL_TEST_PG (default: postgres on 127.0.0.1:5432, trust auth, as on our machines
// and CI), created per test and dropped when the test file ends. Where no server answers, the
// PostgreSQL variants are skipped with the reason printed.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { tempDir, workspace } from './cli.ts';

/** The server's maintenance database, as an administrator who may CREATE DATABASE. */
export const PG_ADMIN_URL = process.env.USAGE_ETL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type StoreKind = 'sqlite' | 'postgres';

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Why the PostgreSQL variants cannot run here, or false when they can. */
export const postgresSkip: string | false = await admin((client) => client.query('SELECT 1')).then(
  () => false,
  (err: Error) => `no PostgreSQL server at ${PG_ADMIN_URL.replace(/:[^:@/]*@/, ':***@')} (${err.message}); set USAGE_ETL_TEST_PG to run these`,
);
if (postgresSkip) process.stdout.write(`# PostgreSQL tests skipped: ${postgresSkip}\n`);

const made: string[] = [];
after(async () => {
  if (!made.length) return;
  await admin(async (client) => {
    // FORCE (PostgreSQL 13+): a client a test killed may still hold a connection.
    for (const name of made.splice(0)) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
});

/** A new, empty PostgreSQL database; its URL. */
export async function freshPostgresUrl(): Promise<string> {
  const name = `ut_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  made.push(name);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh history of `kind`: an SQLite file path (not created yet) or an empty database's URL. */
export async function freshDb(kind: StoreKind): Promise<string> {
  return kind === 'sqlite' ? join(tempDir(), 'usage.db') : freshPostgresUrl();
}

/** Each store with the node:test options that skip it where it cannot run. */
export const STORES: readonly { readonly kind: StoreKind; readonly skip: string | false }[] = [
  { kind: 'sqlite', skip: false },
  { kind: 'postgres', skip: postgresSkip },
];

/** Rows of a query on either store, as an operator would look (sqlite3 or psql): for assertions only. */
export async function query<T = Record<string, unknown>>(db: string, text: string): Promise<T[]> {
  if (/^postgres(ql)?:/.test(db)) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare(text).all() as T[];
  } finally {
    conn.close();
  }
}

/** How many rows a table holds. */
export async function countRows(db: string, table: string): Promise<number> {
  return Number((await query<{ n: number | string }>(db, `SELECT count(*) AS n FROM ${table}`))[0]!.n);
}

/** An empty folder for one test and its history: usage.db in it, or a fresh PostgreSQL database. */
export async function workspaceOn(kind: StoreKind): Promise<{ dir: string; db: string }> {
  const space = workspace();
  return kind === 'sqlite' ? space : { dir: space.dir, db: await freshDb('postgres') };
}

/** The resources of a source present now. */
export async function currentKeys(db: string, source: string): Promise<string[]> {
  const rows = await query<{ resource_key: string }>(
    db,
    `SELECT resource_key FROM current JOIN series ON series.id = current.series_id
     JOIN sources ON sources.id = series.source_id WHERE sources.name = '${source}' ORDER BY resource_key`,
  );
  return rows.map((row) => row.resource_key);
}
