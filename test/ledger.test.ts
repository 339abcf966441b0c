// Jobs as a ledger (SPEC §3, §6 ledger, §8.1): inserted once by key, re-deliveries counted as
// unchanged, re-reports with new content updated, absence meaning nothing. On a real SQLite file, and
// end to end with the real CLI: growing logs, overlapping sacct windows, batches, kill -9, job.csv.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { StoreWriter } from '../src/ingest/store-writer.ts';
import { KeyHashes } from '../src/key-hashes.ts';
import { readSacctText } from '../src/sources/slurm/text.ts';
import { type Snapshot, SnapshotBuilder } from '../src/snapshot.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/index.ts';
import { resourceType } from '../src/types/index.ts';
import { FIXTURES, ROOT, runCli, startCli, tempDir, waitUntil, workspace } from './support/cli.ts';
import { readOnly, tryReadOnly } from './support/db.ts';
import { freshHistory } from './support/history.ts';
import { ingestDumps, ingestParts, part } from './support/ingest.ts';

const JOB = resourceType('job')!;
const T = (day: number, hour = 2) => Date.UTC(2026, 10, day, hour);

function job(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { cluster: 'emu', job_id: id, submit: '2026-11-20T01:00:00Z', start: '2026-11-20T01:10:00Z', end: '2026-11-20T02:10:00Z', state: 'COMPLETED', cores: 4, ...over };
}

function batch(takenAt: number, records: Record<string, unknown>[], options: { rejects?: string[] } = {}): Snapshot {
  const builder = new SnapshotBuilder(JOB, { mode: 'drop' });
  records.forEach((r, i) => builder.add(r, 'canonical', 'jobs.log', `line ${i + 1}`));
  for (const location of options.rejects ?? []) builder.reject('jobs.log', location, 'not a PBS accounting record');
  return builder.build({ source: 'emu', takenAt, complete: true });
}

const fresh = () => freshHistory();

async function jobSeries(store: Store): Promise<number> {
  return (await store.reads.listSeries()).find((s) => s.source === 'emu' && s.type === 'job')!.id;
}

const count = (path: string, sql: string): number => readOnly(path, (conn) => conn.prepare(sql).pluck().get() as number);

describe('the job ledger in the store', () => {
  it('inserts new jobs, counts an identical re-delivery as unchanged, and stores it once', async () => {
    const { apply, path, close } = await fresh();
    const first = await apply(batch(T(20), [job('1'), job('2')]));
    const again = await apply(batch(T(21), [job('2'), job('3')]));
    assert.deepEqual([first.counts.added, first.counts.unchanged], [2, 0]);
    assert.deepEqual([again.counts.added, again.counts.modified, again.counts.removed, again.counts.unchanged], [1, 0, 0, 1]);
    assert.equal(again.counts.duplicates, 1);
    await close();
    assert.equal(count(path, 'SELECT count(*) FROM changes'), 3);
  });

  it('updates a job re-reported with new content, keeping old and new values', async () => {
    const { apply, path, close } = await fresh();
    await apply(batch(T(20), [job('1', { state: 'NODE_FAIL' })]));
    const update = await apply(batch(T(21), [job('1', { state: 'COMPLETED', end: '2026-11-20T04:00:00Z' })]));
    assert.deepEqual([update.counts.added, update.counts.modified], [0, 1]);
    await close();
    const fields = readOnly(path, (conn) => conn.prepare("SELECT fields FROM changes WHERE action = 'modified'").pluck().get() as string);
    assert.deepEqual(JSON.parse(fields), {
      state: { old: 'NODE_FAIL', new: 'COMPLETED' },
      end: { old: '2026-11-20T02:10:00Z', new: '2026-11-20T04:00:00Z' },
    });
  });

  it('removes nothing when a later file does not list a job', async () => {
    const { store, apply } = await fresh();
    await apply(batch(T(20), Array.from({ length: 30 }, (_, i) => job(String(i)))));
    const later = await apply(batch(T(21), [job('99')]));
    assert.equal(later.counts.removed, 0);
    assert.equal((await store.history.records(await jobSeries(store), ['0', '29'].map((id) => JSON.stringify(['emu', id, '2026-11-20T01:00:00Z'])))).size, 2);
  });

  it('tells a reused job id apart by its submit time', async () => {
    const { store, apply } = await fresh();
    await apply(batch(T(20), [job('5001')]));
    const reused = await apply(batch(T(21), [job('5001', { submit: '2027-03-01T00:00:00Z' })]));
    assert.deepEqual([reused.counts.added, reused.counts.modified], [1, 0]);
  });

  it('accepts an older file read late (back-fill), without undoing a newer report', async () => {
    const { store, apply } = await fresh();
    await apply(batch(T(22), [job('1', { state: 'COMPLETED' })]));
    const older = await apply(batch(T(20), [job('1', { state: 'NODE_FAIL' }), job('2')]));
    assert.equal(older.status, 'applied');
    assert.deepEqual([older.counts.added, older.counts.modified, older.counts.unchanged], [1, 0, 1]);
    const key = JSON.stringify(['emu', '1', '2026-11-20T01:00:00Z']);
    assert.match((await store.history.records(await jobSeries(store), [key])).get(key)!, /"state":"COMPLETED"/);
  });

  it('applies two different batches taken at the same time; the same batch again is already ingested', async () => {
    const { apply, path, close } = await fresh();
    assert.equal((await apply(batch(T(20), [job('1')]))).status, 'applied');
    assert.equal((await apply(batch(T(20), [job('1'), job('2')]))).status, 'applied');
    assert.equal((await apply(batch(T(20), [job('1')]))).status, 'already ingested');
    await close();
    assert.equal(count(path, 'SELECT count(*) FROM snapshots'), 2);
  });

  it('stores a quarantined line once, however often a growing log is read again', async () => {
    const { apply, path, close } = await fresh();
    const a = await apply(batch(T(20), [job('1')], { rejects: ['line 7'] }));
    const b = await apply(batch(T(21), [job('1'), job('2')], { rejects: ['line 7'] }));
    assert.deepEqual([a.freshRejects?.length, b.freshRejects?.length], [1, 0]);
    assert.equal(b.counts.rejected, 1, 'the summary still says the file has one');
    await close();
    assert.equal(count(path, 'SELECT count(*) FROM rejects'), 1);
  });

  it('previews a ledger snapshot without writing (dry run)', async () => {
    const history = await fresh();
    const { apply, path, close } = history;
    await apply(batch(T(20), [job('1')]));
    const dryRun = history.dryRun();
    assert.deepEqual((await dryRun.apply(batch(T(21), [job('1'), job('2')]), { allowMassRemoval: false })).counts.added, 1);
    // The next batch is diffed against what the dry run would have stored.
    const next = await dryRun.apply(batch(T(22), [job('2'), job('3', { state: 'FAILED' })]), { allowMassRemoval: false });
    assert.deepEqual([next.counts.added, next.counts.unchanged], [1, 1]);
    await close();
    assert.equal(count(path, 'SELECT count(*) FROM snapshots'), 1);
  });
});

describe('a database of schema version 1', () => {
  it('is migrated in place: its history kept, jobs then stored, state types still one snapshot per time', async () => {
    const path = join(tempDir(), 'old.db');
    const old = new Database(path);
    old.exec(readFileSync(join(ROOT, 'test', 'support', 'schema-v1.sql'), 'utf8'));
    old.exec(`
      INSERT INTO sources VALUES (1, 'nectar-sa', 0);
      INSERT INTO series VALUES (1, 1, 'vm');
      INSERT INTO runs (id, command, pid, started_at, status) VALUES (1, 'ingest', 1, 0, 'ok');
      INSERT INTO snapshots VALUES (1, 1, 1, ${T(1)}, 1, 'drop', 'h1', 'x.json', 1, 1, 0, 0, 0, 0, 0, 0, 5);
      INSERT INTO changes VALUES (1, 1, 1, ${T(1)}, 'vm-1', 'added', '{"status":"ACTIVE"}', 'hash1', NULL);
      INSERT INTO current VALUES (1, 'vm-1', 'hash1', 1);
    `);
    old.pragma('user_version = 1');
    old.close();

    const store = await openStore(path);
    assert.equal(readOnly(path, (conn) => conn.pragma('user_version', { simple: true })), 5, 'brought to the newest version');
    const current = new KeyHashes();
    await store.history.current(1, current);
    assert.deepEqual([...current.keys()].map((key) => [key, current.hash(key)]), [['vm-1', 'hash1']]);
    assert.equal((await store.history.seriesState('nectar-sa', 'vm', T(1), 'h1')).sameStored, true);
    const writer = new StoreWriter(store);
    await writer.begin('test', 0, () => {});
    const apply = (snapshot: Snapshot) => writer.apply(snapshot, { allowMassRemoval: false });
    assert.equal((await apply(batch(T(20), [job('1')]))).counts.added, 1);
    const vms = new SnapshotBuilder(resourceType('vm')!, { mode: 'drop' });
    vms.add({ id: 'vm-2' }, 'canonical', 'y.json', 'resources[0]');
    await assert.rejects(() => apply(vms.build({ source: 'nectar-sa', takenAt: T(1), complete: true })), /a different snapshot/);
    await store.close();
  });

  it('ends with the very tables, columns and indexes schema.sql makes: the migrations and the whole schema agree', async () => {
    const migrated = join(tempDir(), 'old.db');
    const old = new Database(migrated);
    old.exec(readFileSync(join(ROOT, 'test', 'support', 'schema-v1.sql'), 'utf8'));
    old.pragma('user_version = 1');
    old.close();
    await (await openStore(migrated)).close();
    const fresh = join(tempDir(), 'new.db');
    await (await openStore(fresh)).close();
    /** Each table's columns (name, type, not null, default, key) and each index's columns, in a stable order. */
    const shape = (path: string) =>
      readOnly(path, (conn) => {
        const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
        return tables.map((table) => ({
          table,
          columns: conn.prepare('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY name').all(table),
          indexes: (conn.prepare('SELECT name, "unique", partial FROM pragma_index_list(?) ORDER BY name').all(table) as { name: string }[]).map((index) => ({
            ...index,
            columns: conn.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(index.name),
          })),
        }));
      });
    assert.deepEqual(shape(migrated), shape(fresh));
  });
});

describe('scheduler output handed over by a live collector', () => {
  it('applies sacct lines as a dump of them would be, overlapping windows deduplicated', async () => {
    const db = join(tempDir(), 'usage.db');
    const lines = readFileSync(join(FIXTURES, 'slurm', 'tango', 'sacct-20261121.sacct'), 'utf8').split('\n');
    const label = 'sacct -S 2026-11-19';
    const window = (of: string[]) => part((context) => readSacctText(label, of, { source: 'tango', privacy: context.privacy('tango') }));
    const first = await ingestParts(db, [window(lines)], { json: true });
    // The next window overlaps the first: its first half again, then nothing new.
    const second = await ingestParts(db, [window(lines.slice(0, 8))], { json: true });
    assert.deepEqual([first.code, second.code], [0, 0], [...first.stderr, ...second.stderr].join('\n'));
    const summaries = [...first.stdout, ...second.stdout]
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .map((s) => `${s.source} ${s.status} +${s.added} =${s.unchanged} !${s.rejected}`);
    assert.deepEqual(summaries, ['tango applied +13 =0 !1', 'tango applied +0 =4 !0']);
    const notes = first.stderr.map((line) => (JSON.parse(line) as { message: string }).message);
    assert.ok(notes.includes('sacct -S 2026-11-19: skipped 3 job steps (only whole jobs count)'), notes.join('\n'));
    assert.equal(count(db, 'SELECT added FROM runs WHERE id = 1'), 13);
  });
});

// --- end to end -----------------------------------------------------------------------------

/** A Torque E line for job `n` of a generated log, ended `n` minutes after 00:00 on 2026-11-21. */
function pbsLine(n: number): string {
  const end = Date.UTC(2026, 10, 21) / 1000 + 60 * n;
  const start = end - 3600;
  const stamp = new Date(end * 1000).toISOString();
  const time = `${stamp.slice(5, 7)}/${stamp.slice(8, 10)}/${stamp.slice(0, 4)} ${stamp.slice(11, 19)}`;
  return `${time};E;${100000 + n}.emu-head;user=u${n % 7} group=g${n % 3} jobname=job-${n} queue=workq ctime=${start - 600} qtime=${start - 600} etime=${start - 600} start=${start} exec_host=n${String(n % 50).padStart(3, '0')}/0-3 Resource_List.walltime=02:00:00 session=${n} end=${end} Exit_status=0 resources_used.cput=03:59:00 resources_used.mem=${1000 + n}kb resources_used.vmem=2gb resources_used.walltime=01:00:00\n`;
}

function pbsLog(from: number, to: number): string {
  let text = '';
  for (let n = from; n < to; n++) text += pbsLine(n);
  return text;
}

const dbCount = (db: string, sql: string) => readOnly(db, (conn) => conn.prepare(sql).pluck().get() as number);

describe('ingesting a growing PBS log, batch by batch', () => {
  const { dir, db } = workspace();
  const logDir = join(dir, 'emu');
  mkdirSync(logDir);
  const log = join(logDir, '20261121');
  // Batches of 4 jobs (20 000 in production), so a small log makes several.
  const ingest = (dryRun = false) => ingestDumps(db, [logDir], { batchSize: 4 }, { dryRun });
  const text = (lines: string[]) => lines.join('\n');

  it('applies a log in batches, with one summary line for the file', async () => {
    writeFileSync(log, pbsLog(0, 10));
    const run = await ingest();
    assert.equal(run.code, 0, text(run.stderr));
    assert.deepEqual(run.stdout.map((l) => l.replace(/\(.*s\)/, '')), ['emu job 2026-11-21T00:09:00Z: added 10, modified 0, removed 0, unchanged 0, rejected 0 ']);
    assert.equal(dbCount(db, 'SELECT count(*) FROM snapshots'), 3, 'batches of 4, 4 and 2');
    assert.equal(dbCount(db, 'SELECT count(*) FROM current'), 10);
  });

  it('says "already ingested" when the file has not changed, writing nothing', async () => {
    const run = await ingest();
    assert.equal(run.code, 0, text(run.stderr));
    assert.match(text(run.stdout), /^emu job 2026-11-21T00:09:00Z: already ingested$/m);
    assert.equal(dbCount(db, 'SELECT count(*) FROM snapshots'), 3);
  });

  it('adds only what the log gained since, never a job twice', async () => {
    appendFileSync(log, pbsLog(10, 13));
    const run = await ingest();
    assert.equal(run.code, 0, text(run.stderr));
    assert.match(text(run.stdout), /^emu job 2026-11-21T00:12:00Z: added 3, modified 0, removed 0, unchanged 10, rejected 0/m);
    assert.equal(dbCount(db, 'SELECT count(*) FROM changes'), 13);
    assert.equal(dbCount(db, 'SELECT count(*) FROM current'), 13);
  });

  it('previews a grown log with --dry-run, writing nothing', async () => {
    appendFileSync(log, pbsLog(13, 15));
    const run = await ingest(true);
    assert.equal(run.code, 0, text(run.stderr));
    assert.match(text(run.stdout), /added 2, modified 0, removed 0, unchanged 13, rejected 0 .*\[dry run\]/);
    assert.equal(dbCount(db, 'SELECT count(*) FROM current'), 13);
  });
});

describe('overlapping sacct windows', () => {
  it('adds each job once and updates the ones reported again with new content', async () => {
    const { dir } = workspace();
    const first = await runCli(['ingest', '--dump', join(FIXTURES, 'slurm', 'tango', 'sacct-20261121.sacct')], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^tango job 2026-11-20T15:20:10Z: added 13, modified 0, removed 0, unchanged 0, rejected 1/m);
    assert.match(first.stderr, /quarantined .*sacct-20261121\.sacct: line 16: expected 26 \|-separated fields/);
    assert.match(first.stderr, /skipped 3 job steps \(only whole jobs count\)/);
    const second = await runCli(['ingest', '--dump', join(FIXTURES, 'slurm', 'tango', 'sacct-20261122.sacct')], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    // 5006 and 5020 are new; 5010 (account corrected) and 5015 (requeued, now COMPLETED) updated; 5009 again.
    assert.match(second.stdout, /^tango job 2026-11-21T12:00:05Z: added 2, modified 2, removed 0, unchanged 1, rejected 0/m);
    const changes = await runCli(['export', '--from', '2026-11-20', '--to', '2026-11-22', '--report', 'changes', '--stdout'], { cwd: dir });
    assert.match(changes.stdout, /^tango,job,tango\/5015\/2026-11-20T13:00:00Z,2026-11-21T12:00:05Z,modified,state,NODE_FAIL,COMPLETED$/m);
    assert.match(changes.stdout, /^tango,job,tango\/5010\/2026-11-20T08:00:00Z,2026-11-21T12:00:05Z,modified,account,proj-wrong,proj-d$/m);
  });
});

describe('kill -9 in the middle of a big log', { timeout: 180_000 }, () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('keeps the batches it committed, and the next run completes the log without a duplicate', async () => {
    const { dir, db } = workspace();
    const logDir = join(dir, 'emu');
    mkdirSync(logDir);
    const lines = 60_000;
    writeFileSync(join(logDir, '20261121'), pbsLog(0, lines));
    const { child, result } = startCli(['--db', db, 'ingest', '--dump', logDir], dir);
    children.push(child);
    // The default batch is 20 000 jobs: wait for the first to commit, then kill.
    await waitUntil('a first batch is committed', () => (tryReadOnly(db, (conn) => conn.prepare('SELECT count(*) FROM snapshots').pluck().get() as number) ?? 0) >= 1, 120_000, child);
    child.kill('SIGKILL');
    await result;
    const kept = dbCount(db, 'SELECT count(*) FROM current');
    assert.ok(kept >= 20_000 && kept < lines, `killed part way (kept ${kept})`);
    assert.equal(kept % 20_000, 0, 'whole batches only');
    const rerun = await runCli(['--db', db, 'ingest', '--dump', logDir], { cwd: dir });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, new RegExp(`added ${lines - kept}, modified 0, removed 0, unchanged ${kept}`));
    assert.equal(dbCount(db, 'SELECT count(*) FROM current'), lines);
    assert.equal(dbCount(db, 'SELECT count(*) FROM changes'), lines);
  });
});

describe('job.csv', () => {
  const { dir } = workspace();
  const hpc = [join(FIXTURES, 'pbs'), join(FIXTURES, 'slurm'), join(FIXTURES, 'hpc-envelopes')];
  let csv: Record<string, string>[] = [];
  let header: string[] = [];

  async function exportJobs(cwd: string): Promise<{ header: string[]; rows: Record<string, string>[] }> {
    const run = await runCli(['export', '--from', '2026-11-19', '--to', '2026-11-21', '--type', 'job', '--stdout'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const [head, ...lines] = run.stdout.trimEnd().split('\n');
    const names = head!.split(',');
    // No cell of these fixtures holds a comma, so a plain split reads them.
    return { header: names, rows: lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v]))) };
  }

  it('loads every HPC fixture, and says "already ingested" the second time', async () => {
    const first = await runCli(['ingest', '--dump', ...hpc], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const second = await runCli(['ingest', '--dump', ...hpc], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    const summaries = second.stdout.trim().split('\n');
    assert.equal(summaries.length, 9);
    assert.ok(summaries.every((line) => line.endsWith(': already ingested')), second.stdout);
    ({ header, rows: csv } = await exportJobs(dir));
  });

  it('has the documented columns: key parts, fields in order, no private job name, the flags', async () => {
    assert.deepEqual(header, [
      'source', 'resource_type', 'stats_on_date', 'id', 'cluster', 'job_id', 'user', 'group', 'account', 'queue', 'state',
      'exit_status', 'submit', 'eligible', 'start', 'end', 'nodes', 'cores', 'cpu_seconds', 'walltime_s', 'cput_s', 'mem_bytes',
      'vmem_bytes', 'hosts', 'req_walltime_s', 'req_mem_bytes', 'gpus', 'is_added', 'is_modified', 'is_removed',
    ]);
  });

  it('has one row per job, on the day it ended, in its latest version', async () => {
    const find = (source: string, jobId: string) => csv.filter((r) => r.source === source && r.job_id === jobId);
    const md = find('emu', '1002.emu-head');
    assert.equal(md.length, 1, 're-delivered in the next day file, still one row');
    assert.deepEqual(
      [md[0]!.stats_on_date, md[0]!.cores, md[0]!.nodes, md[0]!.cpu_seconds, md[0]!.hosts, md[0]!.gpus, md[0]!.exit_status, md[0]!.is_modified],
      ['2026-11-20', '16', '2', '230400', 'n002 n003', '2', '271', 'false'],
    );
    const rerun = find('emu', '1001.emu-head')[0]!;
    assert.deepEqual([rerun.stats_on_date, rerun.end, rerun.exit_status, rerun.is_added, rerun.is_modified, rerun.is_removed], ['2026-11-20', '2026-11-20T13:20:00Z', '1', 'true', 'true', 'false']);
    assert.equal(find('emu', '1006.emu-head')[0]!.stats_on_date, '2026-11-21');
    assert.equal(find('tango', '5005')[0]!.id, 'tango/5005/2026-11-20T05:00:00Z');
    assert.deepEqual(find('tango', '5012_2').map((r) => r.state), ['FAILED']);
    assert.equal(find('tango', '5006')[0]!.stats_on_date, '2026-11-21', 'the job that was running in the first window');
    assert.equal(csv.filter((r) => r.source === 'tango').length, 15);
    // Ordered by source, day, then id.
    const order = csv.map((r) => `${r.source}\u0000${r.stats_on_date}`);
    assert.deepEqual(order, [...order].sort());
  });

  it('shows the job name only when the source keeps private fields', async () => {
    const own = workspace();
    writeFileSync(join(own.dir, 'usage-etl.yaml'), `sources:\n  tango:\n    kind: dump\n    path: ${join(FIXTURES, 'slurm', 'tango')}\n    private_fields: keep\n`);
    const run = await runCli(['ingest', '--dump', join(FIXTURES, 'slurm', 'tango')], { cwd: own.dir });
    assert.equal(run.code, 0, run.stderr);
    const out = await runCli(['export', '--from', '2026-11-20', '--to', '2026-11-20', '--type', 'job', '--stdout'], { cwd: own.dir });
    assert.match(out.stdout.split('\n')[0]!, /,gpus,name,is_added,/);
    assert.match(out.stdout, /,"?prep\|post"?,true,false,false$/m);
  });

  it('is a header only when the range holds no job', async () => {
    const run = await runCli(['export', '--from', '2026-12-01', '--to', '2026-12-31', '--type', 'job', '--stdout'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1);
  });
});
