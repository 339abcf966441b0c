// Notifications in PostgreSQL (SPEC §4.4), as sqlite/events.ts: a batch stored in one transaction,
// each message once (by its time and de-duplication key), read back per resource for the fold.
import { type EventRow, type EventSeries, type EventStatus, type EventsWrite, type EventsWritten, NOTIFICATION } from '../index.ts';
import type { Db } from './db.ts';
import { batches, ensureSource, storeRejects } from './rows.ts';

export function writeEvents(db: Db, batch: EventsWrite): Promise<EventsWritten> {
  return db.transaction(async () => {
    const sourceId = await ensureSource(db, batch.source);
    const inserted: [boolean][] = [];
    for (const e of batches(batch.events)) {
      // DO NOTHING: a time and de-duplication key already stored (or met earlier in this batch) is the same event again.
      inserted.push(
        ...(await db.arrays<[boolean]>(
          `INSERT INTO events (source_id, run_id, message_id, dedupe_key, event_type, action, resource_type, resource_id, at, facts, payload, file, location)
           SELECT $1, $2, t.message_id, t.dedupe_key, t.event_type, t.action, t.resource_type, t.resource_id, t.at, t.facts, t.payload, t.file, t.location
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[])
             WITH ORDINALITY AS t(message_id, dedupe_key, event_type, action, resource_type, resource_id, at, facts, payload, file, location, n)
           ORDER BY t.n
           ON CONFLICT (source_id, at, dedupe_key) DO NOTHING RETURNING action IS NULL`,
          [
            sourceId,
            batch.runId,
            e.map((x) => x.messageId ?? null),
            e.map((x) => x.dedupeKey),
            e.map((x) => x.eventType),
            e.map((x) => x.action ?? null),
            e.map((x) => x.resourceType ?? null),
            e.map((x) => x.resourceId ?? null),
            e.map((x) => x.at),
            e.map((x) => x.facts ?? null),
            e.map((x) => x.payload ?? null),
            e.map((x) => x.file),
            e.map((x) => x.location),
          ],
        )),
      );
    }
    const unusedStored = inserted.filter(([unused]) => unused).length;
    const stored = inserted.length - unusedStored;
    const used = batch.events.filter((x) => x.action !== undefined).length;
    // A capture read again (a growing file) quarantines none of its messages twice.
    const freshRejects = await storeRejects(db, { runId: batch.runId, snapshotId: null, source: batch.source, type: NOTIFICATION }, batch.rejects, true);
    return { stored, duplicates: used - stored, unusedStored, freshRejects };
  });
}

export async function knownEvents(db: Db, source: string, events: readonly { at: number; dedupeKey: string }[]): Promise<Set<string>> {
  const known = new Set<string>();
  const sourceId = await db.value<number>('SELECT id FROM sources WHERE name = $1', [source]);
  if (sourceId === undefined || !events.length) return known;
  for (const batch of batches(events)) {
    const rows = await db.arrays<[number, string]>(
      `SELECT e.at, e.dedupe_key FROM events e JOIN unnest($2::bigint[], $3::text[]) AS k(at, key) ON e.at = k.at AND e.dedupe_key = k.key
       WHERE e.source_id = $1`,
      [sourceId, batch.map((x) => x.at), batch.map((x) => x.dedupeKey)],
    );
    for (const [at, key] of rows) known.add(`${at}\0${key}`);
  }
  return known;
}

export function eventReads(db: Db) {
  return {
    async eventSeries(): Promise<EventSeries[]> {
      return db.rows<EventSeries>(
        `SELECT sources.name AS source, e.resource_type AS type, min(e.at) AS "firstAt",
                (SELECT max(at) FROM events WHERE source_id = e.source_id) AS "lastAt"
         FROM events e JOIN sources ON sources.id = e.source_id
         WHERE e.resource_type IS NOT NULL GROUP BY e.source_id, sources.name, e.resource_type ORDER BY sources.name, e.resource_type`,
      );
    },

    events(source: string, type: string): AsyncIterable<readonly EventRow[]> {
      // NULLS FIRST: where SQLite sorts them.
      return db.cursor<EventRow>(
        `SELECT e.id, e.resource_id AS "resourceId", e.action, e.at, e.facts FROM events e JOIN sources ON sources.id = e.source_id
         WHERE sources.name = $1 AND e.resource_type = $2 ORDER BY e.resource_id NULLS FIRST, e.at, e.id`,
        [source, type],
      );
    },

    async eventStatus(): Promise<EventStatus[]> {
      return db.rows<EventStatus>(
        `SELECT sources.name AS source, count(*) AS events, max(e.at) AS "lastAt", count(*) FILTER (WHERE e.action IS NULL) AS skipped,
                (SELECT count(*) FROM rejects WHERE rejects.source = sources.name AND rejects.resource_type = '${NOTIFICATION}') AS quarantined
         FROM events e JOIN sources ON sources.id = e.source_id GROUP BY e.source_id, sources.name ORDER BY sources.name`,
      );
    },
  };
}
