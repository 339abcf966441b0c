// Opening a PostgreSQL history: the schema on an empty database, the version rule of SPEC §10 (a
// database newer than this code is refused; older ones are migrated forward in one transaction).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.ts';
import { NoHistoryError } from '../errors.ts';
import type { OpenOptions } from '../index.ts';
import { connect } from './connect.ts';
import type { Db } from './db.ts';
import { SCHEMA_LOCK } from './lock.ts';

// schema.postgres.sql sits at the package's top, as far from src/ as from the built dist/.
const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'schema.postgres.sql');

/** The schema version this code writes; forward migrations for PostgreSQL start after it (none yet). */
export const SCHEMA_VERSION = 5;

/** The tables every usage-etl database has: how ours is told from another application's. */
const OUR_TABLES = ['sources', 'series', 'runs', 'snapshots', 'changes', 'current', 'meta'];

export async function openDatabase(url: string, options: OpenOptions): Promise<Db> {
  const db = await connect(url);
  try {
    await migrate(db, options);
    return db;
  } catch (err) {
    await db.client.end().catch(() => undefined);
    throw err;
  }
}

async function version(db: Db): Promise<number> {
  const tables = new Set(
    (await db.rows<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()')).map(
      (row) => row.name,
    ),
  );
  if (!tables.size) return 0;
  if (!OUR_TABLES.every((table) => tables.has(table))) {
    const some = [...tables].sort().slice(0, 5).join(', ');
    throw new UsageError(`${db.where} is a PostgreSQL database, but not a usage-etl one (tables ${some}${tables.size > 5 ? ', ...' : ''}); it was left as it was`);
  }
  return Number((await db.value<string>("SELECT value FROM meta WHERE key = 'schema_version'")) ?? 0);
}

async function migrate(db: Db, options: OpenOptions): Promise<void> {
  const found = await version(db);
  if (found === SCHEMA_VERSION) return;
  if (found > SCHEMA_VERSION) {
    throw new UsageError(`database ${db.where} has schema version ${found}, newer than this usage-etl knows (${SCHEMA_VERSION}); upgrade usage-etl`);
  }
  if (found === 0 && (options.readonly || options.existing)) {
    throw new NoHistoryError(`no usage-etl history in ${db.where} (ingest something first, or pass --db)`);
  }
  if (options.readonly) throw new UsageError(`database ${db.where} has schema version ${found}; run an ingest to upgrade it to ${SCHEMA_VERSION}`);
  await db.transaction(async () => {
    // Collectors that start at once on an empty database make the schema one after the other.
    await db.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', SCHEMA_LOCK);
    // Read again under the lock: another collector may have just created it.
    const now = await version(db);
    if (now === SCHEMA_VERSION) return;
    if (now !== 0) throw new UsageError(`database ${db.where} has schema version ${now}, which no migration of this usage-etl upgrades`);
    await db.query(readFileSync(SCHEMA_FILE, 'utf8'));
    await db.query("INSERT INTO meta (key, value) VALUES ('schema_version', $1)", [String(SCHEMA_VERSION)]);
  });
}
