// Two ingests at once on one database (SPEC §10): the second waits for the first (up to --wait)
// or exits 1 naming the ingest that holds the lock; the history is never mixed up.
// The real CLI as child processes on a real SQLite file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CliResult, runCli, sleep, startCli, waitUntil, workspace } from './support/cli.ts';
import { currentKeys, lockHolder, readOnly, writeLockHeld } from './support/db.ts';
import { writeVmDump } from './support/dumps.ts';


/** Resolves with the result, or undefined if the child is still running after `ms`. */
async function within(result: Promise<CliResult>, ms: number): Promise<CliResult | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts an ingest and pauses it (SIGSTOP) once it holds the ingest lock — as a slow ingest would
 * hold it — either while it reads its dump (`reading`) or in the middle of writing its snapshot
 * (`writing`, SQLite's write lock held). SIGCONT lets it finish normally.
 */
async function startAndPause(args: readonly string[], cwd: string, db: string, phase: 'reading' | 'writing') {
  const first = startCli(args, cwd);
  const logged = () => readOnly(db, (conn) => conn.prepare("SELECT 1 FROM runs WHERE pid = ? AND status = 'running'").get(first.pid)) !== undefined;
  await waitUntil('the first ingest holds the lock', () => lockHolder(db) === first.pid, 60_000, first.child);
  if (phase === 'reading') {
    // Stop it outside any SQLite transaction (its lock row and run row are committed).
    for (;;) {
      first.child.kill('SIGSTOP');
      if (logged() && !writeLockHeld(db)) break;
      first.child.kill('SIGCONT');
      await sleep(5);
      if (first.child.exitCode !== null) throw new Error('the first ingest ended before it could be paused');
    }
  } else {
    // Its run is logged; the next write it makes is the snapshot's transaction.
    await waitUntil('the first ingest logged its run', logged, 60_000, first.child);
    await waitUntil('the first ingest is writing its snapshot', () => writeLockHeld(db), 60_000, first.child);
    first.child.kill('SIGSTOP');
    assert.ok(writeLockHeld(db), 'paused inside its snapshot transaction; make its dump bigger');
  }
  return { ...first, resume: () => first.child.kill('SIGCONT') };
}

/** Every snapshot of a source: its time and how often it is stored. */
function snapshotsOf(db: string, source: string): { taken_at: number; n: number }[] {
  return readOnly(db, (conn) =>
    conn
      .prepare(
        `SELECT taken_at, count(*) AS n FROM snapshots JOIN series ON series.id = snapshots.series_id
         JOIN sources ON sources.id = series.source_id WHERE sources.name = ? GROUP BY taken_at ORDER BY taken_at`,
      )
      .all(source) as { taken_at: number; n: number }[],
  );
}

const vmKeys = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `vm-${from + i}`).sort();

/** Set equality of two big key lists, with a short message (assert's diff of 100k lines takes minutes). */
function assertSameKeys(actual: readonly string[], expected: readonly string[], message: string): void {
  const have = new Set(actual);
  const want = new Set(expected);
  const missing = expected.filter((key) => !have.has(key));
  const extra = actual.filter((key) => !want.has(key));
  assert.deepEqual(
    { count: actual.length, missing: missing.slice(0, 5), missingCount: missing.length, extra: extra.slice(0, 5), extraCount: extra.length },
    { count: expected.length, missing: [], missingCount: 0, extra: [], extraCount: 0 },
    message,
  );
}

describe('two ingests at once on one database', { timeout: 180_000 }, () => {
  it('with default waiting: both exit 0, each snapshot stored once, current is the later snapshot', async () => {
    const { dir, db } = workspace();
    const first = join(dir, 'first.json');
    const second = join(dir, 'second.json');
    // The second snapshot of the same VMs, a day later: 1,000 stopped, 2,000 deleted, 500 new.
    await writeVmDump(first, { source: 'shared-cloud', takenAt: '2026-11-20T02:00:00Z', count: 100_000 });
    await writeVmDump(second, { source: 'shared-cloud', takenAt: '2026-11-21T02:00:00Z', count: 100_500, skip: 2_000, changed: 3_000 });

    const a = startCli(['--db', db, 'ingest', '--dump', first], dir);
    await waitUntil('the first ingest holds the lock', () => lockHolder(db) === a.pid, 60_000, a.child);
    const b = startCli(['--db', db, 'ingest', '--dump', second], dir);
    const [ra, rb] = await Promise.all([a.result, b.result]);

    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    assert.match(ra.stdout, /shared-cloud vm 2026-11-20T02:00:00Z: added 100000\b/);
    assert.match(rb.stdout, /shared-cloud vm 2026-11-21T02:00:00Z: added 500, modified 1000, removed 2000\b/);

    assert.deepEqual(snapshotsOf(db, 'shared-cloud'), [
      { taken_at: Date.parse('2026-11-20T02:00:00Z'), n: 1 },
      { taken_at: Date.parse('2026-11-21T02:00:00Z'), n: 1 },
    ]);
    assertSameKeys(currentKeys(db, 'shared-cloud'), vmKeys(2_000, 100_500), 'current holds exactly the later snapshot');
    const consistency = readOnly(db, (conn) => ({
      integrity: conn.pragma('integrity_check', { simple: true }),
      // Each present resource points at its own latest change, which is not a removal.
      badPointers: conn
        .prepare(
          `WITH latest AS (SELECT series_id, resource_key, max(id) AS id FROM changes GROUP BY series_id, resource_key)
           SELECT count(*) FROM current
           LEFT JOIN latest ON latest.series_id = current.series_id AND latest.resource_key = current.resource_key
           LEFT JOIN changes ON changes.id = current.change_id
           WHERE changes.id IS NULL OR changes.action = 'removed' OR latest.id IS NOT current.change_id`,
        )
        .pluck()
        .get(),
      // The runs did not interleave: the second started its work after the first had finished.
      runs: conn.prepare('SELECT pid, status, started_at AS startedAt, finished_at AS finishedAt FROM runs ORDER BY id').all() as {
        pid: number;
        status: string;
        startedAt: number;
        finishedAt: number;
      }[],
      lock: conn.prepare('SELECT count(*) FROM ingest_lock').pluck().get(),
    }));
    assert.equal(consistency.integrity, 'ok');
    assert.equal(consistency.badPointers, 0);
    assert.equal(consistency.lock, 0, 'no lock left behind');
    assert.deepEqual(consistency.runs.map((run) => [run.pid, run.status]), [[a.pid, 'ok'], [b.pid, 'ok']]);
    assert.ok(consistency.runs[1]!.startedAt >= consistency.runs[0]!.finishedAt, 'the second ingest waited for the first');
  });

  it('with --wait 0 while the first holds the lock: exit 1 naming its pid, nothing written', async () => {
    const { dir, db } = workspace();
    const big = join(dir, 'big.json');
    const other = join(dir, 'other.json');
    await writeVmDump(big, { source: 'busy-cloud', takenAt: '2026-11-20T02:00:00Z', count: 50_000 });
    await writeVmDump(other, { source: 'other-cloud', takenAt: '2026-11-20T02:00:00Z', count: 20 });

    const a = await startAndPause(['--db', db, 'ingest', '--dump', big], dir, db, 'reading');
    let rb: CliResult;
    try {
      rb = await runCli(['--db', db, 'ingest', '--dump', other, '--wait', '0'], { cwd: dir });
      assert.equal(lockHolder(db), a.pid, 'the refused ingest left the lock to its holder');
    } finally {
      a.resume();
    }
    const ra = await a.result;

    assert.equal(rb.code, 1, rb.stderr);
    const message = rb.stderr.trim();
    assert.equal(message.split('\n').length, 1, `one line: ${message}`);
    assert.match(message, /another ingest holds the lock/);
    assert.match(message, new RegExp(`\\bpid ${a.pid}\\b`));
    assert.equal(rb.stdout, '');

    assert.equal(ra.code, 0, ra.stderr);
    assert.deepEqual(snapshotsOf(db, 'other-cloud'), [], 'nothing of the refused ingest stored');
    assert.deepEqual(currentKeys(db, 'other-cloud'), []);
    assert.equal(currentKeys(db, 'busy-cloud').length, 50_000, 'the first ingest completed');
  });

  it('while the first is in the middle of writing a long snapshot: --wait 0 refuses at once, the default waits', async () => {
    // A snapshot transaction of a million VMs (SPEC §11) takes longer than SQLite's busy timeout.
    // Here the first ingest is paused inside its transaction for longer than that.
    const { dir, db } = workspace();
    const big = join(dir, 'big.json');
    const later = join(dir, 'later.json');
    const impatient = join(dir, 'impatient.json');
    await writeVmDump(big, { source: 'slow-cloud', takenAt: '2026-11-20T02:00:00Z', count: 100_000 });
    await writeVmDump(later, { source: 'slow-cloud', takenAt: '2026-11-21T02:00:00Z', count: 100_000, changed: 10 });
    await writeVmDump(impatient, { source: 'other-cloud', takenAt: '2026-11-20T02:00:00Z', count: 20 });
    // A first, small snapshot, so the database exists with its settings before the race.
    const setup = await runCli(['-q', '--db', db, 'ingest', '--dump', impatient], { cwd: dir });
    assert.equal(setup.code, 0, setup.stderr);

    const a = await startAndPause(['--db', db, 'ingest', '--dump', big], dir, db, 'writing');
    const quick = startCli(['--db', db, 'ingest', '--dump', impatient, '--wait', '0'], dir);
    const waiting = startCli(['--db', db, 'ingest', '--dump', later], dir);
    let quickReturned = false;
    let stillWaiting = false;
    try {
      // Longer than SQLite's 10 s busy timeout, well inside the default --wait of 60 s.
      quickReturned = (await within(quick.result, 12_000)) !== undefined;
      stillWaiting = waiting.child.exitCode === null;
    } finally {
      a.resume();
    }
    const [ra, rq, rw] = await Promise.all([a.result, quick.result, waiting.result]);
    assert.deepEqual(
      {
        first: ra.code,
        withWait0: { code: rq.code, returnedWhileFirstPaused: quickReturned, namesTheHolder: new RegExp(`another ingest holds the lock.*\\bpid ${a.pid}\\b`).test(rq.stderr) },
        withDefaultWait: { code: rw.code, waitedWhileFirstPaused: stillWaiting },
      },
      {
        first: 0,
        withWait0: { code: 1, returnedWhileFirstPaused: true, namesTheHolder: true },
        withDefaultWait: { code: 0, waitedWhileFirstPaused: true },
      },
      `--wait 0 said: ${rq.stderr.trim()}\nthe waiting one said: ${rw.stderr.trim()}`,
    );
    assert.match(rw.stdout, /slow-cloud vm 2026-11-21T02:00:00Z: added 0, modified 10, removed 0\b/);
    assert.equal(snapshotsOf(db, 'slow-cloud').length, 2);
  });
});
