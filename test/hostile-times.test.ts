// Times no history can live with (issue 13): an envelope timestamp no date can hold, a snapshot from
// the far future, zone offsets no place has. Each is refused with one line naming the file and the
// field, before anything of its file is written; the history stays usable.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readOnly } from './support/db.ts';
import { runCli, workspace } from './support/cli.ts';

function canonical(dir: string, name: string, takenAt: string, ids: string[]): string {
  const file = join(dir, name);
  const resources = ids.map((id) => ({ id, status: 'ACTIVE', tenant_id: 'p1', flavor_id: 'm1', vcpus: 1, ram_mb: 512, disk_gb: 1 }));
  writeFileSync(file, JSON.stringify({ source: 'cloud-a', resource_type: 'vm', taken_at: takenAt, complete: true, resources }));
  return file;
}

const snapshotCount = (db: string) => readOnly(db, (conn) => conn.prepare('SELECT count(*) FROM snapshots').pluck().get() as number);

describe('times no history can live with (issue 13)', () => {
  it('an envelope timestamp no date can hold fails its file in one line, after nothing of it was written; validate says the same', async () => {
    const { dir, db } = workspace();
    const file = join(dir, 'batch.jsonl');
    const message = (id: string, timestamp: string) =>
      `{"id": "${id}", "session": "s", "schema": "swift", "version": 1, "data": {"timestamp": ${timestamp}, "hostname": "swift-prod", "p1": {"bytes": 1, "containers": 1, "objects": 1, "quota": null}}}`;
    for (const timestamp of ['1e+20', '1e+308', '123456789012345678901234567890']) {
      writeFileSync(file, `${message('m1', '1795140000')}\n${message('m2', timestamp)}\n`);
      const run = await runCli(['--db', db, 'ingest', '--dump', file], { cwd: dir });
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /batch\.jsonl: line 2: data\.timestamp: expected epoch seconds, found .*, which no date can hold/);
      assert.doesNotMatch(run.stderr, /unexpected error/);
      const check = await runCli(['validate', file], { cwd: dir });
      assert.equal(check.code, 1, check.stderr);
      assert.match(check.stdout + check.stderr, /line 2: data\.timestamp: .*which no date can hold/);
    }
    assert.equal(snapshotCount(db), 0, 'the good first message of the file was not written either');
  });

  it('refuses a snapshot more than a day in the future, so it cannot shut out every real one after it', async () => {
    const { dir, db } = workspace();
    const future = await runCli(['--db', db, 'ingest', '--dump', canonical(dir, 'future.json', '9999-12-31T00:00:00Z', ['a', 'b'])], { cwd: dir });
    assert.equal(future.code, 1);
    assert.match(future.stderr, /cloud-a vm at 9999-12-31T00:00:00Z is more than 1d in the future .*--max-future/);
    const real = await runCli(['--db', db, 'ingest', '--dump', canonical(dir, 'real.json', '2026-11-21T02:00:00Z', ['a'])], { cwd: dir });
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /added 1/);
    // An hour ahead (a producer's clock a little fast) is fine under the default margin.
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const ahead = await runCli(['--db', db, 'ingest', '--dump', canonical(dir, 'soon.json', soon, ['a', 'b'])], { cwd: dir });
    assert.equal(ahead.code, 0, ahead.stderr);
  });

  it('--max-future sets the margin; a margin that is no duration is a usage error', async () => {
    const { dir, db } = workspace();
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const refused = await runCli(['--db', db, 'ingest', '--dump', canonical(dir, 'a.json', inTwoDays, ['a'])], { cwd: dir });
    assert.equal(refused.code, 1);
    const allowed = await runCli(['--db', db, 'ingest', '--max-future', '3d', '--dump', canonical(dir, 'a.json', inTwoDays, ['a'])], { cwd: dir });
    assert.equal(allowed.code, 0, allowed.stderr);
    const bad = await runCli(['--db', db, 'ingest', '--max-future', 'soon', '--dump', canonical(dir, 'a.json', inTwoDays, ['a'])], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-future: expected a duration such as 1d, 36h or 90m, found soon/);
  });

  it('prune --series --after is the way out of a series a far-future snapshot shut out: history as if it never came', async () => {
    const poisoned = workspace();
    const clean = workspace();
    const nov20 = (dir: string) => canonical(dir, 'nov20.json', '2026-11-20T02:00:00Z', ['a', 'b']);
    const nov22 = (dir: string) => canonical(dir, 'nov22.json', '2026-11-22T02:00:00Z', ['a', 'c']);
    // A database poisoned before the guard: the year-3000 snapshot (removing b, adding z) was applied.
    for (const args of [['--dump', nov20(poisoned.dir)], ['--max-future', '999999d', '--dump', canonical(poisoned.dir, 'bad.json', '3000-12-31T00:00:00Z', ['a', 'z'])]]) {
      assert.equal((await runCli(['--db', poisoned.db, 'ingest', ...args], { cwd: poisoned.dir })).code, 0);
    }
    const shutOut = await runCli(['--db', poisoned.db, 'ingest', '--dump', nov22(poisoned.dir)], { cwd: poisoned.dir });
    assert.equal(shutOut.code, 1);
    assert.match(shutOut.stderr, /older than the latest one already applied \(3000-12-31T00:00:00Z\)/);

    const args = ['--db', poisoned.db, 'prune', '--series', 'cloud-a/vm', '--after', '2026-12-01T00:00:00Z'];
    const dry = await runCli([...args, '--dry-run'], { cwd: poisoned.dir });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would remove 1 snapshot\(s\) of cloud-a vm taken after 2026-12-01T00:00:00Z, with 2 change\(s\)/);
    const undo = await runCli(args, { cwd: poisoned.dir });
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /removed 1 snapshot\(s\) .* its present state is as of 2026-11-20T02:00:00Z/);
    assert.equal((await runCli(['--db', poisoned.db, 'ingest', '--dump', nov22(poisoned.dir)], { cwd: poisoned.dir })).code, 0);

    for (const args of [['--dump', nov20(clean.dir)], ['--dump', nov22(clean.dir)]]) assert.equal((await runCli(['--db', clean.db, 'ingest', ...args], { cwd: clean.dir })).code, 0);
    for (const kind of ['inventory', 'changes']) {
      const report = (db: string, cwd: string) => runCli(['--db', db, 'export', '--from', '2026-11-19', '--to', '2026-11-23', '--report', kind, '--stdout'], { cwd });
      const got = await report(poisoned.db, poisoned.dir);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout, (await report(clean.db, clean.dir)).stdout, kind);
      assert.doesNotMatch(got.stdout, /,z,/);
    }
  });

  it('prune --series refuses a ledger type, a bad series and a missing --after (exit 2)', async () => {
    const { dir, db } = workspace();
    assert.equal((await runCli(['--db', db, 'ingest', '--dump', canonical(dir, 'a.json', '2026-11-20T02:00:00Z', ['a'])], { cwd: dir })).code, 0);
    for (const [args, message] of [
      [['--series', 'emu/job', '--after', '2026-12-01T00:00:00Z'], /job is a ledger/],
      [['--series', 'cloud-a', '--after', '2026-12-01T00:00:00Z'], /expected SOURCE\/TYPE/],
      [['--series', 'cloud-a/vm'], /--series and --after go together/],
      [['--series', 'cloud-a/vm', '--after', '2026-12-01'], /--after: /],
      [['--series', 'cloud-b/vm', '--after', '2026-12-01T00:00:00Z'], /--series: no series cloud-b\/vm in /],
    ] as const) {
      const run = await runCli(['--db', db, 'prune', ...args], { cwd: dir });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  it('refuses zone offsets beyond ±14:00, naming the field; +14:00 and -12:00 are real places', async () => {
    const { dir, db } = workspace();
    for (const offset of ['+25:00', '-14:30', '+05:75']) {
      const run = await runCli(['--db', db, 'ingest', '--dump', canonical(dir, 'x.json', `2026-11-21T02:00:00${offset}`, ['a'])], { cwd: dir });
      assert.equal(run.code, 1, offset);
      assert.match(run.stderr, /x\.json: taken_at: a zone offset (outside ±14:00|with more than 59 minutes)/, offset);
    }
    assert.equal(snapshotCount(db), 0);
    const kiribati = await runCli(['--db', db, 'ingest', '--dump', canonical(dir, 'k.json', '2026-11-21T16:00:00+14:00', ['a'])], { cwd: dir });
    assert.equal(kiribati.code, 0, kiribati.stderr);
    const baker = await runCli(['--db', db, 'ingest', '--dump', canonical(dir, 'b.json', '2026-11-21T02:00:00-12:00', ['a'])], { cwd: dir });
    assert.equal(baker.code, 0, baker.stderr);
  });
});
