// Opening an SQLite history file: pragmas, schema, forward migrations (SPEC §10).
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { UsageError } from '../../errors.ts';
import { isStorageFailure } from '../errors.ts';
import type { OpenOptions } from '../index.ts';
import { refuseForeignJournal, refuseToCreateJournal } from './journal.ts';

/** How long a statement waits for another connection's write (status and exports read during an ingest). */
export const BUSY_TIMEOUT_MS = 10_000;

export type DB = Database.Database;

// schema.sql and migrations/ sit at the package's top, as far from src/ as from the built dist/.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCHEMA_FILE = join(ROOT, 'schema.sql');
const MIGRATIONS_DIR = join(ROOT, 'migrations');

interface Migration {
  readonly version: number;
  readonly sql: string;
}

function migrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((name) => /^\d{3}-.*\.sql$/.test(name))
    .sort()
    .map((name) => ({ version: Number(name.slice(0, 3)), sql: readFileSync(join(MIGRATIONS_DIR, name), 'utf8') }));
}

export function openDatabase(path: string, options: OpenOptions = {}): DB {
  if ((options.readonly || options.existing) && !existsSync(path)) {
    throw new UsageError(`no database at ${path} (ingest something first, or pass --db)`);
  }
  const created = !existsSync(path);
  if (options.readonly) refuseToCreateJournal(path);
  else if (!created) refuseForeignJournal(path);
  let db: DB;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new UsageError(`cannot open database ${path}: ${(err as Error).message}`);
  }
  try {
    // Nothing is changed in a file before it is known to be ours (issue 13: another application's
    // database was switched to WAL and migrated before being refused).
    const kind = identify(db, path);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL keeps every commit atomic; a power cut may lose the last one, never half of it.
      db.pragma('synchronous = NORMAL');
    }
    // The schema's REFERENCES document the relations; the store alone writes them, in transactions.
    // Enforcing them costs about an eighth of a first load, so they are off: SQLite's own default,
    // but better-sqlite3 is built with them on, so it must be said.
    db.pragma('foreign_keys = OFF');
    // 16 MiB of page cache (SQLite also lets a sort take as much): a first load of 700 000 resources
    // peaked 50 MB higher with 64 MiB, for no speed (its writes append; SPEC §11, memory).
    db.pragma('cache_size = -16384');
    migrate(db, path, options.readonly ?? false, kind);
  } catch (err) {
    db.close();
    // A database this open was creating is not left behind half-made (a 4 KiB stub on a full disk).
    if (created) for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
    if (err instanceof UsageError) throw err;
    // A full disk or a read-only file is failed work (exit 1), told as such by the CLI; not a usage error.
    if (isStorageFailure(err)) throw err;
    throw new UsageError(`cannot use database ${path}: ${(err as Error).message}`);
  }
  return db;
}

/** Ours, in the file header: "UETL". Set on creation; an older database of ours gets it at its next write. */
const APPLICATION_ID = 0x5545544c;
/** The tables every usage-etl database has had since version 1: how one made before APPLICATION_ID is told. */
const OUR_TABLES = ['sources', 'series', 'runs', 'snapshots', 'changes', 'current'];

type Kind = 'ours' | 'ours, unmarked' | 'empty';

function identify(db: DB, path: string): Kind {
  const id = db.pragma('application_id', { simple: true }) as number;
  if (id === APPLICATION_ID) return 'ours';
  const tables = new Set(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]);
  if (id === 0 && !tables.size) return 'empty';
  if (id === 0 && OUR_TABLES.every((table) => tables.has(table))) return 'ours, unmarked';
  const what = id ? `application_id ${id}` : `tables ${[...tables].slice(0, 5).join(', ')}${tables.size > 5 ? ', ...' : ''}`;
  throw new UsageError(`${path} is an SQLite database, but not a usage-etl one (${what}); it was left as it was`);
}

function migrate(db: DB, path: string, readonly: boolean, kind: Kind): void {
  const all = migrations();
  const latest = Math.max(1, ...all.map((m) => m.version));
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === latest && (kind === 'ours' || readonly)) return;
  if (version > latest) {
    throw new UsageError(
      `database ${path} has schema version ${version}, newer than this usage-etl knows (${latest}); upgrade usage-etl`,
    );
  }
  if (readonly) {
    throw new UsageError(`database ${path} has schema version ${version}; run an ingest to upgrade it to ${latest}`);
  }
  // A migration may rebuild a table that others reference (SQLite's ALTER TABLE recipe): foreign keys
  // are switched off for it (only possible outside a transaction) and checked before it commits.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      // Re-read inside the write lock: another process may have just created or upgraded it.
      const now = db.pragma('user_version', { simple: true }) as number;
      db.pragma(`application_id = ${APPLICATION_ID}`);
      if (now === latest) return;
      if (now === 0) {
        // schema.sql is the whole current schema: a new database needs no migration.
        db.exec(readFileSync(SCHEMA_FILE, 'utf8'));
      } else {
        for (const m of all) if (m.version > now) db.exec(m.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length) throw new Error(`the upgrade to schema version ${latest} would break ${broken.length} reference(s)`);
      }
      db.pragma(`user_version = ${latest}`);
    }).immediate();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}
