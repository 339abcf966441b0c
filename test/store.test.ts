// The store and the apply step on a real SQLite file: history rebuilt at any instant, idempotent
// re-ingest, order, guards, schema versions.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { RefusedError, UsageError } from '../src/errors.ts';
import { stateBefore } from '../src/export/state.ts';
import { KeyHashes } from '../src/key-hashes.ts';
import { type Snapshot, SnapshotBuilder } from '../src/snapshot.ts';
import { openStore } from '../src/store/open.ts';
import { resourceType } from '../src/types/index.ts';
import { SCHEMA_VERSION } from '../src/store/postgres/open.ts';
import { FIXTURES, ROOT, runCli, tempDir } from './support/cli.ts';
import { freshHistory, type TestHistory } from './support/history.ts';
import { countRows, freshDb, postgresSkip, query, type StoreKind, STORES } from './support/stores.ts';

const T = (day: number, hour = 2) => Date.UTC(2026, 10, day, hour);

function snapshot(takenAt: number, resources: Record<string, unknown>[], options: { complete?: boolean; type?: string } = {}): Snapshot {
  const builder = new SnapshotBuilder(resourceType(options.type ?? 'vm')!, { mode: 'drop' });
  resources.forEach((r, i) => builder.add(r, 'canonical', 'test.json', `resources[${i}]`));
  return builder.build({ source: 'nectar-sa', takenAt, complete: options.complete ?? true });
}

const opened: TestHistory[] = [];
after(() => Promise.all(opened.map((history) => history.close().catch(() => undefined))));

/** A fresh history on a store (SQLite unless said). */
async function freshOn(kind: StoreKind): Promise<TestHistory> {
  const history = await freshHistory(await freshDb(kind));
  opened.push(history);
  return history;
}

/** The id of the test's one series. */
async function seriesId(store: Awaited<ReturnType<typeof fresh>>['store']): Promise<number> {
  return (await store.reads.listSeries()).find((s) => s.source === 'nectar-sa' && s.type === 'vm')!.id;
}

const vms = (n: number, status = 'ACTIVE') => Array.from({ length: n }, (_, i) => ({ id: `vm-${i}`, status, vcpus: 2 }));

const count = countRows;

// The history and the apply rules, the same on both stores (SPEC §10).
for (const store of STORES) {
describe(`on ${store.kind}`, { skip: store.skip }, () => {
  const fresh = () => freshOn(store.kind);

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
    assert.equal(await count(path, 'changes'), 100, 'nine identical snapshots wrote no history');
    assert.equal(await count(path, 'snapshots'), 10, 'but every observation is recorded');
  });

  it('stores old and new values of each modified field', async () => {
    const { store, apply, path, close } = await fresh();
    await apply(snapshot(T(1), [{ id: 'a', status: 'ACTIVE', image_id: 'img' }]));
    await apply(snapshot(T(2), [{ id: 'a', status: 'SHUTOFF', availability_zone: 'sa-1' }]));
    await close();
    const [row] = await query<{ fields: string }>(path, "SELECT fields FROM changes WHERE action = 'modified'");
    assert.deepEqual(JSON.parse(row!.fields), {
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
    assert.equal(await count(path, 'snapshots'), 1);
    assert.equal(await count(path, 'changes'), 5);
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
    assert.equal(await count(path, 'snapshots'), 1, 'nothing of the refused snapshot was written');
    assert.equal(await count(path, 'sources'), 1);
  });

  it('refuses a mass removal unless allowed, and writes nothing when refusing', async () => {
    const { store, apply, path, close } = await fresh();
    await apply(snapshot(T(1), vms(40)));
    await assert.rejects(
      () => apply(snapshot(T(2), [])),
      (err: unknown) => err instanceof RefusedError && /refusing to remove 40 of 40 vm resources of nectar-sa/.test(err.message),
    );
    assert.equal(await count(path, 'snapshots'), 1);
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
    const rejects = await query(path, 'SELECT * FROM rejects');
    assert.equal(rejects.length, 1);
    assert.equal(rejects[0]!.location, 'resources[1]');
    assert.equal(rejects[0]!.field, 'vcpus');
    assert.ok(!JSON.stringify(rejects).includes('secret-name'));
  });

  it('a reader sees the history as of its first read, whatever is committed before it closes', async () => {
    const { apply, path } = await fresh();
    await apply(snapshot(T(1), vms(3)));
    const reader = await openStore(path, { readonly: true });
    try {
      const [series] = await reader.reads.listSeries();
      await apply(snapshot(T(2), vms(5)));
      assert.deepEqual(await reader.reads.snapshotTimes(series!.id), [T(1)], 'the snapshot committed meanwhile is not seen');
      const changes = [];
      for await (const chunk of reader.reads.changes(series!.id, 0, T(30))) changes.push(...chunk);
      assert.equal(changes.length, 3);
    } finally {
      await reader.close();
    }
    const later = await openStore(path, { readonly: true });
    assert.deepEqual(await later.reads.snapshotTimes((await later.reads.listSeries())[0]!.id), [T(1), T(2)]);
    await later.close();
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
    assert.equal(await count(path, 'snapshots'), 1);
  });
});

});
}

const fresh = () => freshOn('sqlite');

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

describe('the PostgreSQL schema', () => {
  it('is at the version of the SQLite one: a change to schema.sql is made to schema.postgres.sql too', () => {
    const latest = Math.max(...readdirSync(join(ROOT, 'migrations')).filter((name) => /^\d{3}-/.test(name)).map((name) => Number(name.slice(0, 3))));
    assert.equal(SCHEMA_VERSION, latest);
    assert.match(readFileSync(join(ROOT, 'schema.postgres.sql'), 'utf8'), new RegExp(`schema version ${latest}:`));
    assert.match(readFileSync(join(ROOT, 'schema.sql'), 'utf8'), new RegExp(`schema version ${latest}:`));
  });
});

describe('the PostgreSQL database (SPEC §10)', { skip: postgresSkip }, () => {
  it('keeps its data and its hash key across opens, and records its schema version', async () => {
    const { store, apply, path, close } = await freshOn('postgres');
    await apply(snapshot(T(1), vms(2)));
    const key = await store.hashKey(true);
    await close();
    const again = await openStore(path, { readonly: true });
    assert.equal(await again.hashKey(false), key);
    assert.equal((await again.reads.listSeries()).length, 1);
    await again.close();
    assert.deepEqual(await query(path, "SELECT value FROM meta WHERE key = 'schema_version'"), [{ value: '5' }]);
  });

  it('refuses a database written by a newer version, and one of another application, changing nothing', async () => {
    const { path, close } = await freshOn('postgres');
    await close();
    await query(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    await assert.rejects(openStore(path), (err: unknown) => err instanceof UsageError && /schema version 99, newer than this usage-etl knows \(5\)/.test(err.message));
    const other = await freshDb('postgres');
    await query(other, 'CREATE TABLE accounts (id int PRIMARY KEY, name text)');
    await assert.rejects(openStore(other), (err: unknown) => err instanceof UsageError && /not a usage-etl one \(tables accounts\); it was left as it was/.test(err.message));
    assert.deepEqual(
      (await query<{ name: string }>(other, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")).map((r) => r.name),
      ['accounts'],
    );
  });

  it('is not created by a reader: an export of an empty database is a usage error, and leaves it empty', async () => {
    const empty = await freshDb('postgres');
    await assert.rejects(openStore(empty, { readonly: true }), (err: unknown) => err instanceof UsageError && /no usage-etl history in \S+\/ut_\w+ \(ingest something first/.test(err.message));
    assert.equal(await countRows(empty, "information_schema.tables WHERE table_schema = 'public'"), 0);
  });
});
