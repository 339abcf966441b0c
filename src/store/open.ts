// Opening the history store a command names with --db (SPEC §2, §10).
import type { OpenOptions, Store } from './index.ts';
import { openSqliteStore } from './sqlite/store.ts';

/** Opens (and creates, unless read-only) the history at `path`. Only SQLite files today. */
export async function openStore(path: string, options: OpenOptions = {}): Promise<Store> {
  return openSqliteStore(path, options);
}
