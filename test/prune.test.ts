// `prune --keep` (SPEC §10): old run logs, quarantined records and raw payloads go; every report
// stays byte for byte, the de-duplication keys still recognise a capture read again, the file shrinks.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { parseDuration } from '../src/time.ts';
import { type CliResult, FIXTURES, runCli, workspace } from './support/cli.ts';
import { readOnly } from './support/db.ts';
import { nova } from './support/notifications.ts';

const DAY_MS = 86_400_000;
const REPORTS = ['inventory', 'changes', 'usage', 'lifecycles', 'reconcile'].flatMap((report) => ['--report', report]);
const RANGES = [
  ['2026-11-01', '2026-11-30'],
  ['2026-11-21', '2026-11-21'],
  ['2026-11-03', '2026-11-05'],
  ['2026-10-15', '2026-12-15'],
] as const;
/** Big enough that the payloads are most of the file: the shrink after prune shows. */
const BULK_INSTANCES = 600;

function ok(run: CliResult): CliResult {
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  return run;
}

/** Every file of every report over every range, by `range/file`, as bytes (hex digest). */
async function allReports(dir: string, tag: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [from, to] of RANGES) {
    const out = join(dir, `${tag}-${from}-${to}`);
    ok(await runCli(['export', '--from', from, '--to', to, ...REPORTS, '--out', out], { cwd: dir }));
    for (const name of readdirSync(out)) files.set(`${from}..${to}/${name}`, createHash('sha256').update(readFileSync(join(out, name))).digest('hex'));
  }
  return files;
}

/** Time passes: the runs so far started 30 days ago (runs are stamped with the real clock, not --at). */
function ageRuns(db: string): void {
  const conn = new Database(db);
  try {
    conn.prepare('UPDATE runs SET started_at = started_at - ?, finished_at = finished_at - ?').run(30 * DAY_MS, 30 * DAY_MS);
  } finally {
    conn.close();
  }
}

/** Instances created and deleted through November, their payloads padded; new message ids on every call. */
function bulkCapture(): string {
  const lines: string[] = [];
  for (let i = 0; i < BULK_INSTANCES; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const data = { host_name: `h${i}`, architecture: 'x'.repeat(2000) };
    lines.push(nova('create.end', `2026-11-${day}T09:00:00Z`, `bulk-${i}`, data));
    lines.push(nova('delete.end', `2026-11-${day}T18:00:00Z`, `bulk-${i}`, { ...data, state: 'deleted', terminated_at: `2026-11-${day}T18:00:00Z` }));
  }
  return `${lines.join('\n')}\n`;
}

const fileDigest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('prune --keep (SPEC §10)', () => {
  const { dir, db } = workspace();
  const bulk = join(dir, 'bulk.jsonl');
  let old: { payloads: number; events: number };
  let reportsBefore: Map<string, string>;
  let sizeBefore: number;

  before(async () => {
    // 30 days ago: snapshots with quarantined records, jobs, notifications with their payloads, a
    // capture with a bad line, a run that found everything already ingested, and failed runs.
    ok(await runCli(['ingest', '--dump', join(FIXTURES, 'sequence'), join(FIXTURES, 'storage'), join(FIXTURES, 'bad', 'quarantine.json')], { cwd: dir }));
    ok(await runCli(['ingest', '--dump', join(FIXTURES, 'sequence'), join(FIXTURES, 'storage'), join(FIXTURES, 'bad', 'quarantine.json')], { cwd: dir }));
    ok(await runCli(['ingest', '--dump', join(FIXTURES, 'pbs', 'emu'), '--source', 'emu'], { cwd: dir }));
    ok(await runCli(['ingest', '--dump', join(FIXTURES, 'notifications'), '--source', 'nectar-sa'], { cwd: dir }));
    writeFileSync(bulk, bulkCapture());
    ok(await runCli(['ingest', '--dump', bulk, '--source', 'cloud'], { cwd: dir }));
    writeFileSync(join(dir, 'old-bad.jsonl'), `${nova('create.end', '2026-11-02T09:00:00Z', 'odd-1')}\n{"oslo.version": "2.0", "oslo.message": "{\\"event_type\\": 3}"}\n`);
    ok(await runCli(['ingest', '--dump', join(dir, 'old-bad.jsonl'), '--source', 'cloud'], { cwd: dir }));
    const failing = ['ingest', '--dump', join(FIXTURES, 'bad', 'truncated.json')];
    assert.equal((await runCli(failing, { cwd: dir })).code, 1);
    assert.equal((await runCli(failing, { cwd: dir })).code, 1);
    old = readOnly(db, (conn) => ({
      payloads: conn.prepare('SELECT count(*) FROM events WHERE payload IS NOT NULL').pluck().get() as number,
      events: conn.prepare('SELECT count(*) FROM events').pluck().get() as number,
    }));
    ageRuns(db);

    // Today: the first command again (its latest run now is today's), a new source with quarantined
    // records, and new notifications with a bad line.
    ok(await runCli(['ingest', '--dump', join(FIXTURES, 'sequence'), join(FIXTURES, 'storage'), join(FIXTURES, 'bad', 'quarantine.json')], { cwd: dir }));
    ok(await runCli(['ingest', '--dump', join(FIXTURES, 'bad', 'quarantine.json'), '--source', 'late-q'], { cwd: dir }));
    writeFileSync(join(dir, 'new.jsonl'), `${nova('create.end', '2026-11-26T09:00:00Z', 'new-1')}\nnot json at all\n`);
    ok(await runCli(['ingest', '--dump', join(dir, 'new.jsonl'), '--source', 'cloud'], { cwd: dir }));

    reportsBefore = await allReports(dir, 'before');
    sizeBefore = statSync(db).size;
  });

  it('--dry-run says what would go and leaves the file byte for byte; prune then removes exactly that', async () => {
    const digest = fileDigest(db);
    const run = ok(await runCli(['--log-format', 'json', 'prune', '--keep', '14d', '--dry-run'], { cwd: dir }));
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stdout);
    const result = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(result.dry_run, true);
    // Rejects: 4 of quarantine.json, 2 lines of the PBS log, 1 bad message. Runs: the second ingest of the sequence (found everything stored) and the first failed one;
    // the failed command's latest run stays, as does every run a snapshot or event points at.
    assert.deepEqual([result.runs, result.rejects, result.payloads], [2, 4 + 2 + 1, old.payloads]);
    assert.equal(fileDigest(db), digest);
    const text = ok(await runCli(['prune', '--keep', '14d', '--dry-run'], { cwd: dir }));
    assert.match(text.stdout, /^would remove 2 run\(s\), 7 quarantined record\(s\), \d+ notification payload\(s\) stored before \S+Z; nothing changed/);
    assert.equal(fileDigest(db), digest);

    // And the real run then removes exactly that.
    const pruned = ok(await runCli(['--log-format', 'json', 'prune', '--keep', '14d'], { cwd: dir }));
    const real = JSON.parse(pruned.stdout.trim()) as Record<string, unknown>;
    assert.equal(real.dry_run, false);
    assert.deepEqual([real.runs, real.rejects, real.payloads], [result.runs, result.rejects, result.payloads]);
  });

  it('keeps every report of every range byte for byte, and the file shrinks', async () => {
    const after = await allReports(dir, 'after');
    assert.ok(reportsBefore.size >= RANGES.length * 5, [...reportsBefore.keys()].join(' '));
    assert.deepEqual(after, reportsBefore);
    const size = statSync(db).size;
    assert.ok(size < sizeBefore / 2, `${sizeBefore} -> ${size} bytes`);
  });

  it('removes old quarantined records, payloads and unreferenced runs; keeps events, their keys and the latest run of each command', () => {
    readOnly(db, (conn) => {
      const rejects = conn.prepare('SELECT source, resource_type FROM rejects ORDER BY id').raw().all();
      assert.deepEqual(rejects, [['late-q', 'vm'], ['late-q', 'vm'], ['late-q', 'vm'], ['late-q', 'vm'], ['cloud', 'notification']]);
      assert.equal(conn.prepare('SELECT count(*) FROM events').pluck().get(), old.events + 1);
      assert.deepEqual(conn.prepare("SELECT resource_id FROM events WHERE payload IS NOT NULL").pluck().all(), ['new-1']);
      const runs = conn.prepare('SELECT id, status FROM runs ORDER BY id').raw().all();
      // 2 (already ingested) and 7 (failed, run again as 8) are gone.
      assert.deepEqual(runs, [[1, 'ok'], [3, 'ok'], [4, 'ok'], [5, 'ok'], [6, 'ok'], [8, 'failed'], [9, 'ok'], [10, 'ok'], [11, 'ok']]);
    });
  });

  it('status still shows the old failed run and lists only the recent quarantined records', async () => {
    const status = ok(await runCli(['status'], { cwd: dir }));
    assert.match(status.stdout, /^#8 \S+ failed/m);
    assert.doesNotMatch(status.stdout, /run #\d+ quarantine-demo/);
    assert.match(status.stdout, /late-q vm:/);
  });

  it('a capture read again, or re-emitted under new message ids, adds no event after prune: the de-duplication keys stayed', async () => {
    const again = ok(await runCli(['ingest', '--dump', bulk, '--source', 'cloud'], { cwd: dir }));
    assert.match(again.stdout, /^cloud notification \S+: already ingested$/m);
    const reemitted = join(dir, 'reemitted.jsonl');
    writeFileSync(reemitted, bulkCapture());
    const copy = ok(await runCli(['ingest', '--dump', reemitted, '--source', 'cloud'], { cwd: dir }));
    assert.match(copy.stdout, /^cloud notification \S+: already ingested$/m);
    assert.equal(readOnly(db, (conn) => conn.prepare('SELECT count(*) FROM events').pluck().get()), old.events + 1);
  });

  it('-q prints nothing; a second prune finds nothing more', async () => {
    const quiet = ok(await runCli(['-q', 'prune', '--keep', '14d'], { cwd: dir }));
    assert.equal(quiet.stdout + quiet.stderr, '');
    const again = ok(await runCli(['prune', '--keep', '14d'], { cwd: dir }));
    assert.match(again.stdout, /^removed 0 run\(s\), 0 quarantined record\(s\), 0 notification payload\(s\) stored before \S+; \S*usage\.db: [\d.]+ [KMG]iB -> [\d.]+ [KMG]iB$/m);
  });
});

describe('prune refuses', { concurrency: 3 }, () => {
  it('exits 2 without --keep, or with a --keep that is no duration, naming the option', async () => {
    const { dir } = workspace();
    ok(await runCli(['ingest', '--dump', join(FIXTURES, 'sequence', '2026-11-01')], { cwd: dir }));
    for (const [args, message] of [
      [['prune'], /--keep is required/],
      [['prune', '--keep', '14x'], /--keep: .*found 14x/],
      [['prune', '--keep', '0d', '--dry-run'], /--keep: .*found 0d/],
    ] as const) {
      const run = await runCli(args, { cwd: dir });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1);
    }
  });

  it('exits 2 and creates nothing when there is no database', async () => {
    const { dir, db } = workspace();
    const run = await runCli(['--db', db, 'prune', '--keep', '14d'], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no database at/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('waits for the ingest lock, and exits 1 naming its holder when it does not come free', async () => {
    const { dir, db } = workspace();
    ok(await runCli(['ingest', '--dump', join(FIXTURES, 'sequence', '2026-11-01')], { cwd: dir }));
    // A live process (this test) holds the lock, as an ingest would.
    const conn = new Database(db);
    conn.prepare('INSERT INTO ingest_lock (id, pid, hostname, command, started_at) VALUES (1, ?, ?, ?, ?)').run(process.pid, hostname(), 'ingest', Date.now());
    conn.close();
    const run = await runCli(['prune', '--keep', '14d', '--wait', '0'], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`holds the lock .*pid ${process.pid}`));
  });
});

describe('commands', { concurrency: 3 }, () => {
  it('prune --help is its own help, with an example', async () => {
    const run = ok(await runCli(['prune', '--help']));
    assert.match(run.stdout, /^Usage: usage-etl prune \[options\]/);
    assert.match(run.stdout, /--keep <duration>/);
    assert.match(run.stdout, /^Examples:\n\s+usage-etl .*prune --keep 14d/m);
  });

  for (const args of [['frobnicate'], ['frobnicate', '--help'], ['--log-format', 'text', 'frobnicate', '-h'], ['help', 'frobnicate']]) {
    it(`usage-etl ${args.join(' ')}: unknown command, exit 2`, async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /unknown command 'frobnicate'/);
    });
  }
});

describe('parseDuration', () => {
  it('reads whole minutes, hours, days and weeks', () => {
    assert.equal(parseDuration('90m'), 90 * 60_000);
    assert.equal(parseDuration('36h'), 36 * 3_600_000);
    assert.equal(parseDuration('14d'), 14 * DAY_MS);
    assert.equal(parseDuration('2w'), 14 * DAY_MS);
  });

  it('refuses anything else', () => {
    for (const text of ['', '14', 'd', '14x', '1.5d', '-1d', '0d', '14 days', '14D']) assert.equal(parseDuration(text), undefined, text);
  });
});
