// SPEC §10: at most one ingest writes a database at a time. The lock is a row, so `status` can name
// its holder; a row left by a killed process counts only while that process runs.
import { hostname } from 'node:os';
import { LockError } from '../../errors.ts';
import type { IngestLock } from '../index.ts';
import { BUSY_TIMEOUT_MS } from './open.ts';
import type { Statements } from './statements.ts';

interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly command: string;
  readonly started_at: number;
}

export function sqliteLock(s: Statements, path: string): IngestLock {
  const holderNow = () => s.sql('SELECT pid, hostname, command, started_at FROM ingest_lock WHERE id = 1').get() as LockHolder | undefined;

  /** Takes the lock, or returns who holds it. Never waits: `--wait` alone decides how long to wait. */
  const tryLock = (command: string): LockHolder | undefined => {
    // Look without the write lock first: another ingest may be in the middle of a long snapshot.
    const holder = holderNow();
    if (holder && holder.pid !== process.pid && isAlive(holder)) return holder;
    s.db.pragma('busy_timeout = 0');
    try {
      return s.write(() => {
        const now = holderNow();
        if (now && now.pid !== process.pid && isAlive(now)) return now;
        s.sql('INSERT OR REPLACE INTO ingest_lock (id, pid, hostname, command, started_at) VALUES (1, ?, ?, ?, ?)').run(
          process.pid,
          hostname(),
          command,
          Date.now(),
        );
        return undefined;
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
      return holderNow() ?? { pid: 0, hostname: '', command: '', started_at: 0 };
    } finally {
      s.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  };

  return {
    async acquire(command, waitMs, waiting) {
      const deadline = Date.now() + waitMs;
      for (let attempt = 0; ; attempt++) {
        const holder = tryLock(command);
        if (!holder) return;
        if (attempt === 0) waiting?.();
        if (Date.now() >= deadline) {
          const who = holder.pid
            ? `pid ${holder.pid} on ${holder.hostname}, started ${new Date(holder.started_at).toISOString()}: ${holder.command}`
            : 'another process is writing to it';
          throw new LockError(`another ingest holds the lock on ${path} (${who})`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(10, deadline - Date.now()))));
      }
    },
    async release() {
      s.sql('DELETE FROM ingest_lock WHERE id = 1 AND pid = ?').run(process.pid);
    },
    async isRunning(pid) {
      const holder = holderNow();
      return !!holder && holder.pid === pid && isAlive(holder);
    },
  };
}

/** A lock row outlives a killed process; it counts only while its process runs (same host). */
function isAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
