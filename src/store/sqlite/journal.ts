// The WAL files beside a database (README "Storage", issue 13): left by every writer for users who
// may only read, never made by a reader as itself.
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import Database from 'better-sqlite3';

type DB = Database.Database;
import { RefusedError } from '../../errors.ts';

/**
 * Closes a connection. A writer leaves PATH-wal (emptied) and PATH-shm in place, owned by whoever
 * owns the database, so that users who may only read it can: SQLite lets a read-only connection
 * read a WAL database only through those two files, and creates them when they are missing, as
 * the reader, in a folder it may write (issue 13: an analyst's export left files the nightly ingest
 * could not open) or fails in one it may not. SQLite removes them when the last connection closes,
 * unless another still holds the database: a short-lived read-only one is that other, and, unable to
 * write, it leaves them as they are when it closes (SQLite's "persistent WAL", which better-sqlite3
 * does not expose).
 */
export function closeDatabase(db: DB, path: string): void {
  if (db.readonly) {
    db.close();
    return;
  }
  let holder: DB | undefined;
  try {
    // Not waiting for readers: a checkpoint they hold up is finished by the next writer.
    db.pragma('busy_timeout = 0');
    db.pragma('wal_checkpoint(TRUNCATE)');
    holder = new Database(path, { readonly: true, timeout: 0 });
    holder.exec('BEGIN');
    holder.pragma('user_version');
  } catch {
    // Without the files, readers who cannot create them wait for the next writer: not worth failing for.
    holder?.close();
    holder = undefined;
  }
  db.close();
  if (holder?.inTransaction) holder.exec('COMMIT');
  holder?.close();
}

/**
 * A reader that is neither the database's owner nor root would create its WAL files as itself
 * (see closeDatabase): refused, one line, and nothing created. Root's and the owner's are the
 * owner's (SQLite gives root's to the database's owner), so they may.
 */
export function refuseToCreateJournal(path: string): void {
  const uid = process.getuid?.();
  const owner = statSync(path).uid;
  if (uid === undefined || uid === 0 || uid === owner) return;
  if (existsSync(`${path}-wal`) && existsSync(`${path}-shm`)) return;
  if (!inWalMode(path)) return;
  const name = basename(path);
  throw new RefusedError(
    `cannot read ${path} as this user: ${name}-wal and ${name}-shm, which every ingest leaves beside it for readers, are missing ` +
      `(removed, or last written by an older usage-etl); reading would create them as this user and lock its owner (uid ${owner}) out: ` +
      'run an ingest as the owner first',
  );
}

/** A writer finding WAL files it may not write beside a database it may (a reader's, see closeDatabase): named, with the remedy. */
export function refuseForeignJournal(path: string): void {
  if (!writable(path)) return; // a database read-only to this user is told by SQLite's error
  for (const file of [`${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file) || writable(file)) continue;
    throw new RefusedError(
      `cannot write ${path}: ${file} belongs to uid ${statSync(file).uid} and is not writable by this user ` +
        "(another user's read-only command made it); when no usage-etl is running, give it to the database's owner (chown) or remove it if it is empty",
    );
  }
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Bytes 18 and 19 of the header are 2 in a WAL database (SQLite file format). */
function inWalMode(path: string): boolean {
  const header = Buffer.alloc(20);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, header, 0, 20, 0) === 20 && header[18] === 2;
  } catch {
    return false; // unreadable: SQLite says why when it opens it
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
