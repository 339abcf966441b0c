// Opening the history store a command names with --db (SPEC §2, §10).
import { existsSync } from 'node:fs';
import { NoHistoryError } from './errors.ts';
import type { OpenOptions, Store } from './index.ts';
import { isDatabaseUrl } from './url.ts';

/**
 * Opens (and creates, unless read-only) the history at `path`: a postgres:// URL is a PostgreSQL
 * database, anything else an SQLite file. Each driver is loaded only when named (start-up time).
 */
export async function openStore(path: string, options: OpenOptions = {}): Promise<Store> {
  if (isDatabaseUrl(path)) return (await import('./postgres/store.ts')).openPostgresStore(path, options);
  return (await import('./sqlite/store.ts')).openSqliteStore(path, options);
}

/** The history a dry run previews against, read-only; undefined where none exists yet (it creates nothing). */
export async function openToPreview(path: string): Promise<Store | undefined> {
  if (!isDatabaseUrl(path)) return existsSync(path) ? openStore(path, { readonly: true }) : undefined;
  try {
    return await openStore(path, { readonly: true });
  } catch (err) {
    if (err instanceof NoHistoryError) return undefined;
    throw err;
  }
}

/**
 * Runs `work` on the history at `path` and closes it. After a failure, a database that will not
 * close (a statement still busy) does not replace the failure's cause (issue 13).
 */
export async function withStore<T>(path: string, options: OpenOptions, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(path, options);
  let result: T;
  try {
    result = await work(store);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  await store.close();
  return result;
}
