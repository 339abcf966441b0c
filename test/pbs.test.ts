// PBS/Torque and PBS Pro accounting logs (SPEC §4.1.4, §5 job): every rule of the line parser, the
// server's time zone, the reading of whole log files and directories, and reporting-unified
// `pbs.accounting.log` messages.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { InputError } from '../src/errors.ts';
import type { ParsedRecord } from '../src/sources/hpc/record.ts';
import { parsePbsLine } from '../src/sources/pbs/line.ts';
import { listDumpFiles } from '../src/sources/files/list.ts';
import { formatInstant } from '../src/time.ts';
import { readDumps, surveyFile } from './support/read.ts';
import { FIXTURES, runCli, tempDir, workspace } from './support/cli.ts';

const EMU = join(FIXTURES, 'pbs', 'emu');
const LYRA = join(FIXTURES, 'pbs', 'lyra');

/** One E record with the given attributes, ended at 2026-11-21 02:00:00 on the server's clock. */
const E = (attrs: string, id = '42.emu-head') => `11/21/2026 02:00:00;E;${id};${attrs}`;
const BASE = 'user=alice group=physics queue=workq ctime=1795226000 qtime=1795226100 etime=1795226200 start=1795226400 end=1795230000';

function job(result: ParsedRecord): Record<string, unknown> {
  assert.equal(result.kind, 'jobs', JSON.stringify(result));
  if (result.kind !== 'jobs') throw new Error('unreachable');
  assert.equal(result.records.length, 1);
  // Drop the fields the line did not give (undefined), as the normaliser will.
  return JSON.parse(JSON.stringify(result.records[0])) as Record<string, unknown>;
}

const parse = (line: string, timezone?: string) => parsePbsLine(line, { cluster: 'emu', timezone });

async function read(paths: string[], timezone?: string) {
  const { snapshots, skipped } = await readDumps(paths, { timezone: () => timezone, privacy: { mode: 'keep' } });
  // Key parts (cluster, job_id) are not stored fields: put them back for the assertions.
  const records = snapshots.flatMap((s) =>
    [...s.records].map(([key, r]) => {
      const [cluster, job_id] = JSON.parse(key) as string[];
      return { key: JSON.parse(key) as string[], cluster, job_id, ...(JSON.parse(r.json) as Record<string, unknown>) } as Record<string, unknown>;
    }),
  );
  return { snapshots, records, skipped: Object.fromEntries(skipped) };
}

function write(dir: string, name: string, text: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('PBS accounting log lines', () => {
  it('reads an E record as a finished job, keyed by cluster, job id and submit (ctime) time', () => {
    const j = job(parse(E(`${BASE} exec_host=n1/0+n1/1 Exit_status=0 jobname=relax.sh`)));
    assert.equal(j.cluster, 'emu');
    assert.equal(j.job_id, '42.emu-head');
    assert.equal(j.submit, '2026-11-21T01:53:20Z', 'ctime, not qtime');
    assert.equal(j.eligible, '2026-11-21T01:56:40Z');
    assert.equal(j.start, '2026-11-21T02:00:00Z');
    assert.equal(j.end, '2026-11-21T03:00:00Z');
    assert.equal(j.state, 'EXITED');
    assert.equal(j.exit_status, 0);
    assert.equal(j.name, 'relax.sh', 'the job name is read (stored only with private_fields: keep)');
  });

  it('skips every record type other than E, naming the type', () => {
    for (const type of ['Q', 'S', 'D', 'A', 'R', 'L']) {
      const result = parse(`11/21/2026 02:00:00;${type};42.emu-head;queue=workq`);
      assert.deepEqual(result, { kind: 'skip', reason: `PBS accounting records of type ${type} (only E, job end, records are jobs)` });
    }
  });

  it('reads keys in any case', () => {
    const j = job(parse(E(`${BASE} EXEC_HOST=n1/0-3 EXIT_STATUS=2 Resources_Used.Mem=1gb RESOURCE_LIST.WALLTIME=01:00:00`)));
    assert.equal(j.cores, 4);
    assert.equal(j.exit_status, 2);
    assert.equal(j.mem_bytes, 1024 ** 3);
    assert.equal(j.req_walltime_s, 3600);
  });

  it('counts cores and nodes from every exec_host form', () => {
    const placement = (execHost: string) => {
      const j = job(parse(E(`${BASE} exec_host=${execHost}`)));
      return { cores: j.cores, nodes: j.nodes, hosts: j.hosts };
    };
    // Torque: one entry per core.
    assert.deepEqual(placement('n1/0+n1/1+n2/0+n2/1'), { cores: 4, nodes: 2, hosts: ['n1', 'n2'] });
    // Torque 5: ranges and lists of cores.
    assert.deepEqual(placement('n1/0-3+n2/0-7'), { cores: 12, nodes: 2, hosts: ['n1', 'n2'] });
    assert.deepEqual(placement('n1/0,2,4-5'), { cores: 4, nodes: 1, hosts: ['n1'] });
    // PBS Pro: host/index*count.
    assert.deepEqual(placement('cn01/0*4+cn02/0*4'), { cores: 8, nodes: 2, hosts: ['cn01', 'cn02'] });
  });

  it('falls back to PBS Pro exec_vnode, then to the requested cpus', () => {
    const vnode = job(parse(E(`${BASE} exec_vnode=(cn03[0]:ncpus=2:ngpus=1)+(cn03[1]:ncpus=2)+(cn04:ncpus=4:mem=8gb)`)));
    assert.deepEqual([vnode.cores, vnode.nodes, vnode.hosts], [8, 2, ['cn03', 'cn04']]);
    const listed = job(parse(E(`${BASE} Resource_List.ncpus=6 Resource_List.nodect=2`)));
    assert.deepEqual([listed.cores, listed.nodes], [6, 2]);
  });

  it('charges cpu_seconds as cores × (end − start), not the logged walltime', () => {
    const j = job(parse(E(`${BASE} exec_host=n1/0-3 resources_used.walltime=01:00:05 resources_used.cput=03:50:10`)));
    assert.equal(j.walltime_s, 3600, 'end − start');
    assert.equal(j.cpu_seconds, 4 * 3600);
    assert.equal(j.cput_s, 3 * 3600 + 50 * 60 + 10);
  });

  it('keeps array subjob ids and skips the array-wide summary record', () => {
    assert.equal(job(parse(E(BASE, '1003[4].emu-head'))).job_id, '1003[4].emu-head');
    assert.equal(job(parse(E(BASE, '77'))).job_id, '77');
    assert.deepEqual(parse(E(BASE, '1003[].emu-head')), { kind: 'skip', reason: 'PBS job array summary records (each subjob has its own)' });
    const bad = parse(E(BASE, 'job-x'));
    assert.equal(bad.kind, 'reject');
    assert.match(bad.kind === 'reject' ? bad.reason : '', /expected a PBS job id such as 123\.server/);
  });

  it('reads memory in bytes, kb..tb and 8-byte words', () => {
    const mem = (value: string) => job(parse(E(`${BASE} resources_used.mem=${value}`))).mem_bytes;
    assert.equal(mem('512'), 512, 'a bare number is bytes');
    assert.equal(mem('512b'), 512);
    assert.equal(mem('2569184kb'), 2569184 * 1024);
    assert.equal(mem('3MB'), 3 * 1024 ** 2);
    assert.equal(mem('1.5gb'), 1.5 * 1024 ** 3);
    assert.equal(mem('2tb'), 2 * 1024 ** 4);
    assert.equal(mem('10w'), 80);
    assert.equal(mem('1kw'), 8 * 1024);
    assert.equal(mem('1mw'), 8 * 1024 ** 2);
    assert.equal(mem('1gw'), 8 * 1024 ** 3);
    assert.equal(mem('9000000tb'), '9895604649984000000', 'beyond 2^53: exact, as text');
  });

  it('reads durations as HH:MM:SS (past 24 hours) or as seconds', () => {
    const cput = (value: string) => job(parse(E(`${BASE} resources_used.cput=${value}`))).cput_s;
    assert.equal(cput('719:00:00'), 719 * 3600);
    assert.equal(cput('00:16:40'), 1000);
    assert.equal(cput('3600'), 3600);
  });

  it('reads requested memory, walltime and GPUs (PBS Pro ngpus, Torque gpus per node)', () => {
    const pro = job(parse(E(`${BASE} Resource_List.mem=16gb Resource_List.walltime=24:00:00 Resource_List.ngpus=2`)));
    assert.deepEqual([pro.req_mem_bytes, pro.req_walltime_s, pro.gpus], [16 * 1024 ** 3, 86400, 2]);
    const torque = job(parse(E(`${BASE} exec_host=n1/0-7+n2/0-7 Resource_List.nodes=2:ppn=8:gpus=1`)));
    assert.equal(torque.gpus, 2);
  });

  it('reads PBS Pro quoted values and its account, and ignores the default project', () => {
    const j = job(parse(E(`${BASE} jobname="hello world" account="proj x" project=_pbs_project_default`)));
    assert.equal(j.name, 'hello world');
    assert.equal(j.account, 'proj x');
    assert.equal(job(parse(E(`${BASE} project=_pbs_project_default`))).account, undefined);
    assert.equal(job(parse(E(`${BASE} project=astro`))).account, 'astro');
  });

  it('takes the user from owner when user is missing', () => {
    assert.equal(job(parse(E('ctime=1795226000 start=1795226400 end=1795230000 owner=bob@login1'))).user, 'bob');
  });

  it('quarantines a line that does not read, naming the field', () => {
    assert.deepEqual(parse('11/20/2026 11:0'), {
      kind: 'reject',
      reason: 'not a PBS accounting record (expected MM/DD/YYYY HH:MM:SS;TYPE;JOBID;key=value ...), found "11/20/2026 11:0"',
    });
    const badMem = parse(E(`${BASE} resources_used.mem=lots`));
    assert.equal(badMem.kind, 'reject');
    if (badMem.kind === 'reject') {
      assert.equal(badMem.field, 'resources_used.mem');
      assert.equal(badMem.at, Date.parse('2026-11-21T02:00:00Z'), 'a quarantined line keeps its time');
    }
    assert.equal(parse(E(`${BASE} exec_host=n1/x`)).kind, 'reject');
    assert.equal(parse(E(`${BASE} ctime=yesterday`)).kind, 'reject');
    assert.equal(parse('02/30/2026 02:00:00;E;1.x;user=a').kind, 'reject');
    assert.equal(parse('   ').kind, 'blank');
  });
});

describe('the server time zone', () => {
  it('reads line times as UTC by default', () => {
    const result = parse(E(BASE));
    assert.equal(result.kind === 'jobs' && formatInstant(result.at), '2026-11-21T02:00:00Z');
  });

  it('reads line times in the source timezone, daylight saving included', () => {
    const at = (line: string) => {
      const result = parse(line, 'Australia/Adelaide');
      return result.kind === 'jobs' ? formatInstant(result.at) : result.kind;
    };
    // November is ACDT (+10:30), June is ACST (+09:30).
    assert.equal(at(E(BASE)), '2026-11-20T15:30:00Z');
    assert.equal(at(`06/21/2026 02:00:00;E;42.x;${BASE}`), '2026-06-20T16:30:00Z');
    // The job's own times are epoch seconds: no zone applies to them.
    const j = job(parse(E(BASE), 'Australia/Adelaide'));
    assert.equal(j.end, '2026-11-21T03:00:00Z');
  });

  it('takes a log file as taken at its latest record, on the server clock', async () => {
    const utc = await read([join(EMU, '20261120')]);
    const adelaide = await read([join(EMU, '20261120')], 'Australia/Adelaide');
    assert.equal(formatInstant(utc.snapshots[0]!.takenAt), '2026-11-20T13:01:00Z');
    // In the right zone the latest record's line time is its own end time (13:01 ACDT = 02:31 UTC).
    assert.equal(formatInstant(adelaide.snapshots[0]!.takenAt), '2026-11-20T02:31:00Z');
  });

  it('refuses a file whose source names an unknown time zone', async () => {
    await assert.rejects(
      readDumps([join(EMU, '20261120')], { timezone: () => 'Mars/Olympus' }),
      (err: unknown) => err instanceof InputError && /timezone of source emu: unknown time zone "Mars\/Olympus"/.test(err.message),
    );
  });
});

describe('PBS log files', () => {
  it('reads a Torque log: its jobs, its quarantined lines with line numbers, its skipped records counted', async () => {
    const { snapshots, records, skipped } = await read([join(EMU, '20261120')]);
    assert.equal(snapshots.length, 1);
    const [snapshot] = snapshots;
    assert.equal(snapshot!.source, 'emu', 'named after its folder');
    assert.deepEqual(records.map((r) => r.job_id), ['1001.emu-head', '1002.emu-head', '1003[4].emu-head']);
    assert.deepEqual(
      snapshot!.rejects.map((r) => [r.location, r.field ?? null]),
      [
        ['line 6', null],
        ['line 9', 'resources_used.mem'],
      ],
    );
    assert.ok(snapshot!.rejects.every((r) => r.file.endsWith('20261120')));
    assert.deepEqual(skipped, {
      'PBS accounting records of type S (only E, job end, records are jobs)': 2,
      'PBS accounting records of type Q (only E, job end, records are jobs)': 1,
      'PBS accounting records of type D (only E, job end, records are jobs)': 1,
    });
    const md = records.find((r) => r.job_id === '1002.emu-head')!;
    assert.deepEqual([md.cores, md.nodes, md.cpu_seconds, md.exit_status, md.gpus], [16, 2, 16 * 4 * 3600, 271, 2]);
  });

  it('reads a PBS Pro log', async () => {
    const { records, skipped } = await read([join(LYRA, '20261121')]);
    assert.deepEqual(
      records.map((r) => [r.job_id, r.cores, r.nodes, r.hosts, r.name]),
      [
        ['2001.lyra-pbs', 8, 2, ['lyra-cn01', 'lyra-cn02'], 'hello world'],
        ['2002[3].lyra-pbs', 2, 1, ['lyra-cn03'], 'sweep'],
      ],
    );
    assert.equal(skipped['PBS accounting records of type L (only E, job end, records are jobs)'], 1);
    assert.equal(skipped['PBS job array summary records (each subjob has its own)'], 1);
  });

  it('reads a gzip-compressed log by its content', async () => {
    const dir = tempDir();
    const file = write(dir, '20261120.gz', gzipSync(`${E(`${BASE} exec_host=n1/0`)}\n`));
    const { records } = await read([file]);
    assert.equal(records.length, 1);
  });

  it('refuses a file in which no line reads at all', async () => {
    const dir = tempDir();
    const file = write(dir, '20261122', `${E('user=a')}\nnot a log line\n`.replace(/^.*\n/, 'not a log line either\n'));
    await assert.rejects(readDumps([file]), (err: unknown) => err instanceof InputError);
  });

  it('picks up YYYYMMDD files in a directory, and nothing unrelated', async () => {
    const dir = join(tempDir(), 'accounting');
    mkdirSync(dir);
    for (const name of ['20261120', '20261121.gz', 'README', 'notes.txt', '2026112', '20261121.bak', '.20261119']) write(dir, name, 'x');
    const names = (await listDumpFiles([dir])).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(names, ['20261120', '20261121.gz']);
  });

  it('surveys a log as a stream to read in its turn, ordered by its first record', async () => {
    const survey = await surveyFile(join(EMU, '20261121'));
    assert.equal(survey.kind, 'ledger');
    if (survey.kind === 'ledger') {
      assert.equal(survey.source, 'emu');
      assert.equal(survey.type.name, 'job');
      assert.equal(formatInstant(survey.firstAt!), '2026-11-20T10:40:00Z');
    }
  });
});

describe('real PBS logs that read wrong (issue 13)', () => {
  it('takes cores from exec_vnode when PBS Pro logs exec_host=host/0*0, and GPUs however the node spec spells them', async () => {
    const { records } = await read([join(FIXTURES, 'real-shapes', 'pbs-gpus', '20261122')]);
    assert.deepEqual(
      records.map((r) => [r.job_id, r.cores, r.nodes, r.cpu_seconds, r.gpus]),
      [
        // exec_vnode 24 + 24 = 48 cores over start 1795317000 .. end 1795320600 = 3600 s: 48 × 3600 = 172 800.
        ['9101.corvus-pbs', 48, 1, 172_800, 2],
        // nodes=1:gpu=1 on one node: 1 GPU; 12 cores × 3600 s = 43 200.
        ['9102.corvus-head', 12, 1, 43_200, 1],
        // nodes=1:gpu=1:gpu (a node property after the count): 1 GPU.
        ['9103.corvus-head', 12, 1, 43_200, 1],
        // nodect=1:ppn=24:gpu=4:gpuq: 1 node, 4 GPUs; 24 cores × 3600 s = 86 400.
        ['9104.corvus-head', 24, 1, 86_400, 4],
      ],
    );
  });

  it('falls back from a zero exec count to resources_used.ncpus, then Resource_List.ncpus', () => {
    const used = job(parse(E(`${BASE} exec_host=cn01/0*0 resources_used.ncpus=16 Resource_List.ncpus=32`)));
    assert.equal(used.cores, 16);
    const listed = job(parse(E(`${BASE} exec_host=cn01/0*0 Resource_List.ncpus=32`)));
    assert.equal(listed.cores, 32);
  });
});

describe('reporting-unified pbs.accounting.log messages', () => {
  it('reads exited jobs (exec_host as a host map), skips the rest by reason, quarantines a bad one', async () => {
    const { snapshots, records, skipped } = await read([join(FIXTURES, 'hpc-envelopes', 'pbs-accounting-20261121.json')]);
    assert.equal(snapshots.length, 1, 'one snapshot per file and source, not one per message');
    assert.equal(snapshots[0]!.source, 'emu-head.example.org');
    assert.equal(formatInstant(snapshots[0]!.takenAt), '2026-11-21T01:06:00Z', 'the latest message');
    assert.deepEqual(records.map((r) => [r.key, r.cores, r.nodes, r.cpu_seconds, r.mem_bytes]), [
      [['emu-head.example.org', '3001.emu-head', '2026-11-21T00:00:00Z'], 8, 2, 8 * 3600, 2569184 * 1024],
    ]);
    assert.deepEqual(snapshots[0]!.rejects.map((r) => [r.location, r.field]), [['[2]: data[0]', 'resources_used.mem']]);
    assert.deepEqual(skipped, {
      'pbs.accounting.log messages of jobs that have not ended (state started)': 1,
      'pbs.accounting.log messages of jobs that have not ended (state queued)': 1,
      're-delivered messages': 1,
    });
  });
});

describe('input that once stopped a whole run', () => {
  it('quarantines times no date can hold, and counts beyond 2^53, naming the field', () => {
    const huge = parse(E('user=a ctime=1795226000 start=99999999999999 end=1795230000'));
    assert.equal(huge.kind, 'reject');
    if (huge.kind === 'reject') assert.equal(huge.field, 'start');
    assert.equal(parse(E(`${BASE} exec_host=n1/0*1000000000000000000000`)).kind, 'reject');
    assert.equal(parse(E(`${BASE} Exit_status=12345678901234567891`)).kind, 'reject');
  });

  it('reads an exec_host given as text in a message, and quarantines one that is neither text nor a host map', async () => {
    const dir = tempDir();
    const message = (id: string, execHost: unknown) => ({
      id,
      session: 's',
      schema: 'pbs.accounting.log',
      version: 1,
      data: { timestamp: 1795230000, hostname: 'emu-head', state: 'exited', jobid: `${id}.emu-head`, user: 'a', ctime: 1795226000, start: 1795226400, end: 1795230000, exec_host: execHost },
    });
    const file = write(dir, 'msgs.json', JSON.stringify([message('1', 'n1/0+n2/0-3'), message('2', 7), message('3', { n1: 'lots' })]));
    const { records, snapshots } = await read([file]);
    assert.deepEqual(records.map((r) => [r.job_id, r.cores, r.nodes]), [['1.emu-head', 5, 2]]);
    assert.deepEqual(snapshots[0]!.rejects.map((r) => r.field), ['exec_host', 'exec_host']);
  });

  it('counts an hpc.slurm message without a jobs list instead of dropping it unseen', async () => {
    const file = write(tempDir(), 'slurm.json', JSON.stringify({ id: 'x', session: 's', schema: 'hpc.slurm', version: 1, data: { timestamp: 1795230000, hostname: 'tango', jobs: { a: 1 } } }));
    const { skipped } = await read([file]);
    assert.deepEqual(skipped, { 'hpc.slurm messages without a jobs list': 1 });
  });

  it('a log of many bad lines is quarantined batch by batch, without a stack overflow', async () => {
    const { dir, db } = workspace();
    const bad = Array.from({ length: 120_000 }, (_, i) => E(`${BASE} exec_host=n1/x`, `${i}.emu-head`));
    write(dir, '20261121', [E(BASE), ...bad].join('\n'));
    const result = await runCli(['-q', '--db', db, 'ingest', '--dump', join(dir, '20261121'), '--source', 'emu'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /\.\.\. and 119995 more quarantined records/);
    const status = await runCli(['--db', db, 'status'], { cwd: dir });
    assert.match(status.stdout, /emu \/ job\s+1\s+\d+\s.*120000$/m, 'one job stored, every bad line quarantined');
  });
});
