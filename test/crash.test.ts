// kill -9 in the middle of a big ingest (SPEC §6: all of a snapshot or none of it; §10: a killed
// ingest's lock does not block the next one). The real CLI on a real SQLite file.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliResult, runCli, startCli, tempDir, waitUntil } from './support/cli.ts';
import { readOnly, tryReadOnly, writeLockHeld } from './support/db.ts';
import { writeVmDump } from './support/dumps.ts';

/** Enough VMs that the ingest takes seconds (reading, diffing, writing), so the kill lands inside it. */
const BIG = 200_000;
const SOURCE = 'crash-cloud';
const EARLIER = '2026-11-20T02:00:00Z';
const LATER = '2026-11-21T02:00:00Z';

interface HistoryState {
  readonly snapshots: unknown[];
  readonly current: unknown[];
  readonly changes: number;
}

function historyState(db: string): HistoryState {
  return readOnly(db, (conn) => ({
    snapshots: conn.prepare('SELECT id, series_id, taken_at, content_hash FROM snapshots ORDER BY id').all(),
    current: conn.prepare('SELECT series_id, resource_key, hash, change_id FROM current ORDER BY series_id, resource_key').all(),
    changes: conn.prepare('SELECT count(*) FROM changes').pluck().get() as number,
  }));
}

describe('kill -9 in the middle of an ingest', { timeout: 180_000 }, () => {
  const dir = tempDir();
  const db = join(dir, 'usage.db');
  const earlier = join(dir, 'earlier.json');
  const big = join(dir, 'big.json');
  const ingestBig = ['--db', db, 'ingest', '--dump', big];
  let killed: { pid: number; result: CliResult };
  let before_: HistoryState;
  const children: ChildProcess[] = [];

  before(async () => {
    await writeVmDump(earlier, { source: SOURCE, takenAt: EARLIER, count: 100 });
    // The first 100 VMs again (10 of them stopped since), and many new ones.
    await writeVmDump(big, { source: SOURCE, takenAt: LATER, count: BIG, changed: 10 });
    const first = await runCli(['--db', db, 'ingest', '--dump', earlier], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    before_ = historyState(db);

    const { child, result } = startCli(ingestBig, dir);
    children.push(child);
    const pid = child.pid!;
    // Inside its write: its run is logged (the last write before the snapshot's transaction)
    // and it holds SQLite's write lock, i.e. it is writing the big snapshot.
    await waitUntil('the ingest logged its run', () => tryReadOnly(db, (conn) => conn.prepare("SELECT 1 FROM runs WHERE pid = ? AND status = 'running'").get(pid)) !== undefined, 60_000, child);
    await waitUntil('the ingest is writing the snapshot', () => writeLockHeld(db), 60_000, child);
    // Let it get well into the transaction, and make sure it is still in it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(writeLockHeld(db), 'still inside the snapshot transaction when killed; make the dump bigger');
    assert.ok(existsSync(`${db}-wal`), 'the WAL file exists while it writes');
    child.kill('SIGKILL');
    killed = { pid, result: await result };
  });

  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('the ingest was killed in the middle (no summary printed)', () => {
    assert.equal(killed.result.signal, 'SIGKILL');
    assert.doesNotMatch(killed.result.stdout, new RegExp(`${SOURCE} vm ${LATER}`), 'it had not finished');
  });

  it('the database opens and passes PRAGMA integrity_check', async () => {
    assert.equal(readOnly(db, (conn) => conn.pragma('integrity_check', { simple: true })), 'ok');
    const status = await runCli(['--db', db, 'status'], { cwd: dir });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`${SOURCE}.*vm.*${EARLIER}`), 'status still shows the earlier snapshot as the last one');
    assert.doesNotMatch(status.stdout, new RegExp(LATER), 'and nothing of the killed one');
  });

  it('holds none of the killed snapshot: no snapshot row, no stray changes, the earlier current state', () => {
    const after = historyState(db);
    assert.deepEqual(after.snapshots, before_.snapshots, 'the big snapshot is absent');
    assert.equal(after.changes, before_.changes, 'no changes of the big snapshot');
    const orphans = readOnly(db, (conn) => ({
      changes: conn.prepare('SELECT count(*) FROM changes WHERE snapshot_id NOT IN (SELECT id FROM snapshots)').pluck().get(),
      current: conn.prepare('SELECT count(*) FROM current WHERE change_id NOT IN (SELECT id FROM changes)').pluck().get(),
      rejects: conn.prepare('SELECT count(*) FROM rejects WHERE snapshot_id IS NOT NULL AND snapshot_id NOT IN (SELECT id FROM snapshots)').pluck().get(),
    }));
    assert.deepEqual(orphans, { changes: 0, current: 0, rejects: 0 }, 'nothing refers to a snapshot that does not exist');
    assert.equal(after.current.length, 100);
    assert.deepEqual(after.current, before_.current, 'the current state is the earlier one');
  });

  it('the killed run is shown as not finished, and its lock is left behind by a dead pid', async () => {
    const lock = readOnly(db, (conn) => conn.prepare('SELECT pid FROM ingest_lock').pluck().all());
    assert.deepEqual(lock, [killed.pid], 'precondition: a stale lock row of the killed process');
    const status = await runCli(['--db', db, 'status'], { cwd: dir });
    const run = status.stdout.split('\n').find((line) => line.includes(big));
    assert.ok(run, status.stdout);
    assert.doesNotMatch(run, /\bok\b/, 'the killed run is not reported as ok');
  });

  it('a new ingest is not blocked by the stale lock (--wait 0), and loads the whole snapshot', async () => {
    const rerun = await runCli([...ingestBig, '--wait', '0'], { cwd: dir });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, new RegExp(`${SOURCE} vm ${LATER}: added ${BIG - 100}, modified 10, removed 0, unchanged 90\\b`));

    const state = readOnly(db, (conn) => ({
      integrity: conn.pragma('integrity_check', { simple: true }),
      snapshots: conn.prepare('SELECT count(*) FROM snapshots').pluck().get(),
      current: conn.prepare('SELECT count(*) FROM current').pluck().get(),
      changes: conn.prepare('SELECT count(*) FROM changes').pluck().get(),
      lock: conn.prepare('SELECT count(*) FROM ingest_lock').pluck().get(),
    }));
    assert.deepEqual(state, {
      integrity: 'ok',
      snapshots: 2,
      current: BIG,
      changes: before_.changes + (BIG - 100) + 10,
      lock: 0,
    });
  });
});

/** An ingest of a big dump into a new database, once its run is logged: past the lock and reading the dump. */
async function ingestStarted() {
  const dir = tempDir();
  const db = join(dir, 'usage.db');
  const big = join(dir, 'big.json');
  await writeVmDump(big, { source: SOURCE, takenAt: LATER, count: BIG });
  const started = startCli(['--db', db, 'ingest', '--dump', big], dir);
  const logged = () => tryReadOnly(db, (conn) => conn.prepare('SELECT 1 FROM runs WHERE pid = ?').get(started.pid)) !== undefined;
  await waitUntil('the ingest logged its run', logged, 60_000, started.child);
  return { db, ...started };
}

describe('SIGTERM (or Ctrl-C) during an ingest', { timeout: 120_000 }, () => {
  it('exits 143 saying so, logs the run as failed, and leaves the lock free', async () => {
    const { db, child, pid, result } = await ingestStarted();
    child.kill('SIGTERM');
    const done = await result;
    assert.equal(done.code, 143, done.stderr);
    assert.match(done.stderr.trim(), /^usage-etl: interrupted by SIGTERM; snapshots already committed are kept$/);
    const state = readOnly(db, (conn) => ({
      run: conn.prepare('SELECT status, error FROM runs WHERE pid = ?').get(pid),
      lock: conn.prepare('SELECT count(*) FROM ingest_lock').pluck().get(),
      integrity: conn.pragma('integrity_check', { simple: true }),
    }));
    assert.deepEqual(state, { run: { status: 'failed', error: 'interrupted by SIGTERM' }, lock: 0, integrity: 'ok' });
  });

  // Ctrl-C takes the same way out, with the shell's code for it (128 + SIGINT's 2).
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`a ${signal} while a one-file ingest writes its snapshot is not lost: ${code}, the run failed, the open snapshot rolled back`, async () => {
      const { db, child, pid, result } = await ingestStarted();
      // Inside the snapshot's one synchronous transaction, where a signal can only wait.
      await waitUntil('the ingest is writing the snapshot', () => writeLockHeld(db), 60_000, child);
      child.kill(signal);
      const done = await result;
      assert.equal(done.code, code, `${done.stdout}\n${done.stderr}`);
      assert.match(done.stderr, new RegExp(`interrupted by ${signal}; snapshots already committed are kept`));
      const state = readOnly(db, (conn) => ({
        run: conn.prepare('SELECT status, error FROM runs WHERE pid = ?').get(pid),
        integrity: conn.pragma('integrity_check', { simple: true }),
        snapshots: conn.prepare('SELECT count(*) FROM snapshots').pluck().get(),
        current: conn.prepare('SELECT count(*) FROM current').pluck().get(),
      }));
      // The run is logged failed, so none of its snapshot is kept: it had not committed when the signal came.
      assert.deepEqual(state, { run: { status: 'failed', error: `interrupted by ${signal}` }, integrity: 'ok', snapshots: 0, current: 0 });
    });
  }
});
