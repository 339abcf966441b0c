// SPEC §10 in PostgreSQL: collectors of different sources ingest at once; two of the same source do
// not. Each source is a session-level advisory lock, taken the first time a run touches that source
// (a dump names its sources only as it is read) and held until the run ends; the server releases it
// when the connection ends, however the client died. Every run also holds one database-wide lock
// shared, which `prune` takes exclusively. A table names the holders for messages and `status`.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { LockError } from '../../errors.ts';
import type { IngestLock } from '../index.ts';
import type { Db } from './db.ts';

/** The advisory lock space of usage-etl: (NAMESPACE, 0) the schema's creation, (NAMESPACE, 1) the whole database, (NAMESPACE + 1, hash) a source. */
const NAMESPACE = 1430606924; // "UETL"
export const SCHEMA_LOCK = [NAMESPACE, 0] as const;
const DATABASE = [NAMESPACE, 1] as const;

function sourceKey(source: string): readonly [number, number] {
  return [NAMESPACE + 1, createHash('sha256').update(source).digest().readInt32BE(0)];
}

interface Holder {
  readonly pid: number;
  readonly hostname: string;
  readonly command: string;
  readonly started_at: number;
}

export interface PostgresLock extends IngestLock {
  /** Takes the lock of `source` for the rest of the run (at once if held already; nothing outside a run). */
  source(source: string): Promise<void>;
}

export function postgresLock(db: Db): PostgresLock {
  /** The running ingest's patience, from acquire(): how long to wait for a lock, and whom to tell. */
  let run: { waitMs: number; waiting?: () => void } | undefined;
  const held = new Set<string>();

  /** Who holds lock `key` (pg_locks shows the connection; ingest_lock says whose it is). */
  const holderOf = (key: readonly [number, number]) =>
    db.one<Holder>(
      `SELECT h.pid, h.hostname, h.command, h.started_at FROM pg_locks l JOIN ingest_lock h ON h.backend_pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2 AND l.pid <> pg_backend_pid() LIMIT 1`,
      [key[0] >>> 0, key[1] >>> 0],
    );

  /** Polls `take` until it succeeds or the run's wait is over; then a LockError naming the holder. */
  const take = async (what: string, key: readonly [number, number], shared: boolean) => {
    const fn = shared ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
    const deadline = Date.now() + (run?.waitMs ?? 0);
    for (let attempt = 0; ; attempt++) {
      if (await db.value<boolean>(`SELECT ${fn}($1::int, $2::int)`, key)) return;
      if (attempt === 0) run?.waiting?.();
      if (Date.now() >= deadline) {
        const holder = await holderOf(key);
        const who = holder
          ? `pid ${holder.pid} on ${holder.hostname}, started ${new Date(holder.started_at).toISOString()}: ${holder.command}`
          : 'another process is writing to it';
        throw new LockError(`another ingest holds the lock on ${what} in ${db.where} (${who})`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(10, deadline - Date.now()))));
    }
  };

  return {
    async acquire(command, waitMs, waiting, exclusive) {
      run = { waitMs, waiting };
      // Rows of connections gone (a killed client) name nobody.
      await db.run('DELETE FROM ingest_lock WHERE backend_pid NOT IN (SELECT pid FROM pg_stat_activity)');
      await db.run(
        `INSERT INTO ingest_lock (backend_pid, pid, hostname, command, started_at) VALUES (pg_backend_pid(), $1, $2, $3, $4)
         ON CONFLICT (backend_pid) DO UPDATE SET pid = excluded.pid, hostname = excluded.hostname, command = excluded.command,
           started_at = excluded.started_at`,
        [process.pid, hostname(), command, Date.now()],
      );
      await take(exclusive ? 'the whole history' : 'the history', DATABASE, !exclusive);
    },
    async source(source) {
      if (!run || held.has(source)) return;
      await take(`source ${source}`, sourceKey(source), false);
      held.add(source);
    },
    async release() {
      run = undefined;
      held.clear();
      await db.query('SELECT pg_advisory_unlock_all()');
      await db.run('DELETE FROM ingest_lock WHERE backend_pid = pg_backend_pid()');
    },
    async isRunning(pid) {
      return (
        (await db.value<boolean>(
          `SELECT EXISTS (SELECT 1 FROM ingest_lock h JOIN pg_locks l ON l.pid = h.backend_pid
             WHERE h.pid = $1 AND l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $2 AND l.objid::bigint = $3)`,
          [pid, DATABASE[0], DATABASE[1]],
        )) ?? false
      );
    },
  };
}
