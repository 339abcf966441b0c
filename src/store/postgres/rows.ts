// What every PostgreSQL writer shares: statements of BATCH rows, the ids of sources and series, and
// quarantined records.
import type { Reject } from '../../snapshot.ts';
import { batches as batchesOf } from '../batches.ts';
import type { Db } from './db.ts';

/** Rows per insert or lookup statement: a first load of 100 000 VMs is quickest with 1 000 (and uses least memory; 5 000 took half as long again). */
const BATCH = 1000;

/** `items` in arrays of at most BATCH. */
export function batches<T>(items: Iterable<T>): Generator<T[]> {
  return batchesOf(items, BATCH);
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

/**
 * Stores quarantined records, a statement per BATCH; with `onlyFresh`, those stored before (a
 * growing log or capture read again) are left out. Returns those stored.
 */
export async function storeRejects(
  db: Db,
  at: { readonly runId: number; readonly snapshotId: number | null; readonly source: string; readonly type: string },
  rejects: readonly Reject[],
  onlyFresh: boolean,
): Promise<readonly Reject[]> {
  const fresh = onlyFresh ? await unstored(db, at.source, at.type, rejects) : rejects;
  for (const batch of batches(fresh)) {
    await db.query(
      `INSERT INTO rejects (run_id, snapshot_id, source, resource_type, file, location, field, reason)
       SELECT $1, $2, $3, $4, t.file, t.location, t.field, t.reason
       FROM unnest($5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS t(file, location, field, reason, n) ORDER BY t.n`,
      [at.runId, at.snapshotId, at.source, at.type, batch.map((r) => r.file), batch.map((r) => r.location), batch.map((r) => r.field ?? null), batch.map((r) => r.reason)],
    );
  }
  return fresh;
}

/** The rejects not stored yet for this source and type (same file, place and reason). */
async function unstored(db: Db, source: string, type: string, rejects: readonly Reject[]): Promise<Reject[]> {
  const place = (r: { file: string; location: string; reason: string }) => `${r.file}\0${r.location}\0${r.reason}`;
  const known = new Set<string>();
  for (const batch of batches(rejects)) {
    const rows = await db.rows<{ file: string; location: string; reason: string }>(
      `SELECT DISTINCT r.file, r.location, r.reason FROM rejects r
       JOIN unnest($3::text[], $4::text[], $5::text[]) AS t(file, location, reason)
         ON r.file = t.file AND r.location = t.location AND r.reason = t.reason
       WHERE r.source = $1 AND r.resource_type = $2`,
      [source, type, batch.map((r) => r.file), batch.map((r) => r.location), batch.map((r) => r.reason)],
    );
    for (const row of rows) known.add(place(row));
  }
  return rejects.filter((r) => !known.has(place(r)));
}
