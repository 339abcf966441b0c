// What a storage failure means to the person who has to fix it, in one line (issue 13): the disk is
// full, the file is read-only to this user, the file cannot be opened. Told by the driver's error
// code, so this module loads no driver.
import { UsageError } from '../errors.ts';

const SQLITE: Readonly<Record<string, string>> = {
  SQLITE_FULL: 'the disk holding the database is full: free some space and run it again',
  SQLITE_READONLY: 'the database is read-only to this user (the file, or the folder its journal goes in, is not writable)',
  SQLITE_CANTOPEN: 'the database file cannot be opened (a folder that does not exist, or no permission)',
  SQLITE_IOERR: 'the disk failed to read or write the database',
  SQLITE_CORRUPT: 'the database file is damaged (PRAGMA integrity_check will say where)',
  SQLITE_NOTADB: 'the file is not an SQLite database',
  SQLITE_PERM: 'no permission to use the database file',
};

/** A failure of the machine under a good database (disk full, permissions), not a wrong `--db`: failed work, exit 1. */
export function isStorageFailure(err: unknown): boolean {
  const code = String((err as { code?: unknown } | undefined)?.code ?? '');
  return storageProblem(err) !== undefined && !code.startsWith('SQLITE_NOTADB') && !code.startsWith('SQLITE_CORRUPT');
}

// PostgreSQL's by SQLSTATE, exact or by class (the first two characters).
const POSTGRES: Readonly<Record<string, string>> = {
  '42501': 'this database user lacks a privilege the work needs (GRANT it, or connect as the owner)',
  '25006': 'the server accepts no writes (a standby, or default_transaction_read_only)',
  '53100': 'the disk holding the PostgreSQL database is full: free some space and run it again',
  '53': 'the PostgreSQL server is out of resources (memory or connections)',
  '57': 'the PostgreSQL server stopped the work (shut down or restarted, or an administrator ended it)',
  '08': 'the connection to the PostgreSQL server failed',
  '58': 'the PostgreSQL server failed to read or write its files',
  XX: 'the PostgreSQL server failed',
};

/** PostgreSQL's meaning of a driver error (pg's carry a five-character SQLSTATE; a dropped connection none). */
function postgresProblem(err: unknown): string | undefined {
  const e = err as { code?: unknown; severity?: unknown; server?: unknown; message?: unknown } | undefined;
  if (typeof e?.server !== 'string') return undefined; // not from the PostgreSQL store (src/store/postgres/db.ts marks them)
  const code = typeof e.code === 'string' ? e.code : '';
  let meaning: string | undefined;
  if (typeof e.severity === 'string' && code.length === 5) meaning = POSTGRES[code] ?? POSTGRES[code.slice(0, 2)];
  else if (/^Connection terminated|ECONNRESET|EPIPE/.test(`${code} ${String(e.message)}`.trim())) meaning = 'the connection to the PostgreSQL server was lost';
  if (!meaning) return undefined;
  return `database error on ${e.server}: ${meaning} (${String(e.message)}); nothing half-written was kept`;
}

/** One line for a storage error (nothing half-written: the transaction it broke was rolled back); undefined for any other error. */
export function storageProblem(err: unknown): string | undefined {
  const postgres = postgresProblem(err);
  if (postgres) return postgres;
  const code = (err as { code?: unknown } | undefined)?.code;
  if ((err as Error | undefined)?.name !== 'SqliteError' || typeof code !== 'string') return undefined;
  const meaning = SQLITE[code] ?? SQLITE[code.split('_').slice(0, 2).join('_')] ?? 'the database refused the work';
  return `database error: ${meaning} (${(err as Error).message}); nothing half-written was kept`;
}

/** A reader found no history where it looked (no file, or an empty database): a usage error, except to a dry run. */
export class NoHistoryError extends UsageError {}
