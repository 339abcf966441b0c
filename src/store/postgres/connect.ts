// Connecting to the PostgreSQL server a `--db` URL names (SPEC §10): credentials from the URL,
// PGPASSWORD or ~/.pgpass; a URL that cannot be read is a usage error (exit 2); a server that is
// down or refuses is one line naming host:port (exit 1). The password is shown nowhere.
import { userInfo } from 'node:os';
import pg from 'pg';
import pgpass from 'pgpass';
import { RefusedError, UsageError } from '../../errors.ts';
import { maskPasswords } from '../url.ts';
import { Db } from './db.ts';

const INT8 = 20;
const NUMERIC = 1700;

// bigint (times in epoch ms, counts) and numeric (sums) arrive as text by default: every value the
// store keeps fits a double exactly (times, counts), so they are numbers, as SQLite gives them.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** What the URL names, for messages: host:port/database, no user, no password. */
export function describeUrl(url: string): string {
  const u = parseUrl(url);
  const host = u.hostname || process.env.PGHOST || 'localhost';
  return `${host}:${u.port || process.env.PGPORT || 5432}/${decodeURIComponent(u.pathname.slice(1)) || process.env.PGDATABASE || defaultUser(u)}`;
}

function parseUrl(url: string): URL {
  try {
    const u = new URL(url);
    if (u.pathname.slice(1).includes('/')) throw new Error('the database name holds a slash');
    return u;
  } catch (err) {
    throw new UsageError(`--db: not a PostgreSQL URL (postgres://user@host:port/database): ${maskPasswords(url)} (${(err as Error).message})`);
  }
}

function defaultUser(u: URL): string {
  return decodeURIComponent(u.username) || process.env.PGUSER || userInfo().username;
}

export async function connect(url: string): Promise<Db> {
  const where = describeUrl(url);
  // libpq's default user is the operating system's; pg's is $USER, which cron jobs and containers
  // often leave unset (the server then refuses a login with no user name at all).
  pg.defaults.user ??= userInfo().username;
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, types, application_name: 'usage-etl', connectionTimeoutMillis: 15_000 });
  } catch (err) {
    throw new UsageError(`--db: ${maskPasswords(url)}: ${maskPasswords((err as Error).message)}`);
  }
  // Neither in the URL nor in PGPASSWORD: ~/.pgpass (or $PGPASSFILE), read only when the server asks.
  // pg would read it too, but with a deprecation warning on stderr.
  if (!client.password) {
    (client as unknown as { password: (params: object) => Promise<string | undefined> }).password = (params) =>
      new Promise((resolve) => pgpass(params, resolve));
  }
  // A connection lost mid-run is reported by the query it breaks (db.ts keeps the server's reason);
  // this keeps it from crashing the process before then.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new RefusedError(`cannot use PostgreSQL at ${where}: ${connectProblem(err)}`);
  }
  // Times without a zone are UTC (SPEC §7), as SQLite reads them.
  await client.query("SET TIME ZONE 'UTC'");
  return new Db(client, where);
}

/** Why a connection failed, in one line. */
function connectProblem(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running, and listening on that address and port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'no such host';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case '28P01':
    case '28000':
      return `the server refused the login (${e.message}); give the password in PGPASSWORD or ~/.pgpass`;
    case '3D000':
      return `${e.message} (create it: createdb, or CREATE DATABASE)`;
    default:
      return maskPasswords(e.message ?? String(err));
  }
}
