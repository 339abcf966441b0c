// Slurm accounting (SPEC §4.1.4, §5 job): `sacct --parsable2 --noheader` in the 26-field order,
// `sacct --json` of old and new Slurm versions, and reporting-unified `hpc.slurm` messages.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../src/errors.ts';
import type { ParsedRecord } from '../src/sources/hpc/record.ts';
import { hostlist } from '../src/sources/slurm/hostlist.ts';
import { parseSacctJson } from '../src/sources/slurm/json.ts';
import { parseSacctParsable, SACCT_FIELDS, SACCT_FORMAT } from '../src/sources/slurm/parsable.ts';
import { listDumpFiles } from '../src/sources/files/list.ts';
import { formatInstant } from '../src/time.ts';
import { ingestDumps } from './support/ingest.ts';
import { readDumps, surveyFile } from './support/read.ts';
import { FIXTURES, runCli, tempDir, workspace } from './support/cli.ts';

const TANGO = join(FIXTURES, 'slurm', 'tango');
const JSON_DIR = join(FIXTURES, 'slurm', 'tango-json');

/** One sacct row in our field order; `over` replaces fields by name. */
function row(over: Partial<Record<(typeof SACCT_FIELDS)[number], string>> = {}): string {
  const cells: Record<string, string> = {
    jobid: '5001', jobidraw: '5001', cluster: 'tango', partition: 'work', qos: 'normal', account: 'proj-a', group: 'users',
    gid: '1000', user: 'alice', uid: '1001', submit: '2026-11-20T01:00:00', eligible: '2026-11-20T01:00:30',
    start: '2026-11-20T01:02:00', end: '2026-11-20T03:02:00', elapsed: '02:00:00', exitcode: '0:0', state: 'COMPLETED',
    nnodes: '2', ncpus: '8', reqcpus: '8', reqmem: '16G', reqtres: 'billing=8,cpu=8,mem=16G,node=2',
    alloctres: 'billing=8,cpu=8,mem=16G,node=2', timelimit: '04:00:00', nodelist: 'tango-cn[01-02]', jobname: 'relax',
    ...over,
  };
  return SACCT_FIELDS.map((name) => cells[name]).join('|');
}

const parse = (line: string) => parseSacctParsable(line, { cluster: 'source-name' });

function jobs(result: ParsedRecord): Record<string, unknown>[] {
  assert.equal(result.kind, 'jobs', JSON.stringify(result));
  return result.kind === 'jobs' ? result.records.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>) : [];
}
const one = (line: string) => jobs(parse(line))[0]!;

async function read(paths: string[]) {
  const { snapshots, skipped } = await readDumps(paths, { privacy: { mode: 'keep' } });
  const records = snapshots.flatMap((s) =>
    [...s.records].map(([key, r]) => {
      const [cluster, job_id, submit] = JSON.parse(key) as string[];
      return { cluster, job_id, submit, source: s.source, ...(JSON.parse(r.json) as Record<string, unknown>) } as Record<string, unknown>;
    }),
  );
  return { snapshots, records, skipped: Object.fromEntries(skipped) };
}

describe('sacct --parsable2 --noheader rows', () => {
  it('reads the 26 fields into a job; times are UTC', () => {
    const j = one(row());
    assert.deepEqual(
      [j.cluster, j.job_id, j.user, j.group, j.account, j.queue, j.state, j.exit_status],
      ['tango', '5001', 'alice', 'users', 'proj-a', 'work', 'COMPLETED', 0],
    );
    assert.deepEqual([j.submit, j.eligible, j.start, j.end], ['2026-11-20T01:00:00Z', '2026-11-20T01:00:30Z', '2026-11-20T01:02:00Z', '2026-11-20T03:02:00Z']);
    assert.deepEqual([j.nodes, j.cores, j.walltime_s, j.cpu_seconds], [2, 8, 7200, 8 * 7200]);
    assert.deepEqual(j.hosts, ['tango-cn01', 'tango-cn02']);
    assert.deepEqual([j.req_walltime_s, j.req_mem_bytes], [4 * 3600, 16 * 1024 ** 3]);
    assert.equal(j.name, 'relax');
    const at = parse(row());
    assert.equal(at.kind === 'jobs' && formatInstant(at.at), '2026-11-20T03:02:00Z', 'a row is logged at its end');
  });

  it('keeps a | inside the job name (the last field)', () => {
    assert.equal(one(row({ jobname: 'prep|post|final' })).name, 'prep|post|final');
  });

  it('takes the cluster from the row, else the source name', () => {
    assert.equal(one(row({ cluster: '' })).cluster, 'source-name');
  });

  it('skips job steps, unfinished jobs and jobs that never ran, each with its reason', () => {
    for (const jobid of ['5001.batch', '5001.extern', '5001.0', '5002_4.batch', '5016+0.0']) {
      assert.deepEqual(parse(row({ jobid })), { kind: 'skip', reason: 'job steps (only whole jobs count)' }, jobid);
    }
    assert.deepEqual(parse(row({ state: 'RUNNING', end: 'Unknown' })), { kind: 'skip', reason: 'unfinished jobs (state RUNNING)' });
    assert.deepEqual(parse(row({ state: 'PENDING', start: 'Unknown', end: 'Unknown', nodelist: 'None assigned' })), {
      kind: 'skip',
      reason: 'unfinished jobs (state PENDING)',
    });
    assert.deepEqual(parse(row({ end: 'Unknown' })), { kind: 'skip', reason: 'unfinished jobs (no end time)' });
    assert.deepEqual(parse(row({ state: 'CANCELLED by 1001', start: 'None', nodelist: 'None assigned' })), {
      kind: 'skip',
      reason: 'jobs that never ran (node list "None assigned")',
    });
  });

  it('reads every final state, CANCELLED by N as CANCELLED', () => {
    for (const state of ['COMPLETED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']) {
      assert.equal(one(row({ state })).state, state);
    }
    assert.equal(one(row({ state: 'CANCELLED by 1001' })).state, 'CANCELLED');
    assert.equal(parse(row({ state: 'EXPLODED' })).kind, 'reject');
  });

  it('reads exit codes, a signal as 256 + its number (as PBS reports it)', () => {
    assert.equal(one(row({ exitcode: '1:0' })).exit_status, 1);
    assert.equal(one(row({ exitcode: '0:15' })).exit_status, 271);
  });

  it('keeps array task and heterogeneous job ids, and splits a not-yet-split array', () => {
    assert.equal(one(row({ jobid: '5002_4', jobidraw: '5006' })).job_id, '5002_4');
    assert.equal(one(row({ jobid: '5016+1', jobidraw: '5017' })).job_id, '5016+1');
    assert.deepEqual(jobs(parse(row({ jobid: '5012_[1-3]' }))).map((j) => j.job_id), ['5012_1', '5012_2', '5012_3']);
    assert.deepEqual(jobs(parse(row({ jobid: '5013_[1,4-5%2]' }))).map((j) => j.job_id), ['5013_1', '5013_4', '5013_5']);
  });

  it('reads durations D-HH:MM:SS, HH:MM:SS and MM:SS; UNLIMITED is no limit', () => {
    assert.equal(one(row({ timelimit: '1-00:00:00' })).req_walltime_s, 86400);
    assert.equal(one(row({ timelimit: '2-12:30:00' })).req_walltime_s, 2 * 86400 + 12 * 3600 + 1800);
    assert.equal(one(row({ timelimit: '30:00' })).req_walltime_s, 1800);
    assert.equal(one(row({ timelimit: 'UNLIMITED' })).req_walltime_s, undefined);
    assert.equal(one(row({ timelimit: 'Partition_Limit' })).req_walltime_s, undefined);
  });

  it('reads GPUs from alloctres gres/gpu=N', () => {
    assert.equal(one(row({ alloctres: 'billing=16,cpu=16,gres/gpu=2,gres/gpu:a100=2,mem=64G,node=1' })).gpus, 2);
    assert.equal(one(row()).gpus, undefined);
  });

  it('reads requested memory from reqtres, else ReqMem per node (n) or per cpu (c)', () => {
    assert.equal(one(row({ reqtres: '', reqmem: '4000Mn', nnodes: '2' })).req_mem_bytes, 8000 * 1024 ** 2);
    assert.equal(one(row({ reqtres: '', reqmem: '2Gc', reqcpus: '8' })).req_mem_bytes, 16 * 1024 ** 3);
    assert.equal(one(row({ reqtres: '', reqmem: '4000' })).req_mem_bytes, 4000 * 1024 ** 2);
  });

  it('expands host lists', () => {
    assert.deepEqual(hostlist('nodelist', 'cn[01-03,07],gpu1'), ['cn01', 'cn02', 'cn03', 'cn07', 'gpu1']);
    assert.deepEqual(hostlist('nodelist', 'rack[1-2]-n[1-2]'), ['rack1-n1', 'rack1-n2', 'rack2-n1', 'rack2-n2']);
    // Garbage that would overflow the stack or build a billion names is quarantined with the field.
    assert.throws(() => hostlist('nodelist', 'n[1-200000]'), /nodelist: expands to more than 65536 hosts/);
    assert.throws(() => hostlist('nodelist', 'a[1-1000]b[1-1000]c[1-1000]'), /nodelist: expands to more than 65536 hosts/);
  });

  it('quarantines a row cut short or with a bad time', () => {
    const short = parse('5014|5014|tango|work|normal|proj-a|users|1000|alice');
    assert.equal(short.kind, 'reject');
    assert.match(short.kind === 'reject' ? short.reason : '', new RegExp(`expected 26 \\|-separated fields \\(sacct -o ${SACCT_FORMAT}\\), found 9`));
    const badTime = parse(row({ start: '20/11/2026 01:02' }));
    assert.equal(badTime.kind === 'reject' && badTime.field, 'start');
  });

  it('accepts our header row, and refuses a dump whose columns are in another order', async () => {
    const dir = tempDir();
    const ours = join(dir, 'ours.sacct');
    writeFileSync(ours, `${SACCT_FIELDS.join('|').replace('jobid', 'JobID')}\n${row()}\n`);
    assert.equal((await read([ours])).records.length, 1);
    const other = join(dir, 'other.sacct');
    writeFileSync(other, `User|Partition|JobID|CPUTimeRAW|Start|End\n${row()}\n`);
    await assert.rejects(readDumps([other]), (err: unknown) => err instanceof InputError && err.location === 'line 1' && /are not the expected jobid,jobidraw/.test(err.detail));
  });
});

describe('sacct dumps', () => {
  it('reads a dump: jobs, one quarantined row with its line, skipped rows counted', async () => {
    const { snapshots, records, skipped } = await read([join(TANGO, 'sacct-20261121.sacct')]);
    assert.equal(snapshots.length, 1);
    assert.equal(snapshots[0]!.source, 'tango', 'named after its folder');
    assert.equal(formatInstant(snapshots[0]!.takenAt), '2026-11-20T15:20:10Z', 'taken at its latest end');
    assert.deepEqual(records.map((r) => r.job_id), ['5001', '5002_1', '5002_2', '5005', '5009', '5010', '5011', '5012_1', '5012_2', '5012_3', '5015', '5016+0', '5016+1']);
    assert.deepEqual(snapshots[0]!.rejects.map((r) => r.location), ['line 16']);
    assert.deepEqual(skipped, {
      'job steps (only whole jobs count)': 3,
      'unfinished jobs (state RUNNING)': 1,
      'unfinished jobs (state PENDING)': 1,
      'jobs that never ran (node list "None assigned")': 2,
    });
    const gpu = records.find((r) => r.job_id === '5011')!;
    assert.deepEqual([gpu.state, gpu.exit_status, gpu.gpus, gpu.queue], ['TIMEOUT', 271, 2, 'gpu']);
  });

  it('surveys a dump as a stream to read in its turn', async () => {
    const survey = await surveyFile(join(TANGO, 'sacct-20261121.sacct'));
    assert.equal(survey.kind, 'ledger');
  });
});

describe('typed GPUs (issue 13: a typed GRES was dropped)', () => {
  const TYPED = join(FIXTURES, 'real-shapes', 'slurm-typed-gres');

  it('--parsable2: gres/gpu when present, else the sum of the gres/gpu:<type> entries, never both', async () => {
    const { records } = await read([join(TYPED, 'sacct-20261122.sacct')]);
    // 8001 p100=1; 8002 volta=2; 8003 tesla=4; 8004 a100=1 + h100=2 = 3; 8005 gpu=2 beside a100=2: 2, not 4.
    assert.deepEqual(records.map((r) => [r.job_id, r.gpus]), [['8001', 1], ['8002', 2], ['8003', 4], ['8004', 3], ['8005', 2]]);
  });

  it('--json of Slurm 25.05: tres.allocated {type: gres, name: gpu:a100} counts', async () => {
    const { records } = await read([join(TYPED, 'sacct-2505-20261121.json')]);
    // 7001 gpu:a100=4; 7002 gpu=2 beside gpu:a100=2: 2; 7003 gpu:a100=1 + gpu:h100=2 = 3.
    assert.deepEqual(records.map((r) => [r.job_id, r.gpus]), [['7001', 4], ['7002', 2], ['7003', 3]]);
  });
});

describe('unknown Slurm states (issue 13)', () => {
  it('quarantines each job in a state we do not know, naming line, field and state, and loads the rest', async () => {
    const { dir } = workspace();
    const file = join(FIXTURES, 'real-shapes', 'slurm-unknown-state', 'sacct-20261122.sacct');
    const run = await runCli(['ingest', '--dump', file, '--source', 'tango'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^tango job .*: added 1, modified 0, removed 0, unchanged 0, rejected 2/m);
    for (const line of [1, 3]) assert.match(run.stderr, new RegExp(`quarantined .*sacct-20261122\\.sacct: line ${line}: state: .*found "FOO"`));
    const status = await runCli(['status'], { cwd: dir });
    assert.match(status.stdout, /sacct-20261122\.sacct: line 3: state: expected a Slurm job state such as COMPLETED, found "FOO"/);
  });

  it('quarantines a file whose every job is in an unknown state, instead of refusing it whole', async () => {
    // Before, a file with no job read had no time to file its rejects under: exit 1, nothing quarantined.
    const { dir } = workspace();
    const file = join(FIXTURES, 'real-shapes', 'slurm-unknown-state', 'sacct-all-unknown-20261123.sacct');
    const run = await runCli(['ingest', '--dump', file, '--source', 'tango'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^tango job 2026-11-23T00:06:00Z: added 0, modified 0, removed 0, unchanged 0, rejected 2/m);
    const status = await runCli(['status'], { cwd: dir });
    for (const line of [1, 2]) assert.match(status.stdout, new RegExp(`sacct-all-unknown-20261123\\.sacct: line ${line}: state: .*found "FOO"`));
  });

  it('does the same in sacct --json, where the whole file was refused before', async () => {
    const { dir } = workspace();
    const json = JSON.parse(readFileSync(join(JSON_DIR, 'sacct-20261121.json'), 'utf8')) as { jobs: { state: { current: string[] } }[] };
    json.jobs[0]!.state.current = ['FOO'];
    const file = join(dir, 'sacct-foo.json');
    writeFileSync(file, JSON.stringify(json));
    const run = await runCli(['ingest', '--dump', file, '--source', 'tango'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /added 2, modified 0, removed 0, unchanged 0, rejected 1/);
    assert.match(run.stderr, /quarantined .*sacct-foo\.json: jobs\[0\]: state: .*found "FOO"/);
  });

  it('quarantines every job of a sacct --json file whose jobs are all in unknown states', async () => {
    const { dir } = workspace();
    const json = JSON.parse(readFileSync(join(FIXTURES, 'real-shapes', 'slurm-typed-gres', 'sacct-2505-20261121.json'), 'utf8')) as {
      jobs: { state: { current: string[] } }[];
    };
    for (const job of json.jobs) job.state.current = ['FOO'];
    const file = join(dir, 'sacct-all-foo.json');
    writeFileSync(file, JSON.stringify(json));
    const run = await runCli(['ingest', '--dump', file, '--source', 'tango'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /added 0, modified 0, removed 0, unchanged 0, rejected 3/);
    for (const i of [0, 1, 2]) assert.match(run.stderr, new RegExp(`quarantined .*sacct-all-foo\\.json: jobs\\[${i}\\]: state: .*found "FOO"`));
  });
});

describe('sacct --json', () => {
  it('reads Slurm 24.05 output: wrapped numbers, state lists, array tasks, GPUs; skips what did not finish or run', async () => {
    const { snapshots, records, skipped } = await read([join(JSON_DIR, 'sacct-20261121.json')]);
    assert.equal(snapshots[0]!.source, 'tango-json');
    assert.deepEqual(
      records.map((r) => [r.cluster, r.job_id, r.submit, r.state, r.cores, r.nodes, r.exit_status, r.gpus ?? null]),
      [
        ['tango', '6001', '2026-11-20T01:00:00Z', 'COMPLETED', 8, 1, 0, null],
        ['tango', '6002_1', '2026-11-20T04:00:00Z', 'COMPLETED', 2, 1, 0, null],
        ['tango', '6004', '2026-11-20T09:00:00Z', 'TIMEOUT', 32, 1, 271, 4],
      ],
    );
    const first = records[0]!;
    assert.deepEqual([first.walltime_s, first.cpu_seconds, first.cput_s, first.req_walltime_s, first.req_mem_bytes], [7200, 57600, 50000, 14400, 16 * 1024 ** 3]);
    assert.deepEqual(records[2]!.hosts, ['tango-gpu01', 'tango-gpu02']);
    assert.deepEqual(skipped, { 'unfinished jobs (state RUNNING)': 1, 'jobs that never ran (node list "None assigned")': 1 });
  });

  it('reads Slurm 21.08 output: bare numbers, state as a string', async () => {
    const { records } = await read([join(JSON_DIR, 'sacct-2108-20261119.json')]);
    assert.deepEqual(
      records.map((r) => [r.cluster, r.job_id, r.state, r.cores, r.nodes, r.cpu_seconds, r.cput_s, r.req_walltime_s]),
      [['oldtango', '700', 'COMPLETED', 4, 2, 4 * 1800, 3500, 3600]],
    );
  });

  it('reads one job object as a live collector would hand it over', () => {
    const doc = JSON.parse(readFileSync(join(JSON_DIR, 'sacct-20261121.json'), 'utf8')) as { jobs: unknown[] };
    const result = parseSacctJson(doc.jobs[1], { cluster: 'x' });
    assert.equal(result.kind === 'jobs' && result.records[0]!.job_id, '6002_1');
    assert.equal(parseSacctJson('nonsense', { cluster: 'x' }).kind, 'reject');
  });

  it('reads a document too large to parse whole, streamed, to the same history', async () => {
    const whole = tempDir();
    const streamed = tempDir();
    const file = join(JSON_DIR, 'sacct-20261121.json');
    assert.equal((await runCli(['ingest', '--dump', file], { cwd: whole })).code, 0);
    // The limit is lowered for this run only, so the streamed reader handles the file.
    const run = await ingestDumps(join(streamed, 'usage.db'), [file], { wholeJsonLimit: 600 });
    assert.equal(run.code, 0, run.stderr.join('\n'));
    assert.match(run.stdout.join('\n'), /tango-json job 2026-11-20T10:00:20Z: added 3,/);
    const exportArgs = ['export', '--from', '2026-11-19', '--to', '2026-11-21', '--type', 'job', '--stdout'];
    const a = await runCli(exportArgs, { cwd: whole });
    const b = await runCli(exportArgs, { cwd: streamed });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout.trim().split('\n').length, 4);
    assert.equal(b.stdout, a.stdout);
  });
});

describe('reporting-unified hpc.slurm messages', () => {
  it('reads data.jobs with cpu_seconds as text; the start stands in for the missing submit time', async () => {
    const { snapshots, records } = await read([join(FIXTURES, 'hpc-envelopes', 'hpc-slurm-20261121.json')]);
    assert.deepEqual(
      records.map((r) => [r.cluster, r.job_id, r.submit, r.start, r.cpu_seconds, r.walltime_s, r.queue]),
      [
        ['tango-head.example.org', '7001', '2026-11-20T15:11:02Z', '2026-11-20T15:11:02Z', 120, 120, 'tango'],
        ['tango-head.example.org', '7002_3', '2026-11-20T16:00:00Z', '2026-11-20T16:00:00Z', 57600, 3600, 'bigmem'],
      ],
    );
    assert.deepEqual(snapshots[0]!.rejects.map((r) => [r.location, r.field, r.reason]), [['[0]: data.jobs[2]', 'start', 'expected a whole number, found "soon"']]);
  });
});
