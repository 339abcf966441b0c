// `status --check` for monitoring (issue 12) and its event_gap warning (issue 11), and `status` as
// JSON, through the real CLI. "Now" is the real clock: snapshots are made old or young relative to it.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CliResult, runCli, workspace } from './support/cli.ts';
import { nova, server } from './support/notifications.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Whole seconds, as our stored form prints them: `2026-11-21T02:00:00Z`. */
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

type Resource = Record<string, unknown>;

/** A canonical dump of `source`'s instances taken at `at` (epoch ms). */
function dump(path: string, source: string, at: number, resources: Resource[]): string {
  writeFileSync(path, JSON.stringify({ source, resource_type: 'vm', taken_at: iso(at), complete: true, resources }));
  return path;
}

async function ingest(dir: string, ...args: string[]): Promise<CliResult> {
  const run = await runCli(['-q', 'ingest', ...args], { cwd: dir });
  return run;
}

const check = (dir: string, ...args: string[]) => runCli(['status', '--check', ...args], { cwd: dir });
const lines = (text: string) => text.split('\n').filter(Boolean);

describe('status --check', () => {
  it('OK: one summary line, exit 0; silent with -q', async () => {
    const { dir } = workspace();
    assert.equal((await ingest(dir, '--dump', dump(join(dir, 'a.json'), 'nectar-sa', Date.now() - HOUR, [server('a')]))).code, 0);
    const ok = await check(dir);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.deepEqual(lines(ok.stdout), ['OK 1 source(s) collected within 26h: nectar-sa']);
    assert.equal(ok.stderr, '');
    const quiet = await runCli(['-q', 'status', '--check'], { cwd: dir });
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stdout + quiet.stderr, '', 'cron hears nothing when all is well');
  });

  it('a stale source: CRITICAL with its last snapshot and age, exit 1; fine under a longer --max-age', async () => {
    const { dir } = workspace();
    const at = Date.now() - 50 * HOUR;
    await ingest(dir, '--dump', dump(join(dir, 'a.json'), 'nectar-sa', at, [server('a')]));
    const stale = await check(dir);
    assert.equal(stale.code, 1);
    assert.deepEqual(lines(stale.stdout), [`CRITICAL nectar-sa: last snapshot ${iso(at)} is 50h old (max 26h)`]);
    const longer = await check(dir, '--max-age', '3d');
    assert.equal(longer.code, 0, longer.stdout);
    assert.match(longer.stdout, /^OK 1 source\(s\) collected within 3d: nectar-sa$/m);
  });

  it('a configured source never collected: listed by status, CRITICAL in the check', async () => {
    const { dir } = workspace();
    mkdirSync(join(dir, 'archive'));
    mkdirSync(join(dir, 'other'));
    dump(join(dir, 'archive', 'a.json'), 'x', Date.now() - HOUR, [server('a')]);
    writeFileSync(
      join(dir, 'usage-etl.yaml'),
      `sources:\n  archive:\n    kind: dump\n    path: ${join(dir, 'archive')}\n  nectar-qld:\n    kind: dump\n    path: ${join(dir, 'other')}\n`,
    );
    const run = await ingest(dir, 'archive');
    assert.equal(run.code, 0, run.stderr);
    const status = await runCli(['status'], { cwd: dir });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^nectar-qld\s+\(never collected\)$/m, status.stdout);
    assert.match(status.stdout, /^archive \/ vm\s+1\s+1\s/m);
    const checked = await check(dir);
    assert.equal(checked.code, 1);
    assert.deepEqual(lines(checked.stdout), ['CRITICAL nectar-qld: never collected']);
  });

  it("a source whose last run failed: CRITICAL naming the run and its error, until a run collects it again", async () => {
    const { dir } = workspace();
    const folder = join(dir, 'archive');
    mkdirSync(folder);
    dump(join(folder, 'a.json'), 'x', Date.now() - 2 * HOUR, [server('a')]);
    writeFileSync(join(dir, 'usage-etl.yaml'), `sources:\n  archive:\n    kind: dump\n    path: ${folder}\n`);
    assert.equal((await ingest(dir)).code, 0);
    writeFileSync(join(folder, 'b.json'), '{"source": "x", "resource_type": "vm", "taken_at": "');
    const failed = await ingest(dir);
    assert.equal(failed.code, 1);
    const checked = await check(dir);
    assert.equal(checked.code, 1);
    assert.equal(lines(checked.stdout).length, 1, checked.stdout);
    assert.match(checked.stdout, /^CRITICAL archive: last run #2 at \S+Z failed: \S*b\.json: .+$/m);
    rmSync(join(folder, 'b.json'));
    dump(join(folder, 'c.json'), 'x', Date.now() - HOUR, [server('a'), server('c')]);
    assert.equal((await ingest(dir)).code, 0);
    const again = await check(dir);
    assert.equal(again.code, 0, again.stdout);
  });

  it('quarantined records: a WARNING at the next check, not at the one after', async () => {
    const { dir } = workspace();
    await ingest(dir, '--dump', dump(join(dir, 'a.json'), 'nectar-sa', Date.now() - 3 * HOUR, [server('a')]));
    assert.equal((await check(dir)).code, 0);
    const bad = dump(join(dir, 'b.json'), 'nectar-sa', Date.now() - 2 * HOUR, [server('a'), { name: 'no id' }, server('c', 'yesterday')]);
    await ingest(dir, '--dump', bad);
    const first = await check(dir);
    assert.equal(first.code, 1, 'a warning alone is a problem (Nagios shows it)');
    assert.deepEqual(lines(first.stdout).length, 1, first.stdout);
    assert.match(first.stdout, /^WARNING nectar-sa: 2 record\(s\) quarantined since the last check at \S+Z \(vm 2\); see usage-etl status$/m);
    const second = await check(dir);
    assert.equal(second.code, 0, second.stdout);
    assert.match(second.stdout, /^OK /);
  });

  it('event_gap days of the max age: a WARNING per source and type (SPEC §8.5), none outside the window', async () => {
    // The reconcile test's listener down for a day, moved to end yesterday: nights at 02:00 from six
    // days ago to yesterday; `a` heard every day but the silent one (three days ago), when `x` was
    // launched and `y` deleted without a word.
    const { dir } = workspace();
    const today = Math.floor(Date.now() / DAY) * DAY;
    const base = today - 6 * DAY;
    const night = (i: number) => base + i * DAY + 2 * HOUR;
    const at = (day: number, hour: number) => iso(base + day * DAY + hour * HOUR);
    const events = [
      nova('create.end', at(1, 9), 'a', { launched_at: at(1, 9) }),
      ...[2, 4].map((d) => nova('update', at(d, 12), 'a', { launched_at: at(1, 9) })),
      nova('update', iso(night(5)), 'a', { launched_at: at(1, 9) }),
      nova('create.end', at(1, 16), 'y', { launched_at: at(1, 16) }),
    ];
    const dumps = join(dir, 'dumps');
    mkdirSync(dumps);
    for (let i = 0; i < 6; i++) {
      const listed = [...(i >= 2 ? [server('a', at(1, 9))] : []), ...(i >= 2 && i <= 3 ? [server('y', at(1, 16))] : []), ...(i >= 4 ? [server('x', at(3, 10))] : [])];
      dump(join(dumps, `${i}.json`), 'cloud', night(i), listed);
    }
    writeFileSync(join(dir, 'events.jsonl'), `${events.join('\n')}\n`);
    const run = await ingest(dir, '--dump', dumps, join(dir, 'events.jsonl'), '--source', 'cloud');
    assert.equal(run.code, 0, run.stderr);
    const within = await check(dir, '--max-age', '4d');
    assert.equal(within.code, 1, 'a warning alone makes the check fail');
    const silentDay = iso(base + 3 * DAY).slice(0, 10);
    assert.deepEqual(lines(within.stdout), [
      `WARNING cloud vm: 1 day(s) without notifications while the snapshots changed (event_gap: ${silentDay}); see export --report reconcile`,
    ]);
    // The same day as the report's event_gap row.
    const report = await runCli(['export', '--from', iso(base).slice(0, 10), '--to', iso(today).slice(0, 10), '--report', 'reconcile', '--stdout'], { cwd: dir });
    assert.deepEqual(
      lines(report.stdout).filter((line) => line.includes(',event_gap,')).map((line) => line.split(',')[1]),
      [silentDay],
    );
    // Within 47h of yesterday's 02:00 night whatever the hour; the silent day starts before the window.
    const outside = await check(dir, '--max-age', '47h');
    assert.equal(outside.code, 0, outside.stdout);
    // Only unresolved gaps count: the silent day's capture, loaded late (a's noon update, x's launch,
    // y's delete), fills it, and the next check is OK.
    const late = [
      nova('update', at(3, 12), 'a', { launched_at: at(1, 9) }),
      nova('create.end', at(3, 10), 'x', { launched_at: at(3, 10) }),
      nova('delete.end', at(3, 15), 'y', { launched_at: at(1, 16), state: 'deleted', terminated_at: at(3, 15) }),
    ];
    writeFileSync(join(dir, 'late.jsonl'), `${late.join('\n')}\n`);
    const loaded = await ingest(dir, '--dump', join(dir, 'late.jsonl'), '--source', 'cloud');
    assert.equal(loaded.code, 0, loaded.stderr);
    const filled = await check(dir, '--max-age', '4d');
    assert.equal(filled.code, 0, filled.stdout);
    assert.match(filled.stdout, /^OK /);
  });

  it('--max-age that is no duration: exit 2, one line naming the flag', async () => {
    const { dir } = workspace();
    await ingest(dir, '--dump', dump(join(dir, 'a.json'), 'nectar-sa', Date.now() - HOUR, [server('a')]));
    for (const bad of ['26x', '0', 'soon']) {
      const run = await check(dir, '--max-age', bad);
      assert.equal(run.code, 2, `--max-age ${bad}`);
      assert.equal(run.stdout, '');
      assert.deepEqual(lines(run.stderr), [`usage-etl: --max-age: expected a duration like 26h, 2d or 90m, found ${bad}`]);
    }
    const without = await runCli(['status', '--max-age', '2d'], { cwd: dir });
    assert.equal(without.code, 2);
    assert.match(without.stderr, /--max-age goes with --check/);
  });
});

describe('status as JSON', () => {
  it('prints times as ISO-8601 UTC and booleans as true/false; --check as one object with its problems', async () => {
    const { dir } = workspace();
    const at = Date.now() - 30 * HOUR;
    await ingest(dir, '--dump', dump(join(dir, 'a.json'), 'nectar-sa', at, [server('a')]));
    const run = await runCli(['--log-format', 'json', 'status'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const status = JSON.parse(run.stdout) as {
      series: { source: string; lastAt: unknown; complete: unknown }[];
      runs: { startedAt: unknown; finishedAt: unknown; status: string }[];
    };
    assert.deepEqual(
      status.series.map((s) => [s.source, s.lastAt, s.complete]),
      [['nectar-sa', iso(at), true]],
    );
    const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/;
    assert.equal(status.runs.length, 1);
    assert.match(String(status.runs[0]!.startedAt), ISO);
    assert.match(String(status.runs[0]!.finishedAt), ISO);

    const checked = await runCli(['--log-format', 'json', 'status', '--check'], { cwd: dir });
    assert.equal(checked.code, 1);
    assert.equal(lines(checked.stdout).length, 1, 'one JSON object');
    const result = JSON.parse(checked.stdout) as { status: string; maxAge: string; sources: string[]; problems: Record<string, unknown>[] };
    assert.equal(result.status, 'CRITICAL');
    assert.deepEqual(result.sources, ['nectar-sa']);
    assert.deepEqual(result.problems, [
      { severity: 'CRITICAL', kind: 'stale', source: 'nectar-sa', message: `last snapshot ${iso(at)} is 30h old (max 26h)`, at: iso(at) },
    ]);
  });
});
