// SPEC §8.3 usage_storage.csv: canonical snapshots of every storage type ingested and exported by the
// real CLI; every expected row is worked out by hand in the comments.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempDir } from './support/cli.ts';

const HEADER = 'source,day,resource_type,owner,max_bytes,end_bytes,max_files,end_files';
const STORAGE = ['filesystem', 'fs_usage', 'hcp_namespace', 'swift_account', 'virtual_volume', 'xfs_quota'];

let cwd: string;

function snapshot(dir: string, source: string, type: string, takenAt: string, resources: object[]): void {
  const file = join(dir, `${source}-${type}-${takenAt.replace(/:/g, '')}.json`);
  writeFileSync(file, JSON.stringify({ source, resource_type: type, taken_at: takenAt, complete: true, resources }));
}

async function usage(from: string, to: string, source: string, types = STORAGE): Promise<string> {
  const args = ['export', '--from', from, '--to', to, '--report', 'usage', ...types.flatMap((t) => ['--type', t]), '--source', source, '--stdout'];
  const run = await runCli(args, { cwd });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

const csv = (...rows: string[]) => [HEADER, ...rows].map((row) => `${row}\n`).join('');

before(async () => {
  cwd = tempDir();
  const dumps = join(cwd, 'dumps');
  mkdirSync(dumps);
  const swift = (account: string, bytes: number, objects: number) => ({ account, bytes, objects, containers: 1 });
  // swift-sa: four snapshots; AUTH_z is all zeros throughout.
  snapshot(dumps, 'swift-sa', 'swift_account', '2026-11-01T12:00:00Z', [swift('AUTH_a', 100, 10), swift('AUTH_b', 50, 5), swift('AUTH_d', 500, 50), swift('AUTH_z', 0, 0)]);
  snapshot(dumps, 'swift-sa', 'swift_account', '2026-11-03T06:00:00Z', [swift('AUTH_a', 300, 12), swift('AUTH_b', 80, 8), swift('AUTH_d', 400, 40), swift('AUTH_z', 0, 0)]);
  // AUTH_b is gone at 12:00 (one of four: no mass removal).
  snapshot(dumps, 'swift-sa', 'swift_account', '2026-11-03T12:00:00Z', [swift('AUTH_a', 200, 30), swift('AUTH_d', 400, 40), swift('AUTH_z', 0, 0)]);
  snapshot(dumps, 'swift-sa', 'swift_account', '2026-11-04T01:00:00Z', [swift('AUTH_a', 200, 30), swift('AUTH_c', 7, 1), swift('AUTH_d', 400, 40), swift('AUTH_z', 0, 0)]);

  // nfs1: values beyond 2^53 as digits. As doubles 9007199254740992 and ...993 are equal (both ...992),
  // and ...995 is ...996: only exact comparison gets these maxima right.
  const quota = (username: string, used: number | string) => ({ host: 'nfs1', filesystem: '/home', username, used_bytes: used, hard_bytes: 10 });
  snapshot(dumps, 'nfs1', 'xfs_quota', '2026-11-10T00:00:00Z', [quota('alice', 5), quota('Zed', '9007199254740992')]);
  snapshot(dumps, 'nfs1', 'xfs_quota', '2026-11-10T08:00:00Z', [quota('alice', '9007199254740995'), quota('Zed', '9007199254740993')]);
  snapshot(dumps, 'nfs1', 'xfs_quota', '2026-11-10T16:00:00Z', [quota('alice', '9007199254740994'), quota('Zed', 7)]);

  // hnas1: two types of one source, on two days.
  const fsBig = { host: 'hnas1', name: 'fs-big', capacity_bytes: '18014398509481987', free_bytes: 2, files: 1000, ffree: 400 };
  const fsLive = (live: number) => ({ host: 'hnas1', name: 'fs-live', capacity_bytes: 1000, free_bytes: 100, live_usage_bytes: live });
  const vv = (usage: number) => ({ filesystem: 'fs-big', name: 'proj-1', owner: 'acct', files: 12, usage_bytes: usage, quota_bytes: 10_000 });
  snapshot(dumps, 'hnas1', 'filesystem', '2026-11-10T02:00:00Z', [fsBig, fsLive(850)]);
  snapshot(dumps, 'hnas1', 'virtual_volume', '2026-11-10T02:00:00Z', [vv(4096)]);
  snapshot(dumps, 'hnas1', 'filesystem', '2026-11-11T02:00:00Z', [fsBig, fsLive(900)]);
  snapshot(dumps, 'hnas1', 'virtual_volume', '2026-11-11T02:00:00Z', [vv(8192)]);

  snapshot(dumps, 'hcp1', 'hcp_namespace', '2026-11-10T03:00:00Z', [
    { tenant: 'research', namespace: 'genomics', ingested_bytes: 1000, raw_bytes: 1500, objects: 3 },
    { tenant: 'research', namespace: '__total__', ingested_bytes: 2000, objects: 4 },
  ]);

  snapshot(dumps, 'fs1', 'fs_usage', '2026-11-10T04:00:00Z', [
    { host: 'fs1', filesystem: '/scratch', owner: 'alice', project: 'hpcusers', blocks: 10, bytes: 40960, files: 7 },
    { host: 'fs1', filesystem: '/scratch', owner: '20417', project: '5010', blocks: 0, bytes: 0, files: 0 },
  ]);

  const run = await runCli(['ingest', '--dump', dumps], { cwd });
  assert.equal(run.code, 0, run.stderr);
});

describe('usage_storage.csv', () => {
  it('gives the day maximum and the end-of-day value, carried from before --from, and no rows after the last snapshot', async () => {
    assert.equal(
      await usage('2026-11-02', '2026-11-06', 'swift-sa', ['swift_account']),
      csv(
        // No snapshot on the 2nd: the state of the 1st, 12:00, carried forward. AUTH_z is all zero: no row.
        'swift-sa,2026-11-02,swift_account,AUTH_a,100,100,10,10',
        'swift-sa,2026-11-02,swift_account,AUTH_b,50,50,5,5',
        'swift-sa,2026-11-02,swift_account,AUTH_d,500,500,50,50',
        // AUTH_a: bytes max(100 carried, 300 at 06:00, 200 at 12:00) = 300, end 200; objects max(10, 12, 30) = 30, end 30.
        'swift-sa,2026-11-03,swift_account,AUTH_a,300,200,30,30',
        // AUTH_b: max(50 carried, 80 at 06:00) = 80, removed at 12:00: end empty.
        'swift-sa,2026-11-03,swift_account,AUTH_b,80,,8,',
        // AUTH_d: the carried 500 is the day's maximum; 400 at its end.
        'swift-sa,2026-11-03,swift_account,AUTH_d,500,400,50,40',
        'swift-sa,2026-11-04,swift_account,AUTH_a,200,200,30,30',
        // AUTH_c added at 01:00 (owner = the account, files = objects).
        'swift-sa,2026-11-04,swift_account,AUTH_c,7,7,1,1',
        'swift-sa,2026-11-04,swift_account,AUTH_d,400,400,40,40',
        // The 5th and 6th are after the last snapshot (the 4th): no rows.
      ),
    );
  });

  it('compares and writes values beyond 2^53 exactly, owners ordered byte-wise', async () => {
    assert.equal(
      await usage('2026-11-10', '2026-11-10', 'nfs1', ['xfs_quota']),
      csv(
        // Owner host:filesystem:username; no files for XFS quotas. 'Z' (0x5A) sorts before 'a' (0x61).
        // Zed: max(9007199254740992, 9007199254740993, 7) = 9007199254740993; end 7.
        'nfs1,2026-11-10,xfs_quota,nfs1:/home:Zed,9007199254740993,7,,',
        // alice: max(5, 9007199254740995, 9007199254740994) = 9007199254740995; end 9007199254740994.
        'nfs1,2026-11-10,xfs_quota,nfs1:/home:alice,9007199254740995,9007199254740994,,',
      ),
    );
  });

  it('merges the storage types of one source day by day, with each type\'s owner and quantities', async () => {
    assert.equal(
      await usage('2026-11-10', '2026-11-11', 'hnas1'),
      csv(
        // filesystem, owner host:name. fs-big: no live usage, so capacity − free =
        // 18014398509481987 − 2 = 18014398509481985 (a double would give ...984); files − ffree = 1000 − 400 = 600.
        'hnas1,2026-11-10,filesystem,hnas1:fs-big,18014398509481985,18014398509481985,600,600',
        // fs-live: live_usage_bytes 850 (not capacity − free = 900); no files.
        'hnas1,2026-11-10,filesystem,hnas1:fs-live,850,850,,',
        // virtual_volume, owner filesystem:name: usage_bytes 4096, files 12.
        'hnas1,2026-11-10,virtual_volume,fs-big:proj-1,4096,4096,12,12',
        // The 11th: both types again, after the 10th's.
        'hnas1,2026-11-11,filesystem,hnas1:fs-big,18014398509481985,18014398509481985,600,600',
        // max(850 carried, 900) = 900.
        'hnas1,2026-11-11,filesystem,hnas1:fs-live,900,900,,',
        'hnas1,2026-11-11,virtual_volume,fs-big:proj-1,8192,8192,12,12',
      ),
    );
    assert.equal(
      await usage('2026-11-10', '2026-11-10', 'hcp1'),
      csv(
        // Owner tenant/namespace; '_' (0x5F) before 'g'. __total__ has no raw_bytes: its ingested 2000.
        'hcp1,2026-11-10,hcp_namespace,research/__total__,2000,2000,4,4',
        // genomics: raw_bytes 1500 (what HCP bills), not ingested 1000; files = objects.
        'hcp1,2026-11-10,hcp_namespace,research/genomics,1500,1500,3,3',
      ),
    );
    assert.equal(
      await usage('2026-11-10', '2026-11-10', 'fs1'),
      csv(
        // Owner host:filesystem:owner/project; 20417/5010 is all zero: no row.
        'fs1,2026-11-10,fs_usage,fs1:/scratch:alice/hpcusers,40960,40960,7,7',
      ),
    );
  });
});
