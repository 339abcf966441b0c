// What a storage failure means to the person who has to fix it, in one line (issue 13): the disk is
// full, the file is read-only to this user, the file cannot be opened. Told by the driver's error
// code, so this module loads no driver.

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

/** One line for a storage error (nothing half-written: the transaction it broke was rolled back); undefined for any other error. */
export function storageProblem(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if ((err as Error | undefined)?.name !== 'SqliteError' || typeof code !== 'string') return undefined;
  const meaning = SQLITE[code] ?? SQLITE[code.split('_').slice(0, 2).join('_')] ?? 'the database refused the work';
  return `database error: ${meaning} (${(err as Error).message}); nothing half-written was kept`;
}
