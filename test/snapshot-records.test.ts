// A snapshot's records held compactly (keys and hashes in memory, texts in memory up to a budget,
// then in a temporary file): every record must read back exactly as it was added, or the history
// written from a large snapshot would not be the snapshot.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SnapshotRecords } from '../src/snapshot-records.ts';
import { normalRecord } from '../src/types/normalise.ts';
import { runCli, tempDir } from './support/cli.ts';

const record = (i: number) =>
  normalRecord(`vm-${i}`, {
    status: i % 7 ? 'ACTIVE' : 'SHUTOFF',
    // Multi-byte UTF-8, so byte and character lengths differ.
    name: `Forschungsgerät ${i} — 研究 ${'x'.repeat(i % 300)}`,
    vcpus: i % 16,
  });

describe('the records of a large snapshot', () => {
  it('read back exactly, in order and at random, once their texts outgrow memory', () => {
    const records = new SnapshotRecords();
    const n = 100_000; // ~25 MB of JSON: past the in-memory budget, so most texts sit in the file
    for (let i = 0; i < n; i++) records.set(record(i));
    // One record larger than a chunk of the spill, and one replaced by a later copy of its key.
    const huge = normalRecord('vm-huge', { name: 'é'.repeat(1_500_000) });
    records.set(huge);
    const replaced = normalRecord('vm-5', { status: 'DELETED' });
    records.set(replaced);
    for (let i = n; i < n + 1000; i++) records.set(record(i));

    assert.equal(records.size, n + 1001);
    let i = 0;
    for (const [key, got] of records) {
      const want = key === 'vm-huge' ? huge : key === 'vm-5' ? replaced : record(Number(key.slice(3)));
      assert.deepEqual(got, want, `record ${key}`);
      assert.equal(key, i === n ? 'vm-huge' : `vm-${i < n ? i : i - 1}`, 'kept in the order added (a replaced key keeps its place)');
      i++;
    }
    for (const k of [99_999, 17, 42_000, 3, 100_500]) assert.deepEqual(records.get(`vm-${k}`), record(k));
    assert.equal(records.hashOf('vm-huge'), huge.hash);
    assert.equal(records.get('vm-none'), undefined);
    records.release();
  });
});

describe('the records of a first load, written as bytes', () => {
  // A store binds a batch of records at once: every record's bytes must still be its JSON after the
  // records read later (the spill's window moves on), whether the text sat in memory or in the file.
  for (const [label, n] of [['held in memory', 500], ['past the budget, in the file', 100_000]] as const) {
    it(`are each record's JSON as UTF-8, kept valid while the rest are read (${label})`, () => {
      const records = new SnapshotRecords();
      for (let i = 0; i < n; i++) records.set(record(i));
      const huge = normalRecord('vm-huge', { name: 'é'.repeat(400_000) }); // larger than the read window
      records.set(huge);
      const held = [...records.encodedValues()];
      assert.equal(held.length, n + 1);
      held.forEach((got, i) => {
        const want = i === n ? huge : record(i);
        assert.equal(got.key, want.key);
        assert.equal(got.hash, want.hash);
        assert.equal(Buffer.from(got.json).toString('utf8'), want.json, `record ${want.key}`);
      });
      records.release();
    });
  }
});

describe('a large snapshot where no temporary file can be made', () => {
  it('fails that dump in one line naming the folder and TMPDIR, exit 1, nothing stored', async () => {
    const dir = tempDir();
    const dump = join(dir, 'servers.json');
    // ~20 MB of record JSON: more than is kept in memory.
    const resources = Array.from({ length: 40_000 }, (_, i) => ({ id: `vm-${i}`, status: 'ACTIVE', tenant_id: `t${i % 50}`, host_id: 'h'.repeat(400) }));
    writeFileSync(dump, JSON.stringify({ source: 'big', resource_type: 'vm', taken_at: '2026-11-01T02:00:00Z', complete: true, resources }));
    const db = join(dir, 'usage.db');
    const run = await runCli(['--db', db, 'ingest', '--dump', dump], { cwd: dir, env: { TMPDIR: join(dir, 'missing') } });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /missing: cannot make the temporary file that holds a large snapshot's records \(set TMPDIR to a writable folder\)/);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    const stored = await runCli(['--db', db, 'export', '--from', '2026-11-01', '--to', '2026-11-01', '--stdout'], { cwd: dir });
    assert.ok(!existsSync(db) || !stored.stdout.includes('vm-1,'), 'nothing of it stored');
  });
});
