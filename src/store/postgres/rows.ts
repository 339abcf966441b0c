// What every PostgreSQL writer shares: statements of BATCH rows, and the ids of sources and series.
import type { Db } from './db.ts';

/** Rows per insert or lookup statement: a first load of 100 000 VMs is quickest with 1 000 (and uses least memory; 5 000 took half as long again). */
const BATCH = 1000;

/** `items` in arrays of at most BATCH. */
export function* batches<T>(items: Iterable<T>): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

export async function findSeries(db: Db, source: string, type: string): Promise<number | undefined> {
  return db.value<number>(
    'SELECT series.id FROM series JOIN sources ON sources.id = series.source_id WHERE sources.name = $1 AND resource_type = $2',
    [source, type],
  );
}

/** The id of a source, made if new. */
export async function ensureSource(db: Db, source: string): Promise<number> {
  await db.run('INSERT INTO sources (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [source, Date.now()]);
  return (await db.value<number>('SELECT id FROM sources WHERE name = $1', [source]))!;
}
