// `npm run bench -- --store postgres` (SPEC §10): a fresh database on the server for each use,
// dropped when the bench ends.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN = process.env.USAGE_ETL_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const made: string[] = [];

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The URL of a new, empty database. */
export async function benchDatabase(): Promise<string> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  made.push(name);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropBenchDatabases(): Promise<void> {
  for (const name of made.splice(0)) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
