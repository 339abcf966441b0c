// Notifications in the SQLite store (SPEC §4.4): a batch stored in one transaction, each message
// once (by message id and by its de-duplication key), and read back per resource for the fold.
import type { Reject } from '../../snapshot.ts';
import { type EventRow, type EventSeries, type EventStatus, type EventsWrite, type EventsWritten, NOTIFICATION, type StoredEvent } from '../index.ts';
import { chunked, type Statements } from './statements.ts';

/** Events per INSERT statement: one statement's call and bindings cost as much as a row's storage. */
const ROWS = 50;
const COLUMNS = `source_id, run_id, message_id, dedupe_key, event_type, action, resource_type, resource_id, at, facts, payload, file, location`;
const ROW = `(${COLUMNS.split(',').map(() => '?').join(', ')})`;

export function writeEvents(s: Statements, batch: EventsWrite): EventsWritten {
  return s.write(() => {
    s.sql('INSERT OR IGNORE INTO sources (name, created_at) VALUES (?, ?)').run(batch.source, Date.now());
    const sourceId = s.sql('SELECT id FROM sources WHERE name = ?', 'pluck').get(batch.source) as number;
    // OR IGNORE: a time and de-duplication key already stored (or earlier in the statement) is the
    // same event again. Used and unused messages go in separate statements, so that the rows each
    // statement stored count new events and new unused messages apart; each keeps its arrival order.
    const insert = (rows: number) => s.sql(`INSERT OR IGNORE INTO events (${COLUMNS}) VALUES ${Array(rows).fill(ROW).join(', ')}`);
    const full = insert(ROWS);
    const store = (events: readonly StoredEvent[]): number => {
      let changes = 0;
      const values: unknown[] = [];
      for (let i = 0; i < events.length; i += ROWS) {
        const rows = Math.min(ROWS, events.length - i);
        values.length = 0;
        for (let k = i; k < i + rows; k++) {
          const e = events[k]!;
          values.push(sourceId, batch.runId, e.messageId ?? null, e.dedupeKey, e.eventType, e.action ?? null, e.resourceType ?? null, e.resourceId ?? null,
            e.at, e.facts ?? null, e.payload ?? null, e.file, e.location);
        }
        changes += (rows === ROWS ? full : insert(rows)).run(values).changes;
      }
      return changes;
    };
    const used = batch.events.filter((e) => e.action !== undefined);
    const unused = used.length === batch.events.length ? [] : batch.events.filter((e) => e.action === undefined);
    const stored = store(used);
    const unusedStored = store(unused);
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
    return { stored, duplicates: used.length - stored, unusedStored, freshRejects };
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
