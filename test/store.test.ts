// The store and the apply step on a real SQLite file: history rebuilt at any instant, idempotent
// re-ingest, order, guards, schema versions.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { RefusedError, UsageError } from '../src/errors.ts';
import { stateBefore } from '../src/export/state.ts';
import { KeyHashes } from '../src/key-hashes.ts';
import { type Snapshot, SnapshotBuilder } from '../src/snapshot.ts';
import { openStore } from '../src/store/open.ts';
import { resourceType } from '../src/types/index.ts';
import { FIXTURES, runCli, tempDir } from './support/cli.ts';
import { freshHistory } from './support/history.ts';

const T = (day: number, hour = 2) => Date.UTC(2026, 10, day, hour);

function snapshot(takenAt: number, resources: Record<string, unknown>[], options: { complete?: boolean; type?: string } = {}): Snapshot {
  const builder = new SnapshotBuilder(resourceType(options.type ?? 'vm')!, { mode: 'drop' });
  resources.forEach((r, i) => builder.add(r, 'canonical', 'test.json', `resources[${i}]`));
  return builder.build({ source: 'nectar-sa', takenAt, complete: options.complete ?? true });
}

const fresh = () => freshHistory();

/** The id of the test's one series. */
async function seriesId(store: Awaited<ReturnType<typeof fresh>>['store']): Promise<number> {
  return (await store.reads.listSeries()).find((s) => s.source === 'nectar-sa' && s.type === 'vm')!.id;
}

const vms = (n: number, status = 'ACTIVE') => Array.from({ length: n }, (_, i) => ({ id: `vm-${i}`, status, vcpus: 2 }));

function count(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('history', () => {
  it('rebuilds the state of any instant from the stored changes', async () => {
    const { store, apply } = await fresh();
    const days = [
      snapshot(T(1), [{ id: 'a', status: 'ACTIVE' }, { id: 'b', status: 'ACTIVE' }]),
      snapshot(T(2), [{ id: 'a', status: 'SHUTOFF' }, { id: 'b', status: 'ACTIVE' }, { id: 'c', status: 'BUILD' }]),
      snapshot(T(3), [{ id: 'a', status: 'SHUTOFF' }, { id: 'c', status: 'ACTIVE' }]),
      snapshot(T(5), [{ id: 'c', status: 'ACTIVE' }, { id: 'b', status: 'ACTIVE', vcpus: 8 }]),
    ];
    for (const s of days) await apply(s);
    const series = await seriesId(store);
    const at = async (ms: number) => Object.fromEntries([...(await stateBefore(store.reads, series, ms + 1))].map(([k, v]) => [k, JSON.parse(v)]));

    assert.deepEqual(await at(T(1) - 1), {});
    assert.deepEqual(await at(T(1)), { a: { status: 'ACTIVE' }, b: { status: 'ACTIVE' } });
    assert.deepEqual(await at(T(2, 12)), { a: { status: 'SHUTOFF' }, b: { status: 'ACTIVE' }, c: { status: 'BUILD' } });
    assert.deepEqual(await at(T(4)), { a: { status: 'SHUTOFF' }, c: { status: 'ACTIVE' } });
    // b was removed on day 3 and came back on day 5: it is a new life, with its new record.
    assert.deepEqual(await at(T(30)), { c: { status: 'ACTIVE' }, b: { status: 'ACTIVE', vcpus: 8 } });
  });

  it('grows with changes, not with snapshots', async () => {
    const { store, apply, path, close } = await fresh();
    for (let day = 1; day <= 10; day++) await apply(snapshot(T(day), vms(100)));
    await close();
    assert.equal(count(path, 'changes'), 100, 'nine identical snapshots wrote no history');
    assert.equal(count(path, 'snapshots'), 10, 'but every observation is recorded');
  });

  it('stores old and new values of each modified field', async () => {
    const { store, apply, path, close } = await fresh();
    await apply(snapshot(T(1), [{ id: 'a', status: 'ACTIVE', image_id: 'img' }]));
    await apply(snapshot(T(2), [{ id: 'a', status: 'SHUTOFF', availability_zone: 'sa-1' }]));
    await close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare("SELECT fields FROM changes WHERE action = 'modified'").get() as { fields: string };
    db.close();
    assert.deepEqual(JSON.parse(row.fields), {
      status: { old: 'ACTIVE', new: 'SHUTOFF' },
      image_id: { old: 'img', new: null },
      availability_zone: { old: null, new: 'sa-1' },
    });
  });
});

describe('applying snapshots', () => {
  it('treats re-ingesting an applied snapshot as a no-op', async () => {
    const { store, apply, path, close } = await fresh();
    const first = await apply(snapshot(T(1), vms(5)));
    const again = await apply(snapshot(T(1), vms(5)));
    assert.equal(first.status, 'applied');
    assert.equal(again.status, 'already ingested');
    await close();
    assert.equal(count(path, 'snapshots'), 1);
    assert.equal(count(path, 'changes'), 5);
  });

  it('refuses a different snapshot at a time already applied', async () => {
    const { store, apply } = await fresh();
    await apply(snapshot(T(1), vms(5)));
    await assert.rejects(
      () => apply(snapshot(T(1), vms(6))),
      (err: unknown) => err instanceof RefusedError && /a different snapshot of nectar-sa vm at 2026-11-01T02:00:00Z/.test(err.message),
    );
  });

  it('refuses a snapshot older than the latest, naming both times', async () => {
    const { store, apply, path, close } = await fresh();
    await apply(snapshot(T(3), vms(5)));
    await assert.rejects(
      () => apply(snapshot(T(2), vms(4))),
      (err: unknown) =>
        err instanceof RefusedError && /2026-11-02T02:00:00Z is older than the latest one already applied \(2026-11-03T02:00:00Z\)/.test(err.message),
    );
    await close();
    assert.equal(count(path, 'snapshots'), 1, 'nothing of the refused snapshot was written');
    assert.equal(count(path, 'sources'), 1);
  });

  it('refuses a mass removal unless allowed, and writes nothing when refusing', async () => {
    const { store, apply, path, close } = await fresh();
    await apply(snapshot(T(1), vms(40)));
    await assert.rejects(
      () => apply(snapshot(T(2), [])),
      (err: unknown) => err instanceof RefusedError && /refusing to remove 40 of 40 vm resources of nectar-sa/.test(err.message),
    );
    assert.equal(count(path, 'snapshots'), 1);
    const allowed = await apply(snapshot(T(2), []), true);
    assert.equal(allowed.counts.removed, 40);
  });

  it('never removes on an incomplete snapshot', async () => {
    const { store, apply } = await fresh();
    await apply(snapshot(T(1), vms(30)));
    const partial = await apply(snapshot(T(2), vms(3, 'SHUTOFF'), { complete: false }));
    assert.deepEqual(
      [partial.counts.added, partial.counts.modified, partial.counts.removed],
      [0, 3, 0],
    );
    const present = new KeyHashes();
    await store.history.current(await seriesId(store), present);
    assert.equal(present.size, 30);
  });

  it('stores quarantined records with their place but not their content', async () => {
    const { store, apply, path, close } = await fresh();
    await apply(snapshot(T(1), [{ id: 'a' }, { id: 'b', vcpus: 'many', name: 'secret-name' }]));
    await close();
    const db = new Database(path, { readonly: true });
    const rejects = db.prepare('SELECT * FROM rejects').all() as Record<string, unknown>[];
    db.close();
    assert.equal(rejects.length, 1);
    assert.equal(rejects[0]!.location, 'resources[1]');
    assert.equal(rejects[0]!.field, 'vcpus');
    assert.ok(!JSON.stringify(rejects).includes('secret-name'));
  });

  it('previews a snapshot without writing (dry run)', async () => {
    const history = await fresh();
    const { apply, path, close } = history;
    await apply(snapshot(T(1), vms(5)));
    const dryRun = history.dryRun();
    assert.equal((await dryRun.apply(snapshot(T(2), vms(7)), { allowMassRemoval: false })).counts.added, 2);
    // The next snapshot is diffed against what the dry run would have applied, not the database.
    assert.equal((await dryRun.apply(snapshot(T(3), vms(8)), { allowMassRemoval: false })).counts.added, 1);
    await close();
    assert.equal(count(path, 'snapshots'), 1);
  });
});

describe('the database file', () => {
  it('keeps its data and its hash key across opens', async () => {
    const { store, apply, path, close } = await fresh();
    await apply(snapshot(T(1), vms(2)));
    const key = await store.hashKey(true);
    await close();
    const again = await openStore(path);
    assert.equal(await again.hashKey(false), key);
    assert.equal((await again.reads.listSeries()).length, 1);
    await again.close();
  });

  it('refuses a database written by a newer version', async () => {
    const { path, close } = await fresh();
    await close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    await assert.rejects(openStore(path), (err: unknown) => err instanceof UsageError && /schema version 99, newer than this usage-etl knows/.test(err.message));
  });

  it("leaves another application's SQLite file exactly as it was: no WAL, no migration, exit 2 from every command", async () => {
    const dir = tempDir();
    const file = join(dir, 'app.db');
    const other = new Database(file);
    other.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts (name) VALUES (\'x\')');
    other.pragma('user_version = 2'); // looks like one of our older versions
    other.close();
    const marked = join(dir, 'marked.db');
    const app = new Database(marked);
    app.pragma('application_id = 1234');
    app.close();
    for (const path of [file, marked]) {
      const before = readFileSync(path);
      for (const args of [['ingest', '--dump', join(FIXTURES, 'canonical', 'tango-cloud-vm.json')], ['status'], ['export', '--from', '2026-11-01', '--to', '2026-11-01', '--out', join(dir, 'out')]]) {
        const run = await runCli(['--db', path, ...args], { cwd: dir });
        assert.equal(run.code, 2, `${args[0]}: ${run.stderr}`);
        assert.match(run.stderr, /is an SQLite database, but not a usage-etl one \((tables accounts|application_id 1234)\); it was left as it was/);
      }
      assert.deepEqual(readFileSync(path), before, 'not a byte changed');
      assert.ok(!existsSync(`${path}-wal`), 'not switched to WAL');
    }
  });

  it('marks a database of ours made before the mark at its next write, and opens it as ours', async () => {
    const { path, close } = await fresh();
    await close();
    const raw = new Database(path);
    assert.equal(raw.pragma('application_id', { simple: true }), 0x5545544c, 'a new database is marked');
    raw.pragma('application_id = 0');
    raw.close();
    (await openStore(path, { readonly: true })).close();
    const store = await openStore(path);
    await store.close();
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('application_id', { simple: true }), 0x5545544c);
    check.close();
  });

  it('refuses an SQLite file that is not ours, and a file that is not SQLite', async () => {
    const dir = tempDir();
    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    await assert.rejects(openStore(join(dir, 'other.db')), (err: unknown) => err instanceof UsageError && /not a usage-etl one/.test(err.message));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not a database at all, just text. '.repeat(100));
    await assert.rejects(openStore(text), (err: unknown) => err instanceof UsageError && /cannot use database/.test(err.message));
  });

  it('uses WAL mode', async () => {
    const { path, close } = await fresh();
    await close();
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
  });
});
