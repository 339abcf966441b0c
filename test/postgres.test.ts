// The PostgreSQL store end to end (SPEC §10, issue 15): the real CLI as child processes on fresh
// databases of a real server, beside a real SQLite file. Byte-identical exports, collectors of
// different sources at once, the same source serialized, kill -9, credentials kept out of sight.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { type CliResult, FIXTURES, runCli, sleep, startCli, tempDir, waitUntil } from './support/cli.ts';
import { writeVmDump } from './support/dumps.ts';
import { nova } from './support/notifications.ts';
import { countRows, freshDb, postgresSkip, query } from './support/stores.ts';


/** Polls an async condition (waitUntil's is synchronous). */
async function until(what: string, condition: () => Promise<boolean>, child?: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${what}: the process ended first`);
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/**
 * Waits until the ingest `child` is inside a snapshot's transaction: it has written (an xid) and is
 * inserting its changes. Returns the FROM clause that finds its server process.
 */
async function writingSnapshot(pg: string, child: ChildProcess): Promise<string> {
  const name = new URL(pg).pathname.slice(1);
  const inserting = `pg_stat_activity WHERE datname = '${name}' AND application_name = 'usage-etl' AND backend_xid IS NOT NULL AND query LIKE 'INSERT INTO changes%'`;
  await until('the ingest is writing the snapshot', async () => (await countRows(pg, inserting)) === 1, child);
  return inserting;
}

/** Every file of every report for November, keyed by report and file name. */
async function exportAll(db: string, dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const report of ['inventory', 'changes', 'usage', 'lifecycles', 'reconcile']) {
    const out = join(dir, `${report}-${files.size}`);
    const run = await runCli(['--db', db, 'export', '--from', '2026-10-25', '--to', '2026-11-30', '--report', report, '--out', out], { cwd: dir });
    assert.equal(run.code, 0, `${report}: ${run.stderr}`);
    for (const name of readdirSync(out).sort()) files.set(`${report}/${name}`, readFileSync(join(out, name), 'utf8'));
  }
  return files;
}

/** Asserts two exports are the same files, byte for byte, naming the first that is not. */
function assertSameExports(actual: Map<string, string>, expected: Map<string, string>): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()], 'the same files');
  for (const [name, text] of expected) assert.ok(actual.get(name) === text, `${name} differs:\n${actual.get(name)?.slice(0, 2000)}\n---\n${text.slice(0, 2000)}`);
}

const PARTS: readonly (readonly string[])[] = [
  ['ingest', '--dump', join(FIXTURES, 'sequence'), join(FIXTURES, 'envelopes'), join(FIXTURES, 'canonical'), join(FIXTURES, 'storage')],
  ['ingest', '--dump', join(FIXTURES, 'notifications'), '--source', 'nectar-sa'],
  ['ingest', '--dump', join(FIXTURES, 'hpc-envelopes')],
  ['ingest', '--dump', join(FIXTURES, 'pbs', 'emu'), '--source', 'emu'],
  ['ingest', '--dump', join(FIXTURES, 'slurm', 'tango'), '--source', 'tango'],
];

describe('the bundled fixtures on both stores', { skip: postgresSkip, timeout: 180_000 }, () => {
  const dir = tempDir();
  const sqlite = join(dir, 'usage.db');
  let pg: string;
  const outs: Record<string, CliResult[]> = { sqlite: [], pg: [] };

  before(async () => {
    pg = await freshDb('postgres');
    for (const part of PARTS) {
      outs.sqlite!.push(await runCli(['--db', sqlite, ...part], { cwd: dir }));
      outs.pg!.push(await runCli(['--db', pg, ...part], { cwd: dir }));
    }
  });

  it('ingest alike: the same exit codes and summary lines (times aside)', () => {
    const summary = (run: CliResult) => run.stdout.replace(/\(\d+\.\d\ds\)/g, '(…)');
    assert.deepEqual(outs.pg!.map((run) => run.code), outs.sqlite!.map((run) => run.code));
    assert.deepEqual(outs.pg!.map(summary), outs.sqlite!.map(summary));
    assert.ok(outs.pg!.every((run) => run.code === 0), outs.pg!.map((run) => run.stderr).join('\n'));
  });

  it('export every report byte for byte the same', async () => {
    const fromPg = await exportAll(pg, dir);
    assertSameExports(fromPg, await exportAll(sqlite, dir));
    assert.ok(fromPg.get('lifecycles/vm_lifecycles.csv')!.split('\n').length > 3, 'the notifications were folded');
    assert.ok([...fromPg.keys()].some((name) => name.startsWith('inventory/job')), 'the jobs ledger is in the inventory');
  });

  it('status shows the same sources, series and quarantined records', async () => {
    const status = async (db: string) => {
      const run = await runCli(['--db', db, 'status', '--log-format', 'json'], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      return run.stdout;
    };
    const [a, b] = [await status(pg), await status(sqlite)];
    const facts = (text: string) => text.replace(/"(database|startedAt|finishedAt|time|command|pid|id|lastCheck)":("[^"]*"|\d+|null)/g, '');
    assert.equal(facts(a), facts(b));
    const human = await runCli(['--db', pg, 'status'], { cwd: dir });
    assert.match(human.stdout, /^database [\w.-]+:\d+\/ut_\w+$/m);
  });

  it('status --check and prune work on PostgreSQL as on SQLite', async () => {
    const check = await runCli(['--db', pg, 'status', '--check', '--max-age', '3650d'], { cwd: dir });
    const checkSqlite = await runCli(['--db', sqlite, 'status', '--check', '--max-age', '3650d'], { cwd: dir });
    assert.equal(check.code, checkSqlite.code);
    assert.equal(check.stdout, checkSqlite.stdout);
    const dry = await runCli(['--db', pg, 'prune', '--keep', '1d', '--dry-run'], { cwd: dir });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would remove 0 run\(s\), 0 quarantined record\(s\), 0 notification payload\(s\)/);
    const undo = await runCli(['--db', pg, 'prune', '--series', 'nectar-sa/vm', '--after', '2026-11-03T00:00:00Z'], { cwd: dir });
    const undoSqlite = await runCli(['--db', sqlite, 'prune', '--series', 'nectar-sa/vm', '--after', '2026-11-03T00:00:00Z'], { cwd: dir });
    assert.equal(undo.code, 0, undo.stderr);
    assert.equal(undo.stdout.replace(/[\w.-]+:\d+\/ut_\w+/g, 'DB'), undoSqlite.stdout.replace(/\S+usage\.db/g, 'DB'));
    // Runs from long ago: prune removes their logs and quarantined records, never the history.
    await query(pg, 'UPDATE runs SET started_at = 1');
    const pruned = await runCli(['--db', pg, 'prune', '--keep', '1d'], { cwd: dir });
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^removed \d+ run\(s\), [1-9]\d* quarantined record\(s\), [1-9]\d* notification payload\(s\) stored before .*; [\w.-]+:\d+\/ut_\w+: [\d.]+ MiB -> [\d.]+ MiB$/m);
    assert.equal(await countRows(pg, 'rejects'), 0);
    assertSameExports(await exportAll(pg, dir), await exportAll(sqlite, dir));
  });
});

describe('collectors of four sources at once (SPEC §10)', { skip: postgresSkip, timeout: 180_000 }, () => {
  it('ingest at the same time without waiting for each other, and export what sequential loads into SQLite export', async () => {
    const dir = tempDir();
    const sources = ['region-a', 'region-b', 'region-c', 'region-d'];
    for (const source of sources) {
      await writeVmDump(join(dir, `${source}-1.json`), { source, takenAt: '2026-11-20T02:00:00Z', count: 8000, changed: 300 });
      await writeVmDump(join(dir, `${source}-2.json`), { source, takenAt: '2026-11-21T02:00:00Z', count: 8400, skip: 200 });
    }
    const dumps = (source: string) => ['ingest', '--dump', join(dir, `${source}-1.json`), join(dir, `${source}-2.json`)];
    const pg = await freshDb('postgres');
    const runs = await Promise.all(sources.map((source) => startCli(['--db', pg, ...dumps(source)], dir).result));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const logged = await query<{ started_at: number; finished_at: number }>(pg, 'SELECT started_at::float8 AS started_at, finished_at::float8 AS finished_at FROM runs');
    const overlapping = logged.some((a, i) => logged.some((b, j) => i !== j && a.started_at < b.finished_at && b.started_at < a.finished_at));
    assert.ok(overlapping, `some runs wrote at the same time: ${JSON.stringify(logged)}`);

    const sqlite = join(dir, 'usage.db');
    for (const source of sources) assert.equal((await runCli(['--db', sqlite, ...dumps(source)], { cwd: dir })).code, 0);
    const exported = async (db: string) => {
      const run = await runCli(['--db', db, 'export', '--from', '2026-11-20', '--to', '2026-11-21', '--report', 'inventory', '--report', 'changes', '--out', join(dir, `out-${db.length}`)], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      const out = join(dir, `out-${db.length}`);
      return new Map(readdirSync(out).sort().map((name) => [name, readFileSync(join(out, name), 'utf8')]));
    };
    assertSameExports(await exported(pg), await exported(sqlite));
  });
});

describe('two collectors of the same source (SPEC §10)', { skip: postgresSkip, timeout: 180_000 }, () => {
  it('the second exits 1 naming the first with --wait 0, or waits for it: never interleaved', async () => {
    const dir = tempDir();
    const pg = await freshDb('postgres');
    const first = join(dir, 'first.json');
    const second = join(dir, 'second.json');
    await writeVmDump(first, { source: 'shared', takenAt: '2026-11-20T02:00:00Z', count: 30_000 });
    await writeVmDump(second, { source: 'shared', takenAt: '2026-11-21T02:00:00Z', count: 30_500, changed: 100, skip: 50 });
    const a = startCli(['--db', pg, 'ingest', '--dump', first], dir);
    // It holds the source's lock once it compares its snapshot with the history: paused there, as a slow collector would be.
    await until(
      'the first holds the lock of source shared',
      async () => (await countRows(pg, "pg_locks WHERE locktype = 'advisory' AND granted AND classid::bigint = 1430606925")) === 1,
      a.child,
    );
    a.child.kill('SIGSTOP');
    const refused = await runCli(['--db', pg, 'ingest', '--dump', second, '--wait', '0'], { cwd: dir });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`another ingest holds the lock on source shared in [\\w.-]+:\\d+/ut_\\w+ \\(pid ${a.pid} on .*ingest --dump ${first}\\)`));
    assert.equal(await countRows(pg, 'snapshots'), 0, 'the refused one wrote nothing');
    // prune needs the whole history: it does not run while any collector does.
    const prune = await runCli(['--db', pg, 'prune', '--keep', '1d', '--wait', '0'], { cwd: dir });
    assert.equal(prune.code, 1, prune.stderr);
    assert.match(prune.stderr, new RegExp(`another ingest holds the lock on the whole history in [\\w.-]+:\\d+/ut_\\w+ \\(pid ${a.pid} on `));

    const waiting = startCli(['--db', pg, 'ingest', '--dump', second], dir);
    await sleep(1500);
    assert.equal(waiting.child.exitCode, null, 'the second waits while the first holds the source');
    a.child.kill('SIGCONT');
    const [done, later] = await Promise.all([a.result, waiting.result]);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(later.code, 0, later.stderr);
    assert.match(later.stdout, /shared vm 2026-11-21T02:00:00Z: added 500, modified 50, removed 50, unchanged 29900\b/);
    assert.deepEqual(await query(pg, 'SELECT taken_at::text AS at, added::int, modified::int, removed::int FROM snapshots ORDER BY taken_at'), [
      { at: String(Date.UTC(2026, 10, 20, 2)), added: 30_000, modified: 0, removed: 0 },
      { at: String(Date.UTC(2026, 10, 21, 2)), added: 500, modified: 50, removed: 50 },
    ]);
    assert.equal(await countRows(pg, 'current'), 30_450);
  });
});

describe('kill -9 of a PostgreSQL client in the middle of a snapshot', { skip: postgresSkip, timeout: 180_000 }, () => {
  const BIG = 100_000;
  const dir = tempDir();
  const earlier = join(dir, 'earlier.json');
  const big = join(dir, 'big.json');
  let pg: string;
  let killed: CliResult;
  let before_: unknown;
  const state = async () => ({
    snapshots: await query(pg, 'SELECT id::int, taken_at::text FROM snapshots ORDER BY id'),
    changes: await countRows(pg, 'changes'),
    current: await query(pg, 'SELECT resource_key, hash, change_id::int FROM current ORDER BY resource_key'),
  });

  before(async () => {
    pg = await freshDb('postgres');
    await writeVmDump(earlier, { source: 'crash-cloud', takenAt: '2026-11-20T02:00:00Z', count: 100 });
    await writeVmDump(big, { source: 'crash-cloud', takenAt: '2026-11-21T02:00:00Z', count: BIG, changed: 10 });
    assert.equal((await runCli(['--db', pg, 'ingest', '--dump', earlier], { cwd: dir })).code, 0);
    before_ = await state();
    const { child, result } = startCli(['--db', pg, 'ingest', '--dump', big], dir);
    const name = new URL(pg).pathname.slice(1);
    await writingSnapshot(pg, child);
    child.kill('SIGKILL');
    killed = await result;
    // The server ends the dead client's session (and rolls its transaction back) as it notices.
    await until('the server dropped the connection', async () => (await countRows(pg, `pg_stat_activity WHERE datname = '${name}' AND application_name = 'usage-etl'`)) === 0);
  });

  it('leaves none of the snapshot: the history is as before, nothing refers to what is not there', async () => {
    assert.equal(killed.signal, 'SIGKILL');
    assert.deepEqual(await state(), before_);
    assert.equal(await countRows(pg, 'changes WHERE snapshot_id NOT IN (SELECT id FROM snapshots)'), 0);
    assert.equal(await countRows(pg, 'current WHERE change_id NOT IN (SELECT id FROM changes)'), 0);
  });

  it('status shows the killed run as not finished; a rerun is not blocked (--wait 0) and loads the whole snapshot', async () => {
    const status = await runCli(['--db', pg, 'status'], { cwd: dir });
    const line = status.stdout.split('\n').find((l) => l.includes(big));
    assert.ok(line && !/\bok\b/.test(line), status.stdout);
    const rerun = await runCli(['--db', pg, 'ingest', '--dump', big, '--wait', '0'], { cwd: dir });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, new RegExp(`crash-cloud vm 2026-11-21T02:00:00Z: added ${BIG - 100}, modified 10, removed 0, unchanged 90\\b`));
    assert.equal(await countRows(pg, 'current'), BIG);
  });

  it('a connection the server ends mid-snapshot (a restart): exit 1 in one line, nothing of the snapshot kept', async () => {
    const later = join(dir, 'later.json');
    await writeVmDump(later, { source: 'crash-cloud', takenAt: '2026-11-22T02:00:00Z', count: BIG + 20_000, skip: 20_000 });
    const kept = await state();
    const { child, result } = startCli(['--db', pg, 'ingest', '--dump', later], dir);
    const writer = await writingSnapshot(pg, child);
    await query(pg, `SELECT pg_terminate_backend(pid) FROM ${writer}`);
    const ended = await result;
    assert.equal(ended.code, 1);
    assert.match(
      ended.stderr,
      /^usage-etl: database error on [\w.-]+:\d+\/ut_\w+: the PostgreSQL server stopped the work \(shut down or restarted, or an administrator ended it\) \(terminating connection due to administrator command\); nothing half-written was kept\n$/,
    );
    assert.deepEqual(await state(), kept);
  });
});

describe('SIGTERM while a PostgreSQL client writes a snapshot', { skip: postgresSkip, timeout: 120_000 }, () => {
  it('exits 143, the run logged failed, the open snapshot rolled back, the locks free', async () => {
    const dir = tempDir();
    const pg = await freshDb('postgres');
    const big = join(dir, 'big.json');
    await writeVmDump(big, { source: 'term-cloud', takenAt: '2026-11-21T02:00:00Z', count: 100_000 });
    const { child, pid, result } = startCli(['--db', pg, 'ingest', '--dump', big], dir);
    await writingSnapshot(pg, child);
    const name = new URL(pg).pathname.slice(1);
    child.kill('SIGTERM');
    const done = await result;
    assert.equal(done.code, 143, `${done.stdout}\n${done.stderr}`);
    assert.match(done.stderr, /interrupted by SIGTERM; snapshots already committed are kept/);
    assert.deepEqual(await query(pg, `SELECT status, error FROM runs WHERE pid = ${pid}`), [{ status: 'failed', error: 'interrupted by SIGTERM' }]);
    // The run is logged failed, so none of its snapshot is kept: it had not committed when the signal came.
    assert.deepEqual([await countRows(pg, 'snapshots'), await countRows(pg, 'current'), await countRows(pg, 'changes')], [0, 0, 0]);
    await until('the connection is gone', async () => (await countRows(pg, `pg_stat_activity WHERE datname = '${name}' AND application_name = 'usage-etl'`)) === 0);
    assert.equal(await countRows(pg, "pg_locks WHERE locktype = 'advisory'"), 0, 'no lock left');
  });
});

describe('a notifications capture read again on PostgreSQL', { skip: postgresSkip, timeout: 60_000 }, () => {
  it('stores its events and its quarantined messages once, as SQLite does', async () => {
    const dir = tempDir();
    const capture = join(dir, 'capture.jsonl');
    writeFileSync(capture, `${[nova('create.end', '2026-11-02T09:00:05Z', 'a'), 'not json at all', nova('delete.end', '2026-11-03T09:00:00Z', 'a', { state: 'deleted' })].join('\n')}\n`);
    const pg = await freshDb('postgres');
    for (const db of [pg, join(dir, 'usage.db')]) {
      for (let read = 0; read < 2; read++) {
        const run = await runCli(['--db', db, 'ingest', '--dump', capture, '--source', 'cloud'], { cwd: dir });
        assert.equal(run.code, 0, run.stderr);
        // Quarantined when first read; read again, nothing of it is new.
        assert.match(run.stdout, read === 0 ? /added 2, .*rejected 1/ : /^cloud notification 2026-11-03T09:00:00Z: already ingested$/m);
      }
      const status = await runCli(['--db', db, 'status'], { cwd: dir });
      // cloud: 2 events, the last at Nov 3, none skipped, 1 quarantined.
      assert.match(status.stdout, /^cloud\s+2\s+2026-11-03T09:00:00Z\s+0\s+1$/m, status.stdout);
    }
    assert.equal(await countRows(pg, 'rejects'), 1);
  });
});

describe('credentials and connection errors', { skip: postgresSkip, timeout: 120_000 }, () => {
  const SECRET = 'pa55-w0rd-never-shown';

  it('a password in the URL appears nowhere: not in output, errors, status, exports, the run log or the lock', async () => {
    const dir = tempDir();
    const plain = await freshDb('postgres');
    const url = new URL(plain);
    url.password = SECRET; // the test server trusts local connections, so any password is accepted
    const db = url.toString();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"source": "x", "resource_type": "vm", "taken_at": ');
    const runs = [
      await runCli(['--db', db, 'ingest', '--dump', join(FIXTURES, 'sequence'), bad], { cwd: dir }),
      await runCli(['--db', db, '--log-format', 'json', '-v', 'ingest', '--dump', join(FIXTURES, 'canonical')], { cwd: dir }),
      await runCli(['--db', db, 'status'], { cwd: dir }),
      await runCli(['--db', db, 'status', '--log-format', 'json'], { cwd: dir }),
      await runCli(['--db', db, 'export', '--from', '2026-11-01', '--to', '2026-11-05', '--report', 'changes', '--stdout'], { cwd: dir }),
      await runCli(['ingest', '--dump', join(FIXTURES, 'canonical')], { cwd: dir, env: { USAGE_ETL_DB: db } }),
      await runCli(['--db', `postgres://postgres:${SECRET}@127.0.0.1:1/nothing`, 'status'], { cwd: dir }),
      await runCli(['--db', db.replace(':5432', ':port'), 'status'], { cwd: dir }),
    ];
    assert.equal(runs[0]!.code, 1, 'the bad dump failed');
    for (const run of runs) assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET), `${run.stdout}${run.stderr}`);
    const commands = await query<{ command: string }>(plain, 'SELECT command FROM runs');
    assert.equal(commands.length, 3);
    assert.ok(!JSON.stringify(commands).includes(SECRET));
    assert.match(commands[0]!.command, /^--db postgres:\/\/\w+:\*\*\*@[\w.-]+:\d+\/ut_\w+ ingest --dump /);
  });

  it('a server that is down: one line naming host and port, exit 1; a malformed URL: exit 2', async () => {
    const dir = tempDir();
    const down = await runCli(['--db', 'postgres://postgres@127.0.0.1:1/nothing', 'ingest', '--dump', join(FIXTURES, 'canonical')], { cwd: dir });
    assert.equal(down.code, 1);
    assert.equal(down.stderr, 'usage-etl: cannot use PostgreSQL at 127.0.0.1:1/nothing: connection refused (is the server running, and listening on that address and port?)\n');
    const server = new URL(await freshDb('postgres'));
    server.protocol = 'postgresql:';
    server.pathname = '/ut_no_such_database';
    const missing = await runCli(['--db', server.toString(), 'export', '--from', '2026-11-01', '--to', '2026-11-01'], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^usage-etl: cannot use PostgreSQL at [\w.-]+:\d+\/ut_no_such_database: database "ut_no_such_database" does not exist \(create it/);
    for (const url of ['postgres://postgres@127.0.0.1:port/db', 'postgres://[::1/db', 'postgres://postgres@127.0.0.1/a/b']) {
      const bad = await runCli(['--db', url, 'status'], { cwd: dir });
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /^usage-etl: --db: not a PostgreSQL URL \(postgres:\/\/user@host:port\/database\)/);
      assert.equal(bad.stderr.split('\n').length, 2, 'one line');
    }
  });

  it('--help loads no PostgreSQL driver (start-up time)', async () => {
    const run = await runCli(['--help'], { env: { NODE_DEBUG: 'module' } });
    assert.equal(run.code, 0);
    assert.match(run.stderr, /MODULE/, 'NODE_DEBUG=module lists what is loaded');
    assert.doesNotMatch(run.stderr, /node_modules\/pg\//);
  });
});
