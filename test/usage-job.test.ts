// SPEC §8.3 usage_job.csv: a canonical job ledger ingested and exported by the real CLI; every
// expected row is worked out by hand in the comments.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempDir } from './support/cli.ts';

const HEADER = 'source,day,user,account,queue,jobs,core_hours,walltime_hours,gpu_hours';

let cwd: string;

async function usage(from: string, to: string): Promise<string> {
  const run = await runCli(['export', '--from', from, '--to', to, '--report', 'usage', '--type', 'job', '--stdout'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

const body = (csv: string) => csv.slice(csv.indexOf('\n') + 1);

let n = 0;
function job(user: string, account: string | undefined, queue: string, start: string | undefined, end: string, cores: number, gpus?: number) {
  n++;
  return { cluster: 'tango', job_id: String(1000 + n), submit: '2026-10-01T00:00:00Z', user, account, queue, state: 'COMPLETED', start, end, cores, gpus };
}

before(async () => {
  cwd = tempDir();
  const dump = join(cwd, 'jobs.json');
  const resources = [
    // Over midnight: 2 h on the 1st, 3 h on the 2nd, 4 cores.
    job('alice', 'proj-a', 'work', '2026-11-01T22:00:00Z', '2026-11-02T03:00:00Z', 4),
    // Inside the 2nd: 1.5 h, 2 cores.
    job('alice', 'proj-a', 'work', '2026-11-02T10:00:00Z', '2026-11-02T11:30:00Z', 2),
    // GPUs over midnight: 1 h on the 2nd and 1 h on the 3rd, 8 cores, 2 GPUs.
    job('erin', 'proj-ml', 'gpu', '2026-11-02T23:00:00Z', '2026-11-03T01:00:00Z', 8, 2),
    // GPUs unknown: 1 h on the 3rd, 1 core.
    job('erin', 'proj-ml', 'gpu', '2026-11-03T02:00:00Z', '2026-11-03T03:00:00Z', 1),
    // Never started (deleted while queued): counted, no hours.
    job('bob', 'proj-b', 'work', undefined, '2026-11-03T05:00:00Z', 1),
    // Started on the 3rd, ends 42 days after the range: 12 h on the 3rd, 10 cores.
    job('carol', 'proj-c', 'long', '2026-11-03T12:00:00Z', '2026-12-15T00:00:00Z', 10),
    // No account; 9 seconds = 2500 micro-hours = 0.0025 h.
    job('dave', undefined, 'debug', '2026-11-01T00:00:00Z', '2026-11-01T00:00:09Z', 1),
    // One second each side of midnight, 3 cores: off the 3.6 ms grid (1 s = 277.78 micro-hours).
    job('gus', 'proj-g', 'work', '2026-11-01T23:59:59Z', '2026-11-02T00:00:01Z', 3),
    // Started before the range: 2 h of it on the 1st, 2 cores.
    job('judy', 'proj-j', 'work', '2026-10-31T20:00:00Z', '2026-11-01T02:00:00Z', 2),
    // Wholly before and wholly after the range: nothing.
    job('ivan', 'proj-i', 'work', '2026-10-31T10:00:00Z', '2026-10-31T12:00:00Z', 1),
    job('hana', 'proj-h', 'work', '2026-11-04T01:00:00Z', '2026-11-04T02:00:00Z', 1),
  ];
  writeFileSync(dump, JSON.stringify({ source: 'tango', resource_type: 'job', taken_at: '2026-12-16T00:00:00Z', complete: true, resources }));
  const run = await runCli(['ingest', '--dump', dump], { cwd });
  assert.equal(run.code, 0, run.stderr);
});

describe('usage_job.csv', () => {
  it('clips each job to each day, counts it on the day it ends, and sums core and GPU hours', async () => {
    assert.equal(
      await usage('2026-11-01', '2026-11-03'),
      [
        HEADER,
        // alice's first job, 22:00-24:00: 2 h × 4 cores = 8; it ends on the 2nd, so 0 jobs here.
        'tango,2026-11-01,alice,proj-a,work,0,8,2,',
        // No account: an empty cell, sorted as the empty string. 0.0025 h × 1 core.
        'tango,2026-11-01,dave,,debug,1,0.0025,0.0025,',
        // 23:59:59 -> the grid point 278 micro-hours before midnight: 0.000278 h, × 3 cores = 0.000834.
        'tango,2026-11-01,gus,proj-g,work,0,0.000834,0.000278,',
        // 00:00-02:00 of it inside the range: 2 h × 2 cores = 4; it ends here.
        'tango,2026-11-01,judy,proj-j,work,1,4,2,',
        // alice: 3 h × 4 + 1.5 h × 2 = 15 core-hours, 4.5 wall hours, 2 jobs ended.
        'tango,2026-11-02,alice,proj-a,work,2,15,4.5,',
        // erin: 23:00-24:00, 1 h × 8 cores = 8, × 2 GPUs = 2.
        'tango,2026-11-02,erin,proj-ml,gpu,0,8,1,2',
        // gus: 278 micro-hours after midnight again; ends here.
        'tango,2026-11-02,gus,proj-g,work,1,0.000834,0.000278,',
        // bob's job never started: 1 job, 0 hours (cores known: 0, not empty).
        'tango,2026-11-03,bob,proj-b,work,1,0,0,',
        // carol: 12:00-24:00 = 12 h × 10 cores = 120; it ends in December: 0 jobs.
        'tango,2026-11-03,carol,proj-c,long,0,120,12,',
        // erin: 00:00-01:00 × 8 cores + 02:00-03:00 × 1 core = 9 core-hours, 2 h, 2 jobs;
        // GPU hours of the job that gave its GPUs only: 1 h × 2.
        'tango,2026-11-03,erin,proj-ml,gpu,2,9,2,2',
        '',
      ].join('\n'),
    );
  });

  it('gives each day the same rows whether exported alone or in a range', async () => {
    const range = await usage('2026-11-01', '2026-11-03');
    const days: string[] = [];
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) days.push(await usage(day, day));
    // Each 1-day export reads jobs ending after it for their hours (alice's, erin's, gus's, carol's).
    assert.equal(days.map(body).join(''), body(range));
    assert.equal(body(range).split('\n').length - 1, 10, 'the rows of the test above');
  });
});
