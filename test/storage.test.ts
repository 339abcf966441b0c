// Storage and CRM reporting-unified messages (SPEC §4.1.3, §5): xfs.quota.report, hnas.filesystems,
// hcp.chargeback, swift / swift.usage, filesystem.usage and crm, read as each producer sends them.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { listDumpFiles } from '../src/sources/files/list.ts';
import type { Snapshot } from '../src/snapshot.ts';
import type { PrivacyMode } from '../src/types/normalise.ts';
import { formatInstant } from '../src/time.ts';
import { ingestDumps } from './support/ingest.ts';
import { readDumps } from './support/read.ts';
import { FIXTURES, runCli, tempDir, workspace } from './support/cli.ts';

const STORAGE = join(FIXTURES, 'storage');

async function read(paths: string[], mode: PrivacyMode = 'drop') {
  const { snapshots, skipped } = await readDumps(paths, { privacy: { mode, hashKey: 'k' } });
  const all = (type: string) => snapshots.filter((s) => s.type.name === type);
  return { snapshots, all, find: (type: string) => all(type)[0]!, skipped: Object.fromEntries(skipped) };
}

/** The stored record of one key, as its fields. */
function record(s: Snapshot, ...key: string[]): Record<string, unknown> {
  const found = s.records.get(key.length === 1 ? key[0]! : JSON.stringify(key));
  assert.ok(found, `no record ${key.join(' / ')} in ${[...s.records.keys()].join(', ')}`);
  return JSON.parse(found.json) as Record<string, unknown>;
}

/** One message in a file of its own, as a producer would write it. */
function message(schema: string, data: Record<string, unknown>, name = `${schema}.json`): string {
  const file = join(tempDir(), name);
  writeFileSync(file, JSON.stringify({ id: `m-${schema}`, session: 's', schema, version: 1, data: { timestamp: 1795140000, hostname: 'host1', ...data } }));
  return file;
}

describe('xfs.quota.report', () => {
  it('reads every file system of the host report, from 1 KiB blocks to bytes, keeping #uid users', async () => {
    const { all } = await read([join(STORAGE, 'xfs-quota-hpc-nfs1.jsonl')]);
    const [day1, day2] = all('xfs_quota');
    assert.equal(day1!.source, 'hpc-nfs1.sa.example.org');
    assert.equal(formatInstant(day1!.takenAt), '2026-11-20T02:00:00Z');
    assert.equal(day1!.complete, true);
    assert.equal(day1!.records.size, 5);
    assert.deepEqual(record(day1!, 'hpc-nfs1.sa.example.org', '/home/users', 'shundezh'), {
      used_bytes: 2540188 * 1024,
      soft_bytes: 47185920 * 1024,
      hard_bytes: 52428800 * 1024,
    });
    assert.deepEqual(record(day1!, 'hpc-nfs1.sa.example.org', '/home/users', '#20417'), { used_bytes: 53248, soft_bytes: 0, hard_bytes: 0 });
    assert.equal(day2!.records.size, 4, 'the next night, klara is gone');
  });

  it('multiplies a KiB count beyond 2^53 exactly', async () => {
    const file = message('xfs.quota.report', {});
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '"hostname":"host1"',
        '"hostname":"host1","filesystems":[{"filesystem":"/big","quota":[{"username":"u","used":9007199254740993,"soft":0,"hard":0}]}]',
      ),
    );
    const { find } = await read([file]);
    assert.equal(record(find('xfs_quota'), 'host1', '/big', 'u').used_bytes, '9223372036854776832');
  });

  it('removes nothing after a file system entry without its quota list', async () => {
    const { find } = await read([message('xfs.quota.report', { filesystems: [{ filesystem: '/a', quota: [{ username: 'u', used: 1, soft: 0, hard: 0 }] }, { filesystem: '/b' }] })]);
    assert.equal(find('xfs_quota').records.size, 1);
    assert.equal(find('xfs_quota').complete, false);
    assert.match(find('xfs_quota').incompleteBecause.join(), /data\.filesystems\[1\]\.quota is missing/);
  });
});

describe('hnas.filesystems', () => {
  it('reads file systems whose numbers are text, and skips the re-delivered copy', async () => {
    const { find, skipped } = await read([join(STORAGE, 'hnas-filesystems.json')]);
    const fs = find('filesystem');
    assert.equal(fs.complete, true);
    assert.deepEqual(record(fs, 'hnas-collector.sa.example.org', 'fs-home'), {
      capacity_bytes: 107374182400000,
      free_bytes: 42949672960000,
      live_usage_bytes: 53687091200000,
      snapshot_usage_bytes: 10737418240000,
    });
    assert.deepEqual(skipped, { 're-delivered messages': 1 });
  });

  it('turns virtual volume MiB floats into whole bytes and strips a leading / from names', async () => {
    const { find } = await read([join(STORAGE, 'hnas-filesystems.json')]);
    const volumes = find('virtual_volume');
    assert.deepEqual([...volumes.records.keys()].sort(), [JSON.stringify(['fs-home', 'proj-1024']), JSON.stringify(['fs-home', 'scratch-team'])]);
    assert.deepEqual(record(volumes, 'fs-home', 'proj-1024'), { owner: 'proj1024', files: 12345, usage_bytes: 1611137024, quota_bytes: 1099511627776 });
    // 117.73756885528564 MiB, and no owner: an empty account is none.
    assert.deepEqual(record(volumes, 'fs-home', 'scratch-team'), { files: 3, usage_bytes: 123456789, quota_bytes: 214748364800 });
    assert.equal(volumes.complete, true, 'fs-archive lists no volumes: it has none');
  });

  it('is a complete, empty virtual volume snapshot when no file system lists any', async () => {
    const { find } = await read([message('hnas.filesystems', { filesystems: { fs1: { capacity: '10', free: '5', 'live-fs-used': '5', 'snapshot-used': '0' } } })]);
    assert.equal(find('virtual_volume').records.size, 0);
    assert.equal(find('virtual_volume').complete, true);
  });
});

describe('hcp.chargeback', () => {
  it('keys each tenant list by tenant and namespace, the entry without one as __total__', async () => {
    const { find } = await read([join(STORAGE, 'hcp-chargeback.json')]);
    const s = find('hcp_namespace');
    assert.deepEqual([...s.records.keys()].map((k) => (JSON.parse(k) as string[]).join('/')).sort(), [
      'dev/__total__',
      'dev/unisatest',
      'research-4321/__total__',
      'research-4321/genomics',
    ]);
    assert.equal(s.complete, true);
  });

  it('converts each time by its own offset (either side of daylight saving) and keeps 2^53 + 1 exact', async () => {
    const { find } = await read([join(STORAGE, 'hcp-chargeback.json')]);
    const genomics = record(find('hcp_namespace'), 'research-4321', 'genomics');
    assert.equal(genomics.period_start, '2026-08-31T14:30:00Z'); // +0930, winter
    assert.equal(genomics.period_end, '2026-11-20T02:00:00Z'); // +1030, summer
    assert.equal(genomics.raw_bytes, '9007199254740993');
    assert.equal(genomics.tiered_bytes, 1048576);
    const dev = record(find('hcp_namespace'), 'dev', 'unisatest');
    assert.equal(dev.period_start, '2026-04-04T15:30:00Z'); // +09:30
  });

  it('counts missing metadata-only and tiered figures as 0', async () => {
    const { find } = await read([join(STORAGE, 'hcp-chargeback.json')]);
    const total = record(find('hcp_namespace'), 'research-4321', '__total__');
    assert.deepEqual([total.metadata_only_objects, total.metadata_only_bytes, total.tiered_objects, total.tiered_bytes], [0, 0, 0, 0]);
  });

  it('quarantines an entry whose time has no zone, naming the field', async () => {
    const entry = { namespaceName: 'ns', startTime: '2026-09-01T00:00:00', endTime: '2026-11-20T12:30:00+1030', storageCapacityUsed: 1 };
    const { find } = await read([message('hcp.chargeback', { t1: [entry] })]);
    assert.deepEqual(find('hcp_namespace').rejects.map((r) => `${r.location} ${r.field}`), ['$: data.t1[0] period_start']);
  });
});

describe('swift and swift.usage', () => {
  it('reads accounts at the top level and nested under data.swift, as AUTH_<project>', async () => {
    const { all } = await read([join(STORAGE, 'swift-usage.jsonl')]);
    const [top, nested] = all('swift_account');
    assert.deepEqual([...top!.records.keys()].sort(), ['AUTH_0c8f2a6d4e1b4f3a9c7d5e2b1a0f9e8d', 'AUTH_b7e04d9e2f3a4a7c8e516c2d9f0e1b02']);
    assert.deepEqual(record(top!, 'AUTH_0c8f2a6d4e1b4f3a9c7d5e2b1a0f9e8d'), { bytes: 10485760, containers: 1, objects: 5, quota_bytes: 1099511627776 });
    assert.equal(nested!.records.size, 2);
    assert.equal(formatInstant(nested!.takenAt), '2026-11-21T02:15:00Z');
  });

  it('skips a null account (no account for that project) without failing or losing completeness', async () => {
    const { find } = await read([join(STORAGE, 'swift-usage.jsonl')]);
    assert.equal(find('swift_account').skipped, 1);
    assert.equal(find('swift_account').complete, true);
  });

  it('keeps a byte count of 2^53 + 1 exact', async () => {
    const { find } = await read([join(STORAGE, 'swift-usage.jsonl')]);
    assert.equal(record(find('swift_account'), 'AUTH_b7e04d9e2f3a4a7c8e516c2d9f0e1b02').bytes, '9007199254740993');
  });
});

describe('filesystem.usage', () => {
  it('reads statvfs fields, with capacity and free space in bytes, and usage per owner and project', async () => {
    const { all } = await read([join(STORAGE, 'filesystem-usage-hpc-fs1.jsonl')]);
    const home = all('filesystem')[0]!;
    assert.deepEqual(record(home, 'hpc-fs1.sa.example.org', '/home'), {
      capacity_bytes: 2441406250 * 4096,
      free_bytes: 2000000000 * 4096,
      bsize: 4096,
      frsize: 4096,
      blocks: 2441406250,
      bfree: 2000000000,
      bavail: 1900000000,
      files: 312500000,
      ffree: 310000000,
      favail: 310000000,
    });
    const usage = all('fs_usage')[0]!;
    assert.deepEqual(record(usage, 'hpc-fs1.sa.example.org', '/home', '20417', '5010'), { blocks: 13, bytes: 53248, files: 2 });
  });

  it('is complete for its own file system only: scoped to the host and that file system', async () => {
    const { all } = await read([join(STORAGE, 'filesystem-usage-hpc-fs1.jsonl')]);
    const host = 'hpc-fs1.sa.example.org';
    assert.deepEqual(all('fs_usage').map((s) => [s.complete, s.scope]), [
      [true, { host, filesystem: '/home' }],
      [true, { host, filesystem: '/scratch' }],
    ]);
    assert.deepEqual(all('filesystem').map((s) => s.scope), [{ host, name: '/home' }, { host, name: '/scratch' }]);
  });
});

describe('crm', () => {
  it('reads organisations with their names and contacts without their private fields', async () => {
    const { find } = await read([join(STORAGE, 'crm.json')]);
    assert.deepEqual(record(find('organisation'), '1001'), { name: 'University of Adelaide' });
    assert.deepEqual(record(find('contact'), '2001'), { organisations: [1001, 1002] });
    assert.deepEqual(record(find('contact'), '2002'), {});
  });

  it('keeps names, e-mails and username when the source keeps private fields', async () => {
    const { find } = await read([join(STORAGE, 'crm.json')], 'keep');
    assert.deepEqual(record(find('contact'), '2001'), {
      organisations: [1001, 1002],
      first_name: 'Joe',
      last_name: 'Bloggs',
      emails: ['j.bloggs@adelaide.example.edu', 'joe@example.org'],
      username: 'jbloggs',
    });
    assert.deepEqual(record(find('contact'), '2002'), { first_name: 'Ann', last_name: 'Other' });
  });
});

describe('messages that hold nothing this version reads', () => {
  it('are skipped and counted when their schema is not read', async () => {
    const { snapshots, skipped } = await read([message('xfs.stat', { xfs: { rw: { xs_write_calls: '1' } } })]);
    assert.equal(snapshots.length, 0);
    assert.deepEqual(skipped, { 'messages of schema xfs.stat (not read by this version)': 1 });
  });

  it('are skipped and counted, not read as an empty report, when the list their schema reads is missing', async () => {
    const users = [{ username: 'alice', used: 1024, soft: 0, hard: 0 }];
    const { snapshots, skipped } = await read([message('xfs.quota.report', { filesystem: '/data', users })]);
    assert.equal(snapshots.length, 0);
    assert.deepEqual(skipped, { 'xfs.quota.report messages without a filesystems list': 1 });
  });
});

describe('the CLI with the storage fixtures', () => {
  let cwd: string;
  const csv = (name: string) => readFileSync(join(cwd, 'out', name), 'utf8');
  /** Rows of a CSV without quoted cells, as objects keyed by the header. */
  const rows = (name: string) => {
    const [header, ...lines] = csv(name).trimEnd().split('\n');
    const names = header!.split(',');
    return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [names[i], value])));
  };
  const flags = (r: Record<string, string>) =>
    ['is_added', 'is_modified', 'is_removed'].filter((f) => r[f] === 'true').map((f) => f.slice(3)).join('+') || '-';

  before(async () => {
    ({ dir: cwd } = workspace());
    const ingest = await runCli(['ingest', '--dump', STORAGE], { cwd });
    assert.equal(ingest.code, 0, ingest.stderr);
    const exported = await runCli(['export', '--from', '2026-11-20', '--to', '2026-11-21', '--out', 'out'], { cwd });
    assert.equal(exported.code, 0, exported.stderr);
  });

  it('writes one CSV per type with the documented columns', () => {
    const headers = {
      'xfs_quota.csv': 'host,filesystem,username,used_bytes,soft_bytes,hard_bytes',
      'virtual_volume.csv': 'filesystem,name,owner,files,usage_bytes,quota_bytes',
      'filesystem.csv': 'host,name,capacity_bytes,free_bytes,live_usage_bytes,snapshot_usage_bytes,bsize,frsize,blocks,bfree,bavail,files,ffree,favail',
      'hcp_namespace.csv':
        'tenant,namespace,ingested_bytes,raw_bytes,reads,writes,deletes,objects,bytes_in,bytes_out,metadata_only_objects,metadata_only_bytes,tiered_objects,tiered_bytes,period_start,period_end',
      'swift_account.csv': 'bytes,containers,objects,quota_bytes',
      'fs_usage.csv': 'host,filesystem,owner,project,blocks,bytes,files',
      'organisation.csv': 'name',
      'contact.csv': 'organisations',
    };
    for (const [file, columns] of Object.entries(headers)) {
      assert.equal(csv(file).split('\n')[0], `source,resource_type,stats_on_date,id,${columns},is_added,is_modified,is_removed`, file);
    }
  });

  it('shows the next night of quotas: a user gone, a usage grown, #uid users kept', () => {
    const home = rows('xfs_quota.csv').filter((r) => r.stats_on_date === '2026-11-21' && r.filesystem === '/home/users');
    assert.deepEqual(
      home.map((r) => `${r.username} ${r.used_bytes} ${flags(r)}`),
      ['#20417 53248 -', 'klara 0 removed', `shundezh ${3145728 * 1024} modified`],
    );
  });

  it('exports 2^53 + 1 bytes digit for digit, also when the dump is streamed', async () => {
    assert.match(csv('swift_account.csv'), /,2026-11-20,AUTH_b7e04d9e2f3a4a7c8e516c2d9f0e1b02,9007199254740993,3,1200,,true,false,false\n/);
    assert.match(csv('hcp_namespace.csv'), /,research-4321\/genomics,research-4321,genomics,9007199254000000,9007199254740993,/);
    // An archive batch (a list of messages) over the limit is streamed message by message.
    const streamed = workspace().dir;
    const batch = join(streamed, 'batch.json');
    writeFileSync(batch, `[${readFileSync(join(STORAGE, 'hcp-chargeback.json'), 'utf8')}]`);
    const run = await ingestDumps(join(streamed, 'usage.db'), [batch], { wholeJsonLimit: 600 });
    assert.equal(run.code, 0, run.stderr.join('\n'));
    const out = await runCli(['export', '--from', '2026-11-20', '--to', '2026-11-20', '--type', 'hcp_namespace', '--stdout'], { cwd: streamed });
    assert.match(out.stdout, /,genomics,9007199254000000,9007199254740993,/);
  });

  it('keeps the /home usage when the /scratch message of the same host comes', () => {
    assert.deepEqual(
      rows('fs_usage.csv').map((r) => `${r.stats_on_date} ${r.filesystem} ${r.owner}/${r.project} ${r.bytes} ${flags(r)}`),
      [
        '2026-11-20 /home 20417/5010 53248 added',
        '2026-11-20 /home alice/hpcusers 8388608 added',
        '2026-11-20 /scratch alice/hpcusers 41943040 added',
      ],
    );
    assert.deepEqual(
      rows('filesystem.csv').map((r) => `${r.source} ${r.name} ${r.capacity_bytes}`),
      [
        'hnas-collector.sa.example.org fs-archive 219902325555200',
        'hnas-collector.sa.example.org fs-home 107374182400000',
        `hpc-fs1.sa.example.org /home ${2441406250 * 4096}`,
        `hpc-fs1.sa.example.org /scratch ${244140625 * 1048576}`,
      ],
    );
  });

  it('writes virtual volumes, HCP tenants and organisations as the producers named them', () => {
    assert.deepEqual(
      rows('virtual_volume.csv').map((r) => `${r.id} ${r.owner} ${r.usage_bytes} ${r.quota_bytes}`),
      ['fs-home/proj-1024 proj1024 1611137024 1099511627776', 'fs-home/scratch-team  123456789 214748364800'],
    );
    assert.deepEqual(
      rows('hcp_namespace.csv').map((r) => `${r.id} ${r.period_start} ${r.period_end} ${r.tiered_bytes}`),
      [
        'dev/__total__ 2026-04-04T15:30:00Z 2026-11-20T02:00:00Z 0',
        'dev/unisatest 2026-04-04T15:30:00Z 2026-11-20T02:00:00Z 0',
        'research-4321/__total__ 2026-08-31T14:30:00Z 2026-11-20T02:00:00Z 0',
        'research-4321/genomics 2026-08-31T14:30:00Z 2026-11-20T02:00:00Z 1048576',
      ],
    );
    assert.equal(rows('organisation.csv').find((r) => r.id === '1001')!.name, 'University of Adelaide');
  });

  it('leaves contacts\' names, e-mails and usernames out by default, and exports them with private_fields: keep', async () => {
    assert.doesNotMatch(csv('contact.csv'), /Bloggs|jbloggs|example\.edu/);
    const { dir } = workspace();
    const file = join(STORAGE, 'crm.json');
    writeFileSync(join(dir, 'usage-etl.yaml'), `sources:\n  crm-collector.sa.example.org:\n    kind: dump\n    path: ${file}\n    private_fields: keep\n`);
    assert.equal((await runCli(['-q', 'ingest', '--dump', file], { cwd: dir })).code, 0);
    const out = await runCli(['export', '--from', '2026-11-20', '--to', '2026-11-20', '--type', 'contact', '--stdout'], { cwd: dir });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.split('\n')[0], 'source,resource_type,stats_on_date,id,organisations,first_name,last_name,emails,username,is_added,is_modified,is_removed');
    assert.match(out.stdout, /,2001,1001 1002,Joe,Bloggs,j\.bloggs@adelaide\.example\.edu joe@example\.org,jbloggs,true,false,false\n/);
  });
});

describe('several producer hosts in one source', () => {
  /** An xfs report of `host` at `at` (epoch s) listing these users, in a file of its own. */
  function report(dir: string, host: string, at: number, users: string[]): void {
    const quota = users.map((username) => ({ username, used: 1024, soft: 0, hard: 0 }));
    const data = { timestamp: at, hostname: host, filesystems: [{ filesystem: '/home', device: '/dev/sdb1', quota }] };
    writeFileSync(join(dir, `${host}-${at}.json`), JSON.stringify({ id: `${host}-${at}`, session: 's', schema: 'xfs.quota.report', version: 1, data }));
  }

  it('a host\'s report removes only that host\'s quotas, even at the same instant as another host\'s', async () => {
    const { dir } = workspace();
    const night1 = join(dir, 'night1');
    const night2 = join(dir, 'night2');
    for (const d of [night1, night2]) mkdirSync(d);
    report(night1, 'nfs1', 1795140000, ['alice', 'bob']);
    report(night1, 'nfs2', 1795140000, ['carol', 'dave']);
    report(night2, 'nfs1', 1795226400, ['alice']);
    report(night2, 'nfs2', 1795226400, ['carol', 'dave']);
    const first = await runCli(['ingest', '--dump', night1, '--source', 'ersa-archive'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.split('\n').filter((l) => / added 2\b/.test(l)).length, 2, first.stdout);
    const second = await runCli(['ingest', '--dump', night2, '--source', 'ersa-archive'], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    const out = await runCli(['export', '--from', '2026-11-21', '--to', '2026-11-21', '--type', 'xfs_quota', '--stdout'], { cwd: dir });
    const present = out.stdout
      .trim()
      .split('\n')
      .slice(1)
      .filter((line) => line.endsWith('false'))
      .map((line) => line.split(',')[6]);
    assert.deepEqual(present.sort(), ['alice', 'carol', 'dave'], 'bob is gone from nfs1; nfs2 kept its quotas');
    assert.match(out.stdout, /,nfs1,\/home,bob,1048576,0,0,false,false,true\n/, "bob removed on that day");
  });
});
