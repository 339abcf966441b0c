// Notifications in the SQLite store (SPEC §4.4): a batch stored in one transaction, each message
// once (by message id and by its de-duplication key), and read back per resource for the fold.
import type { Reject } from '../../snapshot.ts';
import { type EventRow, type EventSeries, type EventStatus, type EventsWrite, type EventsWritten, NOTIFICATION } from '../index.ts';
import { chunked, type Statements } from './statements.ts';

/** The rejects table names quarantined notifications by this resource type. */

export function writeEvents(s: Statements, batch: EventsWrite): EventsWritten {
  return s.write(() => {
    s.sql('INSERT OR IGNORE INTO sources (name, created_at) VALUES (?, ?)').run(batch.source, Date.now());
    const sourceId = s.sql('SELECT id FROM sources WHERE name = ?', 'pluck').get(batch.source) as number;
    // OR IGNORE: a time and de-duplication key already stored is the same event again.
    const insert = s.sql(
      `INSERT OR IGNORE INTO events (source_id, run_id, message_id, dedupe_key, event_type, action, resource_type, resource_id, at,
         facts, payload, file, location) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let stored = 0;
    let used = 0;
    let unusedStored = 0;
    for (const e of batch.events) {
      const result = insert.run(
        sourceId,
        batch.runId,
        e.messageId ?? null,
        e.dedupeKey,
        e.eventType,
        e.action ?? null,
        e.resourceType ?? null,
        e.resourceId ?? null,
        e.at,
        e.facts ?? null,
        e.payload ?? null,
        e.file,
        e.location,
      );
      if (e.action === undefined) {
        unusedStored += result.changes;
        continue;
      }
      used++;
      stored += result.changes;
    }
    const known = s.sql('SELECT 1 FROM rejects WHERE source = ? AND resource_type = ? AND file = ? AND location = ? AND reason = ? LIMIT 1');
    const insertReject = s.sql(
      `INSERT INTO rejects (run_id, snapshot_id, source, resource_type, file, location, field, reason) VALUES (?, NULL, ?, ?, ?, ?, ?, ?)`,
    );
    const freshRejects: Reject[] = [];
    for (const r of batch.rejects) {
      if (known.get(batch.source, NOTIFICATION, r.file, r.location, r.reason) !== undefined) continue;
      insertReject.run(batch.runId, batch.source, NOTIFICATION, r.file, r.location, r.field ?? null, r.reason);
      freshRejects.push(r);
    }
    return { stored, duplicates: used - stored, unusedStored, freshRejects };
  });
}

export function knownEvents(s: Statements, source: string, events: readonly { at: number; dedupeKey: string }[]): Set<string> {
  const sourceId = s.sql('SELECT id FROM sources WHERE name = ?', 'pluck').get(source) as number | undefined;
  const known = new Set<string>();
  if (sourceId === undefined) return known;
  const stored = s.sql('SELECT 1 FROM events WHERE source_id = ? AND at = ? AND dedupe_key = ?');
  for (const e of events) if (stored.get(sourceId, e.at, e.dedupeKey) !== undefined) known.add(`${e.at}\0${e.dedupeKey}`);
  return known;
}

export function eventReads(s: Statements) {
  return {
    async eventSeries(): Promise<EventSeries[]> {
      return s.sql(
        `SELECT sources.name AS source, e.resource_type AS type, min(e.at) AS firstAt,
                (SELECT max(at) FROM events WHERE source_id = e.source_id) AS lastAt
         FROM events e JOIN sources ON sources.id = e.source_id
         WHERE e.resource_type IS NOT NULL GROUP BY e.source_id, e.resource_type ORDER BY sources.name, e.resource_type`,
      ).all() as EventSeries[];
    },

    events(source: string, type: string): AsyncIterable<readonly EventRow[]> {
      return chunked(
        s.sql(
          `SELECT e.id, e.resource_id AS resourceId, e.action, e.at, e.facts FROM events e JOIN sources ON sources.id = e.source_id
           WHERE sources.name = ? AND e.resource_type = ? ORDER BY e.resource_id, e.at, e.id`,
        ).iterate(source, type) as IterableIterator<EventRow>,
      );
    },

    async eventStatus(): Promise<EventStatus[]> {
      return s.sql(
        `SELECT sources.name AS source, count(*) AS events, max(e.at) AS lastAt, sum(e.action IS NULL) AS skipped,
                (SELECT count(*) FROM rejects WHERE rejects.source = sources.name AND rejects.resource_type = '${NOTIFICATION}') AS quarantined
         FROM events e JOIN sources ON sources.id = e.source_id GROUP BY e.source_id ORDER BY sources.name`,
      ).all() as EventStatus[];
    },
  };
}
