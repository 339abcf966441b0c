// Configured HPC sources (SPEC §4.2): `kind: pbs` reads its accounting directory every run, growing
// file included; `kind: slurm` runs sacct over an overlapping window. Both through the real CLI.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli, workspace } from './support/cli.ts';
import { readOnly } from './support/db.ts';

const FAKE_SACCT = join(ROOT, 'test', 'support', 'fake-sacct');

function jobCount(db: string, source: string): number {
  return readOnly(db, (conn) =>
    conn
      .prepare(
        `SELECT count(*) FROM current JOIN series ON series.id = current.series_id JOIN sources ON sources.id = series.source_id
         WHERE sources.name = ? AND series.resource_type = 'job'`,
      )
      .pluck()
      .get(source) as number,
  );
}

describe('kind: pbs', () => {
  function site(timezone = 'UTC') {
    const { dir, db } = workspace();
    const logs = join(dir, 'accounting');
    cpSync(join(FIXTURES, 'pbs', 'emu'), logs, { recursive: true });
    writeFileSync(join(dir, 'usage-etl.yaml'), `sources:\n  emu:\n    kind: pbs\n    path: accounting\n    timezone: ${timezone}\n`);
    return { dir, db, logs };
  }

  it('reads every log of the directory, and today\'s growing file again next run without duplicating a job', async () => {
    const { dir, db, logs } = site();
    const first = await runCli(['ingest'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^emu job 2026-11-20T13:01:00Z: added 3\b/m);
    assert.equal(jobCount(db, 'emu'), 4);

    // Overnight the server appended one more job to today's file.
    appendFileSync(
      join(logs, '20261121'),
      '11/21/2026 15:00:00;E;1010.emu-head;user=erin group=phys queue=workq ctime=1795225000 qtime=1795225000 etime=1795225000 ' +
        'start=1795225100 exec_host=n004/0-3 Resource_List.nodect=1 end=1795230000 Exit_status=0 resources_used.walltime=01:21:40\n',
    );
    const second = await runCli(['ingest'], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /emu: 1 accounting file\(s\) unchanged since they were read; not read again/);
    assert.doesNotMatch(second.stdout, /2026-11-20T13:01:00Z/, 'yesterday\'s log is not read again');
    assert.match(second.stdout, /^emu job 2026-11-21T15:00:00Z: added 1, modified 0, removed 0, unchanged 3\b/m);
    assert.equal(jobCount(db, 'emu'), 5, 'the jobs read again are not stored twice');
    // The quarantined lines of the first night are not quarantined again.
    assert.doesNotMatch(second.stderr, /quarantined/);

    // A log touched since (copied back from a backup, say) is read again: nothing new in it.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(logs, '20261120'), later, later);
    const third = await runCli(['ingest'], { cwd: dir });
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stdout, /^emu job 2026-11-20T13:01:00Z: already ingested/m);
    assert.equal(jobCount(db, 'emu'), 5);
  });

  it('reads the log times in the source\'s time zone', async () => {
    const { dir } = site('Australia/Adelaide');
    const result = await runCli(['ingest'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    // 14:00 in Adelaide (UTC+10:30 in November) is 03:30 UTC.
    assert.match(result.stdout, /^emu job 2026-11-21T03:30:00Z: /m);
  });
});

describe('kind: slurm', () => {
  function site(extra = '') {
    const { dir, db } = workspace();
    const args = join(dir, 'sacct-args.txt');
    writeFileSync(join(dir, 'usage-etl.yaml'), `sources:\n  tango:\n    kind: slurm\n    cluster: tango\n    lookback: 2d\n    command: ${FAKE_SACCT}\n${extra}`);
    const run = (output: string, env: Record<string, string> = {}) =>
      runCli(['ingest'], { cwd: dir, env: { FAKE_SACCT_OUTPUT: join(FIXTURES, 'slurm', 'tango', output), FAKE_SACCT_ARGS: args, ...env } });
    return { dir, db, run, args: () => readFileSync(args, 'utf8').trim().split('\n') };
  }

  it('runs sacct with TZ=UTC, our field order and a window, and stores the finished jobs', async () => {
    const s = site();
    const before = Date.now();
    const result = await s.run('sacct-20261121.sacct');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^tango job 2026-11-20T15:20:10Z: added 13\b/m);
    const args = s.args();
    assert.equal(args[0], 'TZ=UTC');
    for (const flag of ['--allusers', '--parsable2', '--noheader', '--endtime=now', '--clusters=tango']) assert.ok(args.includes(flag), flag);
    assert.ok(args.includes('--format=jobid,jobidraw,cluster,partition,qos,account,group,gid,user,uid,submit,eligible,start,end,elapsed,exitcode,state,nnodes,ncpus,reqcpus,reqmem,reqtres,alloctres,timelimit,nodelist,jobname'));
    // The first run looks back two days from now.
    const since = Date.parse(`${args.find((a) => a.startsWith('--starttime='))!.slice('--starttime='.length)}Z`);
    assert.ok(Math.abs(since - (before - 2 * 86_400_000)) < 60_000, `window starts two days back: ${new Date(since).toISOString()}`);
  });

  it('overlaps the next window with the last and stores each job once; a re-reported job is updated', async () => {
    const s = site();
    assert.equal((await s.run('sacct-20261121.sacct')).code, 0);
    const second = await s.run('sacct-20261122.sacct');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^tango job 2026-11-21T12:00:05Z: added 2, modified 2, removed 0, unchanged 1\b/m);
    // The window reaches two days before the newest job already stored, not just before now.
    assert.ok(s.args().includes('--starttime=2026-11-18T15:20:10'), s.args().join(' '));
    const again = await s.run('sacct-20261122.sacct');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already ingested/);
    assert.equal(jobCount(s.db, 'tango'), 15);
  });

  it('a row quarantined by one run is not quarantined or warned about again by the next, whose window moved', async () => {
    const s = site();
    const first = await s.run('sacct-20261121.sacct');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /^warning: quarantined .*sacct: job 5014: expected 26 \|-separated fields/m);
    // The next night: a newer job first, so every line moves down and the window starts later.
    const grown = join(s.dir, 'next.sacct');
    const newer = '5030|5030|tango|work|normal|proj-a|users|1000|alice|1001|2026-11-21T20:00:00|2026-11-21T20:00:00|2026-11-21T20:01:00|2026-11-21T21:01:00|01:00:00|0:0|COMPLETED|1|4|4|8G|billing=4,cpu=4,mem=8G,node=1|billing=4,cpu=4,mem=8G,node=1|02:00:00|tango-cn02|later';
    writeFileSync(grown, `${newer}\n${readFileSync(join(FIXTURES, 'slurm', 'tango', 'sacct-20261121.sacct'), 'utf8')}`);
    const second = await s.run('sacct-20261121.sacct', { FAKE_SACCT_OUTPUT: grown });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^tango job 2026-11-21T21:01:00Z: added 1, modified 0, removed 0, unchanged 13\b/m);
    assert.doesNotMatch(second.stderr, /quarantined/, 'warned once');
    assert.equal(readOnly(s.db, (conn) => conn.prepare("SELECT count(*) FROM rejects WHERE source = 'tango'").pluck().get()), 1, 'stored once');
  });

  it('a sacct that fails: exit 1 with its message; one that is missing: exit 1 saying so', async () => {
    const s = site();
    const failing = await s.run('sacct-20261121.sacct', { FAKE_SACCT_EXIT: '1', FAKE_SACCT_STDERR: 'sacct: error: Problem talking to the database: Connection refused' });
    assert.equal(failing.code, 1);
    assert.match(failing.stderr, /sacct -S \S+: exited with code 1: sacct: error: Problem talking to the database/);
    const { dir } = workspace();
    writeFileSync(join(dir, 'usage-etl.yaml'), 'sources:\n  tango:\n    kind: slurm\n    command: /nonexistent/sacct\n');
    const missing = await runCli(['ingest'], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot run \/nonexistent\/sacct: not found \(set command: in the source\)/);
  });
});
