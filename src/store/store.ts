// The only module that speaks SQL. Everything else asks it questions in the users' terms.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { LockError } from '../errors.ts';
import { BUSY_TIMEOUT_MS, openDatabase, type OpenOptions } from './open.ts';

type DB = Database.Database;

export type Action = 'added' | 'modified' | 'removed';

export interface SnapshotCounts {
  readonly examined: number;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly skipped: number;
}

/** A run's totals: the sum of its snapshots' counts (duplicates are per snapshot only). */
export type RunTotals = Omit<SnapshotCounts, 'duplicates'> & { readonly snapshots: number };

export const NO_TOTALS: RunTotals = { snapshots: 0, examined: 0, added: 0, modified: 0, removed: 0, unchanged: 0, rejected: 0, skipped: 0 };

/** A file as it was when listed: path, size and modification time (whole ms). */
export interface SourceFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface SeriesInfo {
  readonly id: number;
  readonly source: string;
  readonly type: string;
  readonly firstAt: number;
  readonly lastAt: number;
}

export interface ChangeRow {
  readonly id: number;
  readonly takenAt: number;
  readonly key: string;
  readonly action: Action;
  readonly record: string;
  readonly fields: string | null;
}

export interface RejectRow {
  readonly file: string;
  readonly location: string;
  readonly field?: string;
  readonly reason: string;
}

export class Store {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly db: DB,
    readonly path: string,
  ) {}

  static open(path: string, options: OpenOptions = {}): Store {
    return new Store(openDatabase(path, options), path);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE): all of it commits, or none (SPEC §6). */
  writeTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // --- ingest lock (SPEC §10) -------------------------------------------------------------

  /** Takes the ingest lock, waiting up to `waitMs` for another ingest to finish. */
  async acquireIngestLock(command: string, waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const holder = this.tryLock(command);
      if (!holder) return;
      if (Date.now() >= deadline) {
        const who = holder.pid
          ? `pid ${holder.pid} on ${holder.hostname}, started ${new Date(holder.started_at).toISOString()}: ${holder.command}`
          : 'another process is writing to it';
        throw new LockError(`another ingest holds the lock on ${this.path} (${who})`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(10, deadline - Date.now()))));
    }
  }

  /** Takes the lock, or returns who holds it. Never waits: `--wait` alone decides how long to wait. */
  private tryLock(command: string): LockHolder | undefined {
    // Look without the write lock first: another ingest may be in the middle of a long snapshot.
    const holder = this.lockHolder();
    if (holder && holder.pid !== process.pid && isAlive(holder)) return holder;
    this.db.pragma('busy_timeout = 0');
    try {
      return this.writeTransaction(() => {
        const now = this.lockHolder();
        if (now && now.pid !== process.pid && isAlive(now)) return now;
        this.sql(
          'INSERT OR REPLACE INTO ingest_lock (id, pid, hostname, command, started_at) VALUES (1, ?, ?, ?, ?)',
        ).run(process.pid, hostname(), command, Date.now());
        return undefined;
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
      return this.lockHolder() ?? { pid: 0, hostname: '', command: '', started_at: 0 };
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  private lockHolder(): LockHolder | undefined {
    return this.sql('SELECT pid, hostname, command, started_at FROM ingest_lock WHERE id = 1').get() as LockHolder | undefined;
  }

  /** Whether the run of process `pid` still holds the lock (a 'running' run without it was killed). */
  isRunning(pid: number): boolean {
    const holder = this.lockHolder();
    return !!holder && holder.pid === pid && isAlive(holder);
  }

  releaseIngestLock(): void {
    this.sql('DELETE FROM ingest_lock WHERE id = 1 AND pid = ?').run(process.pid);
  }

  // --- runs --------------------------------------------------------------------------------

  startRun(command: string): number {
    const result = this.sql("INSERT INTO runs (command, pid, started_at, status) VALUES (?, ?, ?, 'running')").run(
      command,
      process.pid,
      Date.now(),
    );
    return Number(result.lastInsertRowid);
  }

  finishRun(runId: number, status: 'ok' | 'failed', error: string | undefined, totals: RunTotals): void {
    this.sql(
      `UPDATE runs SET finished_at = ?, status = ?, error = ?, snapshots = ?, examined = ?, added = ?,
         modified = ?, removed = ?, unchanged = ?, rejected = ?, skipped = ? WHERE id = ?`,
    ).run(
      Date.now(),
      status,
      error ?? null,
      totals.snapshots,
      totals.examined,
      totals.added,
      totals.modified,
      totals.removed,
      totals.unchanged,
      totals.rejected,
      totals.skipped,
      runId,
    );
  }

  // --- settings ----------------------------------------------------------------------------

  /** The HMAC key for `private_fields: hash`, made once per database. */
  hashKey(): string {
    const existing = this.existingHashKey();
    if (existing) return existing;
    this.sql("INSERT OR IGNORE INTO meta (key, value) VALUES ('hash_key', ?)").run(randomBytes(32).toString('hex'));
    return this.existingHashKey()!;
  }

  /** The key, if the database has made one (a dry run must hash as the real run will). */
  existingHashKey(): string | undefined {
    return (this.sql("SELECT value FROM meta WHERE key = 'hash_key'").pluck().get() as string | undefined) ?? undefined;
  }

  // --- series and snapshots ----------------------------------------------------------------

  findSeries(source: string, type: string): number | undefined {
    const row = this.sql(
      'SELECT series.id FROM series JOIN sources ON sources.id = series.source_id WHERE sources.name = ? AND resource_type = ?',
    ).get(source, type) as { id: number } | undefined;
    return row?.id;
  }

  ensureSeries(source: string, type: string): number {
    const found = this.findSeries(source, type);
    if (found !== undefined) return found;
    this.sql('INSERT OR IGNORE INTO sources (name, created_at) VALUES (?, ?)').run(source, Date.now());
    const { id: sourceId } = this.sql('SELECT id FROM sources WHERE name = ?').get(source) as { id: number };
    return Number(this.sql('INSERT INTO series (source_id, resource_type) VALUES (?, ?)').run(sourceId, type).lastInsertRowid);
  }

  /** Whether this very snapshot (time and content) is stored: a ledger batch read again. */
  hasSnapshot(seriesId: number, takenAt: number, contentHash: string): boolean {
    return (
      this.sql('SELECT 1 FROM snapshots WHERE series_id = ? AND taken_at = ? AND content_hash = ?').get(seriesId, takenAt, contentHash) !==
      undefined
    );
  }

  snapshotAt(seriesId: number, takenAt: number): { contentHash: string } | undefined {
    return this.sql('SELECT content_hash AS contentHash FROM snapshots WHERE series_id = ? AND taken_at = ?').get(
      seriesId,
      takenAt,
    ) as { contentHash: string } | undefined;
  }

  latestSnapshotAt(seriesId: number): number | undefined {
    const row = this.sql('SELECT max(taken_at) AS t FROM snapshots WHERE series_id = ?').get(seriesId) as {
      t: number | null;
    };
    return row.t ?? undefined;
  }

  /** The present state of a series, for the next diff: resource key -> record hash. */
  loadCurrent(seriesId: number): Map<string, string> {
    const rows = this.sql('SELECT resource_key, hash FROM current WHERE series_id = ?').raw().all(seriesId) as [string, string][];
    return new Map(rows);
  }

  /**
   * The stored records of a ledger among `keys`: key -> record hash and the time it was stored.
   * A ledger grows for ever, so only the keys a snapshot carries are looked up (in chunks).
   */
  ledgerLookup(seriesId: number, keys: Iterable<string>): Map<string, { hash: string; takenAt: number }> {
    const found = new Map<string, { hash: string; takenAt: number }>();
    const lookup = this.sql(
      `SELECT current.resource_key, current.hash, changes.taken_at FROM current JOIN changes ON changes.id = current.change_id
       WHERE current.series_id = ? AND current.resource_key IN (SELECT value FROM json_each(?))`,
    ).raw();
    let chunk: string[] = [];
    const run = () => {
      for (const [key, hash, takenAt] of lookup.all(seriesId, JSON.stringify(chunk)) as [string, string, number][]) {
        found.set(key, { hash, takenAt });
      }
      chunk = [];
    };
    for (const key of keys) {
      chunk.push(key);
      if (chunk.length === LOOKUP_CHUNK) run();
    }
    if (chunk.length) run();
    return found;
  }

  /** The present record of one resource (canonical JSON); '{}' if it has none. */
  currentRecord(seriesId: number, key: string): string {
    return (
      (this.sql(
        `SELECT changes.record FROM current JOIN changes ON changes.id = current.change_id
         WHERE current.series_id = ? AND current.resource_key = ?`,
      )
        .pluck()
        .get(seriesId, key) as string | undefined) ?? '{}'
    );
  }

  insertSnapshot(
    seriesId: number,
    runId: number,
    snapshot: { takenAt: number; complete: boolean; privateFields: string; contentHash: string },
    origin: string,
    counts: SnapshotCounts,
  ): number {
    const result = this.sql(
      `INSERT INTO snapshots (series_id, run_id, taken_at, complete, private_fields, content_hash, origin, examined, added,
         modified, removed, unchanged, rejected, duplicates, skipped, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    ).run(
      seriesId,
      runId,
      snapshot.takenAt,
      snapshot.complete ? 1 : 0,
      snapshot.privateFields,
      snapshot.contentHash,
      origin,
      counts.examined,
      counts.added,
      counts.modified,
      counts.removed,
      counts.unchanged,
      counts.rejected,
      counts.duplicates,
      counts.skipped,
    );
    return Number(result.lastInsertRowid);
  }

  setSnapshotElapsed(snapshotId: number, elapsedMs: number): void {
    this.sql('UPDATE snapshots SET elapsed_ms = ? WHERE id = ?').run(Math.round(elapsedMs), snapshotId);
  }

  /** Records one change of a snapshot; `syncCurrent` then makes the snapshot's changes the present state. */
  recordChange(
    seriesId: number,
    snapshotId: number,
    takenAt: number,
    key: string,
    action: Action,
    record: string,
    hash: string,
    fields?: string,
  ): void {
    this.sql(
      `INSERT INTO changes (series_id, snapshot_id, taken_at, resource_key, action, record, hash, fields)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(seriesId, snapshotId, takenAt, key, action, record, hash, fields ?? null);
  }

  /**
   * Brings `current` up to date with the changes of snapshot `snapshotId` (taken at `takenAt`), in
   * two set-based statements (in key order, so the index grows by appending) instead of one call per
   * resource. `ledgerDay` names the time field that places a ledger record on a day (SPEC §8.1).
   */
  syncCurrent(seriesId: number, takenAt: number, snapshotId: number, ledgerDay?: string): void {
    // State types have no day to place: the JSON of their records is not opened at all.
    const ledgerAt = ledgerDay === undefined ? 'NULL' : `unixepoch(json_extract(record, '$.${ledgerDay.replace(/'/g, "''")}')) * 1000`;
    this.sql(
      `INSERT INTO current (series_id, resource_key, hash, change_id, ledger_at)
       SELECT series_id, resource_key, hash, id, ${ledgerAt} FROM changes
       WHERE series_id = ? AND taken_at = ? AND snapshot_id = ? AND action != 'removed' ORDER BY resource_key
       ON CONFLICT (series_id, resource_key) DO UPDATE SET hash = excluded.hash, change_id = excluded.change_id,
         ledger_at = excluded.ledger_at`,
    ).run(seriesId, takenAt, snapshotId);
    this.sql(
      `DELETE FROM current WHERE series_id = ? AND resource_key IN
         (SELECT resource_key FROM changes WHERE series_id = ? AND taken_at = ? AND snapshot_id = ? AND action = 'removed')`,
    ).run(seriesId, seriesId, takenAt, snapshotId);
  }

  /** Of these files, the ones read through before at exactly this size and modification time. */
  unchangedFiles(source: string, files: readonly SourceFile[]): Set<string> {
    const seen = this.sql('SELECT size, mtime_ms AS mtimeMs FROM source_files WHERE source = ? AND path = ?');
    const unchanged = new Set<string>();
    for (const file of files) {
      const row = seen.get(source, file.path) as { size: number; mtimeMs: number } | undefined;
      if (row && row.size === file.size && row.mtimeMs === file.mtimeMs) unchanged.add(file.path);
    }
    return unchanged;
  }

  recordFilesRead(source: string, files: readonly SourceFile[], at: number): void {
    const upsert = this.sql(
      `INSERT INTO source_files (source, path, size, mtime_ms, read_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (source, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, read_at = excluded.read_at`,
    );
    this.writeTransaction(() => {
      for (const file of files) upsert.run(source, file.path, file.size, file.mtimeMs, at);
    });
  }

  /** Whether this quarantined line (same place, same reason) is stored already: a log read again. */
  hasReject(source: string, type: string, reject: RejectRow): boolean {
    return (
      this.sql('SELECT 1 FROM rejects WHERE source = ? AND resource_type = ? AND file = ? AND location = ? AND reason = ? LIMIT 1').get(
        source,
        type,
        reject.file,
        reject.location,
        reject.reason,
      ) !== undefined
    );
  }

  insertReject(runId: number, snapshotId: number | null, source: string, type: string, reject: RejectRow): void {
    this.sql(
      `INSERT INTO rejects (run_id, snapshot_id, source, resource_type, file, location, field, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(runId, snapshotId, source, type, reject.file, reject.location, reject.field ?? null, reject.reason);
  }

  // --- reading history (exports) -----------------------------------------------------------

  /** Every series with its first and last snapshot time, ordered by source then type. */
  listSeries(): SeriesInfo[] {
    return this.sql(
      `SELECT series.id, sources.name AS source, series.resource_type AS type,
              min(snapshots.taken_at) AS firstAt, max(snapshots.taken_at) AS lastAt
       FROM series JOIN sources ON sources.id = series.source_id JOIN snapshots ON snapshots.series_id = series.id
       GROUP BY series.id ORDER BY sources.name, series.resource_type`,
    ).all() as SeriesInfo[];
  }

  /** Whether any snapshot of these series stored private fields (kept or hashed). */
  storesPrivateFields(seriesIds: readonly number[]): boolean {
    if (!seriesIds.length) return false;
    return (
      this.db
        .prepare(`SELECT 1 FROM snapshots WHERE series_id IN (${seriesIds.map(Number).join(',')}) AND private_fields != 'drop' LIMIT 1`)
        .get() !== undefined
    );
  }

  sourceNames(): string[] {
    return this.sql('SELECT name FROM sources ORDER BY name').pluck().all() as string[];
  }

  /** Changes of one series with from <= taken_at < to, in the order they were applied. */
  changes(seriesId: number, fromMs: number, toMs: number): IterableIterator<ChangeRow> {
    return this.sql(
      `SELECT id, taken_at AS takenAt, resource_key AS key, action, record, fields FROM changes
       WHERE series_id = ? AND taken_at >= ? AND taken_at < ? ORDER BY taken_at, id`,
    ).iterate(seriesId, fromMs, toMs) as IterableIterator<ChangeRow>;
  }

  /** Changes of several series in a time range, ordered by time, source, type and key (SPEC §8.2). */
  changesAcross(seriesIds: readonly number[], fromMs: number, toMs: number): IterableIterator<ChangeRow & { seriesId: number }> {
    const ids = seriesIds.map(Number).join(',');
    return this.db
      .prepare(
        `SELECT changes.id, changes.series_id AS seriesId, taken_at AS takenAt, resource_key AS key, action, record, fields
         FROM changes JOIN series ON series.id = changes.series_id JOIN sources ON sources.id = series.source_id
         WHERE changes.series_id IN (${ids}) AND taken_at >= ? AND taken_at < ?
         ORDER BY taken_at, sources.name, series.resource_type, resource_key, changes.id`,
      )
      .iterate(fromMs, toMs) as IterableIterator<ChangeRow & { seriesId: number }>;
  }

  /**
   * The records of a ledger placed in [fromMs, toMs) (a job by its end), each in its latest version,
   * with whether it was ever updated after it was first stored. In time order.
   */
  ledgerRecords(seriesId: number, fromMs: number, toMs: number): IterableIterator<LedgerRow> {
    return this.sql(
      `SELECT current.resource_key AS key, current.ledger_at AS at, changes.record, changes.action = 'modified' AS modified
       FROM current JOIN changes ON changes.id = current.change_id
       WHERE current.series_id = ? AND current.ledger_at >= ? AND current.ledger_at < ?
       ORDER BY current.ledger_at`,
    ).iterate(seriesId, fromMs, toMs) as IterableIterator<LedgerRow>;
  }

  // --- status ------------------------------------------------------------------------------

  seriesStatus(): SeriesStatus[] {
    return this.sql(
      `SELECT sources.name AS source, series.resource_type AS type,
              (SELECT count(*) FROM current WHERE current.series_id = series.id) AS present,
              (SELECT count(*) FROM snapshots WHERE snapshots.series_id = series.id) AS snapshots,
              (SELECT count(*) FROM rejects WHERE rejects.source = sources.name AND rejects.resource_type = series.resource_type) AS rejected,
              s.taken_at AS lastAt, s.complete, s.added, s.modified, s.removed, s.unchanged, s.rejected AS lastRejected
       FROM series JOIN sources ON sources.id = series.source_id
       LEFT JOIN snapshots s ON s.id = (SELECT id FROM snapshots WHERE series_id = series.id ORDER BY taken_at DESC LIMIT 1)
       ORDER BY sources.name, series.resource_type`,
    ).all() as SeriesStatus[];
  }

  recentRuns(limit: number): RunStatus[] {
    return this.sql(
      `SELECT id, command, pid, started_at AS startedAt, finished_at AS finishedAt, status, error, snapshots,
              added, modified, removed, unchanged, rejected
       FROM runs ORDER BY id DESC LIMIT ?`,
    ).all(limit) as RunStatus[];
  }

  recentRejects(limit: number): (RejectRow & { runId: number; source: string; type: string })[] {
    return this.sql(
      `SELECT run_id AS runId, source, resource_type AS type, file, location, field, reason
       FROM rejects ORDER BY id DESC LIMIT ?`,
    ).all(limit) as (RejectRow & { runId: number; source: string; type: string })[];
  }
}

/** Keys per lookup statement (passed as one JSON array). */
const LOOKUP_CHUNK = 2000;

export interface LedgerRow {
  readonly key: string;
  readonly at: number;
  readonly record: string;
  /** 1 when the record's latest change is an update (SQLite has no booleans). */
  readonly modified: number;
}

interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly command: string;
  readonly started_at: number;
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

export interface SeriesStatus {
  readonly source: string;
  readonly type: string;
  readonly present: number;
  readonly snapshots: number;
  readonly rejected: number;
  readonly lastAt: number | null;
  readonly complete: number | null;
  readonly added: number | null;
  readonly modified: number | null;
  readonly removed: number | null;
  readonly unchanged: number | null;
  readonly lastRejected: number | null;
}

export interface RunStatus {
  readonly id: number;
  readonly command: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly status: 'running' | 'ok' | 'failed';
  readonly error: string | null;
  readonly snapshots: number;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly rejected: number;
}
