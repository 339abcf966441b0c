// The store and the apply step on a real SQLite file: history rebuilt at any instant, idempotent
// re-ingest, order, guards, schema versions.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { RefusedError, UsageError } from '../src/errors.ts';
import { stateBefore } from '../src/history.ts';
import { applySnapshot, DryRun } from '../src/ingest/apply.ts';
import { type Snapshot, SnapshotBuilder } from '../src/snapshot.ts';
import { Store } from '../src/store/store.ts';
import { resourceType } from '../src/types/index.ts';
import { tempDir } from './support/cli.ts';

const T = (day: number, hour = 2) => Date.UTC(2026, 10, day, hour);

function snapshot(takenAt: number, resources: Record<string, unknown>[], options: { complete?: boolean; type?: string } = {}): Snapshot {
  const builder = new SnapshotBuilder(resourceType(options.type ?? 'vm')!, { mode: 'drop' });
  resources.forEach((r, i) => builder.add(r, 'canonical', 'test.json', `resources[${i}]`));
  return builder.build({ source: 'nectar-sa', takenAt, complete: options.complete ?? true });
}

function fresh(): { store: Store; runId: number; path: string } {
  const path = join(tempDir(), 'usage.db');
  const store = Store.open(path);
  return { store, runId: store.startRun('test'), path };
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
  it('rebuilds the state of any instant from the stored changes', () => {
    const { store, runId } = fresh();
    const days = [
      snapshot(T(1), [{ id: 'a', status: 'ACTIVE' }, { id: 'b', status: 'ACTIVE' }]),
      snapshot(T(2), [{ id: 'a', status: 'SHUTOFF' }, { id: 'b', status: 'ACTIVE' }, { id: 'c', status: 'BUILD' }]),
      snapshot(T(3), [{ id: 'a', status: 'SHUTOFF' }, { id: 'c', status: 'ACTIVE' }]),
      snapshot(T(5), [{ id: 'c', status: 'ACTIVE' }, { id: 'b', status: 'ACTIVE', vcpus: 8 }]),
    ];
    for (const s of days) applySnapshot(store, s, { runId, allowMassRemoval: false });
    const series = store.findSeries('nectar-sa', 'vm')!;
    const at = (ms: number) => Object.fromEntries([...stateBefore(store, series, ms + 1)].map(([k, v]) => [k, JSON.parse(v)]));

    assert.deepEqual(at(T(1) - 1), {});
    assert.deepEqual(at(T(1)), { a: { status: 'ACTIVE' }, b: { status: 'ACTIVE' } });
    assert.deepEqual(at(T(2, 12)), { a: { status: 'SHUTOFF' }, b: { status: 'ACTIVE' }, c: { status: 'BUILD' } });
    assert.deepEqual(at(T(4)), { a: { status: 'SHUTOFF' }, c: { status: 'ACTIVE' } });
    // b was removed on day 3 and came back on day 5: it is a new life, with its new record.
    assert.deepEqual(at(T(30)), { c: { status: 'ACTIVE' }, b: { status: 'ACTIVE', vcpus: 8 } });
  });

  it('grows with changes, not with snapshots', () => {
    const { store, runId, path } = fresh();
    for (let day = 1; day <= 10; day++) applySnapshot(store, snapshot(T(day), vms(100)), { runId, allowMassRemoval: false });
    store.close();
    assert.equal(count(path, 'changes'), 100, 'nine identical snapshots wrote no history');
    assert.equal(count(path, 'snapshots'), 10, 'but every observation is recorded');
  });

  it('stores old and new values of each modified field', () => {
    const { store, runId, path } = fresh();
    applySnapshot(store, snapshot(T(1), [{ id: 'a', status: 'ACTIVE', image_id: 'img' }]), { runId, allowMassRemoval: false });
    applySnapshot(store, snapshot(T(2), [{ id: 'a', status: 'SHUTOFF', availability_zone: 'sa-1' }]), { runId, allowMassRemoval: false });
    store.close();
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
  it('treats re-ingesting an applied snapshot as a no-op', () => {
    const { store, runId, path } = fresh();
    const first = applySnapshot(store, snapshot(T(1), vms(5)), { runId, allowMassRemoval: false });
    const again = applySnapshot(store, snapshot(T(1), vms(5)), { runId, allowMassRemoval: false });
    assert.equal(first.status, 'applied');
    assert.equal(again.status, 'already ingested');
    store.close();
    assert.equal(count(path, 'snapshots'), 1);
    assert.equal(count(path, 'changes'), 5);
  });

  it('refuses a different snapshot at a time already applied', () => {
    const { store, runId } = fresh();
    applySnapshot(store, snapshot(T(1), vms(5)), { runId, allowMassRemoval: false });
    assert.throws(
      () => applySnapshot(store, snapshot(T(1), vms(6)), { runId, allowMassRemoval: false }),
      (err: unknown) => err instanceof RefusedError && /a different snapshot of nectar-sa vm at 2026-11-01T02:00:00Z/.test(err.message),
    );
  });

  it('refuses a snapshot older than the latest, naming both times', () => {
    const { store, runId, path } = fresh();
    applySnapshot(store, snapshot(T(3), vms(5)), { runId, allowMassRemoval: false });
    assert.throws(
      () => applySnapshot(store, snapshot(T(2), vms(4)), { runId, allowMassRemoval: false }),
      (err: unknown) =>
        err instanceof RefusedError && /2026-11-02T02:00:00Z is older than the latest one already applied \(2026-11-03T02:00:00Z\)/.test(err.message),
    );
    store.close();
    assert.equal(count(path, 'snapshots'), 1, 'nothing of the refused snapshot was written');
    assert.equal(count(path, 'sources'), 1);
  });

  it('refuses a mass removal unless allowed, and writes nothing when refusing', () => {
    const { store, runId, path } = fresh();
    applySnapshot(store, snapshot(T(1), vms(40)), { runId, allowMassRemoval: false });
    assert.throws(
      () => applySnapshot(store, snapshot(T(2), []), { runId, allowMassRemoval: false }),
      (err: unknown) => err instanceof RefusedError && /refusing to remove 40 of 40 vm resources of nectar-sa/.test(err.message),
    );
    assert.equal(count(path, 'snapshots'), 1);
    const allowed = applySnapshot(store, snapshot(T(2), []), { runId, allowMassRemoval: true });
    assert.equal(allowed.counts.removed, 40);
  });

  it('never removes on an incomplete snapshot', () => {
    const { store, runId } = fresh();
    applySnapshot(store, snapshot(T(1), vms(30)), { runId, allowMassRemoval: false });
    const partial = applySnapshot(store, snapshot(T(2), vms(3, 'SHUTOFF'), { complete: false }), { runId, allowMassRemoval: false });
    assert.deepEqual(
      [partial.counts.added, partial.counts.modified, partial.counts.removed],
      [0, 3, 0],
    );
    assert.equal(store.loadCurrent(store.findSeries('nectar-sa', 'vm')!).size, 30);
  });

  it('stores quarantined records with their place but not their content', () => {
    const { store, runId, path } = fresh();
    applySnapshot(store, snapshot(T(1), [{ id: 'a' }, { id: 'b', vcpus: 'many', name: 'secret-name' }]), { runId, allowMassRemoval: false });
    store.close();
    const db = new Database(path, { readonly: true });
    const rejects = db.prepare('SELECT * FROM rejects').all() as Record<string, unknown>[];
    db.close();
    assert.equal(rejects.length, 1);
    assert.equal(rejects[0]!.location, 'resources[1]');
    assert.equal(rejects[0]!.field, 'vcpus');
    assert.ok(!JSON.stringify(rejects).includes('secret-name'));
  });

  it('previews a snapshot without writing (dry run)', () => {
    const { store, runId, path } = fresh();
    applySnapshot(store, snapshot(T(1), vms(5)), { runId, allowMassRemoval: false });
    const dryRun = new DryRun(store);
    assert.equal(dryRun.preview(snapshot(T(2), vms(7)), false).counts.added, 2);
    // The next snapshot is diffed against what the dry run would have applied, not the database.
    assert.equal(dryRun.preview(snapshot(T(3), vms(8)), false).counts.added, 1);
    store.close();
    assert.equal(count(path, 'snapshots'), 1);
  });
});

describe('the database file', () => {
  it('keeps its data and its hash key across opens', () => {
    const { store, runId, path } = fresh();
    applySnapshot(store, snapshot(T(1), vms(2)), { runId, allowMassRemoval: false });
    const key = store.hashKey();
    store.close();
    const again = Store.open(path);
    assert.equal(again.hashKey(), key);
    assert.equal(again.listSeries().length, 1);
    again.close();
  });

  it('refuses a database written by a newer version', () => {
    const { store, path } = fresh();
    store.db.pragma('user_version = 99');
    store.close();
    assert.throws(() => Store.open(path), (err: unknown) => err instanceof UsageError && /schema version 99, newer than this usage-etl knows/.test(err.message));
  });

  it('refuses an SQLite file that is not ours, and a file that is not SQLite', () => {
    const dir = tempDir();
    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    assert.throws(() => Store.open(join(dir, 'other.db')), (err: unknown) => err instanceof UsageError && /not a usage-etl one/.test(err.message));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not a database at all, just text. '.repeat(100));
    assert.throws(() => Store.open(text), (err: unknown) => err instanceof UsageError && /cannot use database/.test(err.message));
  });

  it('uses WAL mode', () => {
    const { store } = fresh();
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  });
});
