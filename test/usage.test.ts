// The usage report (SPEC §8.3) and the lifecycles report (SPEC §8.4) from snapshot history, each
// scenario a small multi-day sequence of canonical snapshots run through the real CLI, each expected
// CSV worked out by hand in the test, with the arithmetic beside it.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, workspace } from './support/cli.ts';

const VM_HEADER = 'source,day,tenant_id,flavor_id,flavor_name,instances,instance_hours,vcpu_hours,ram_gb_hours,disk_gb_hours,estimated_hours';
const VOLUME_HEADER = 'source,day,tenant_id,volume_type,volumes,volume_gb_hours,estimated_hours';

type Resource = Record<string, unknown>;

/** A history: snapshot time -> resources, per type; written as canonical dumps (SPEC §4.1.1). */
async function history(snapshots: Record<string, Resource[]>, options: { type?: string; source?: string; config?: string; allowMassRemoval?: boolean } = {}) {
  const ws = workspace();
  const dumps = join(ws.dir, 'dumps');
  mkdirSync(dumps);
  Object.entries(snapshots).forEach(([takenAt, resources], i) => {
    const snapshot = { source: options.source ?? 'cloud', resource_type: options.type ?? 'vm', taken_at: takenAt, complete: true, resources };
    writeFileSync(join(dumps, `${String(i).padStart(3, '0')}-${options.type ?? 'vm'}.json`), JSON.stringify(snapshot));
  });
  if (options.config) writeFileSync(join(ws.dir, 'usage-etl.yaml'), options.config);
  const run = await runCli(['ingest', '--dump', dumps, ...(options.allowMassRemoval ? ['--allow-mass-removal'] : [])], { cwd: ws.dir });
  assert.equal(run.code, 0, run.stderr);
  return ws;
}

async function usage(dir: string, from: string, to: string, type = 'vm', report = 'usage'): Promise<string[]> {
  const run = await runCli(['export', '--from', from, '--to', to, '--report', report, '--type', type, '--stdout'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trimEnd().split('\n');
}

/** An ACTIVE instance of tenant t1 with an embedded flavor (Nova >= 2.47). */
const vm = (id: string, over: Resource = {}): Resource => ({
  id,
  status: 'ACTIVE',
  vm_state: 'active',
  tenant_id: 't1',
  flavor_id: 'm1.small',
  vcpus: 2,
  ram_mb: 4096,
  disk_gb: 20,
  created_at: '2026-10-01T09:00:00Z',
  launched_at: '2026-10-01T09:01:00Z',
  ...over,
});

const MEDIUM = { flavor_id: 'm1.medium', vcpus: 4, ram_mb: 8192, disk_gb: 40 };

describe('usage_vm.csv from snapshots', () => {
  it('bills a VM from its launch, mid-day, though first seen the next night', async () => {
    const { dir } = await history({
      '2026-11-01T02:00:00Z': [],
      '2026-11-02T02:00:00Z': [vm('a', { created_at: '2026-11-01T14:20:00Z', launched_at: '2026-11-01T14:30:00Z' })],
      '2026-11-03T02:00:00Z': [vm('a', { created_at: '2026-11-01T14:20:00Z', launched_at: '2026-11-01T14:30:00Z' })],
    });
    assert.deepEqual(await usage(dir, '2026-11-01', '2026-11-03'), [
      VM_HEADER,
      // 14:30 -> 24:00 = 9.5 h (from launched_at, exact; build time not billed): 2 vCPU × 9.5 = 19,
      // 4 GiB × 9.5 = 38, 20 GB × 9.5 = 190.
      'cloud,2026-11-01,t1,m1.small,,1,9.5,19,38,190,0',
      'cloud,2026-11-02,t1,m1.small,,1,24,48,96,480,0',
      // The last snapshot is at 02:00: nothing is billed after it (no extrapolation).
      'cloud,2026-11-03,t1,m1.small,,1,2,4,8,40,0',
    ]);
  });

  it('places a removal between two snapshots at their midpoint, and counts those hours as estimated', async () => {
    // The one VM replaced by another shares no key with what was there: a guard asks for the flag.
    const { dir } = await history(
      {
        '2026-11-01T02:00:00Z': [vm('b')],
        '2026-11-02T02:00:00Z': [vm('b')],
        '2026-11-03T02:00:00Z': [vm('x')],
      },
      { allowMassRemoval: true },
    );
    assert.deepEqual(await usage(dir, '2026-11-02', '2026-11-02'), [
      VM_HEADER,
      // b last seen Nov 2 02:00, gone Nov 3 02:00: removed at the midpoint, Nov 2 14:00. Nov 2 bills
      // 00:00 -> 14:00 = 14 h, of which 02:00 -> 14:00 = 12 h rest on the estimate. x (launched
      // Oct 1 but first listed Nov 3) bills its 24 h from its own launched_at.
      'cloud,2026-11-02,t1,m1.small,,2,38,76,152,760,12',
    ]);
  });

  it('bills the flavor in force in each period: a resize splits the day at the midpoint', async () => {
    const { dir } = await history({
      '2026-11-01T02:00:00Z': [vm('c')],
      '2026-11-02T02:00:00Z': [vm('c')],
      '2026-11-03T02:00:00Z': [vm('c', MEDIUM)],
    });
    assert.deepEqual(await usage(dir, '2026-11-02', '2026-11-03'), [
      VM_HEADER,
      // Seen small at Nov 2 02:00 and medium at Nov 3 02:00: resized at the midpoint, Nov 2 14:00.
      // medium: 14:00 -> 24:00 = 10 h, all estimated (the new flavor is certain only from Nov 3 02:00);
      // 4 vCPU × 10 = 40, 8 GiB × 10 = 80, 40 GB × 10 = 400.
      'cloud,2026-11-02,t1,m1.medium,,1,10,40,80,400,10',
      // small: 00:00 -> 14:00 = 14 h, of which 02:00 -> 14:00 = 12 h estimated; 2 × 14 = 28, 4 × 14 = 56, 20 × 14 = 280.
      'cloud,2026-11-02,t1,m1.small,,1,14,28,56,280,12',
      // Nov 3: medium 00:00 -> 02:00 (the last snapshot) = 2 h, estimated until that snapshot.
      'cloud,2026-11-03,t1,m1.medium,,1,2,8,16,80,2',
    ]);
  });

  it('takes sizes from the flavor list when the server names its flavor only (Nova < 2.47), and names it', async () => {
    const ws = workspace();
    const dumps = join(ws.dir, 'dumps');
    mkdirSync(dumps);
    const flavors = { source: 'cloud', resource_type: 'flavor', taken_at: '2026-11-01T02:00:00Z', resources: [{ id: 'f-12', name: 'm1.large', vcpus: 8, ram_mb: 16384, disk_gb: 80 }] };
    writeFileSync(join(dumps, 'flavors.json'), JSON.stringify(flavors));
    for (const [i, at] of ['2026-11-01T02:00:00Z', '2026-11-02T02:00:00Z'].entries()) {
      const servers = { source: 'cloud', resource_type: 'vm', taken_at: at, resources: [{ id: 'l', status: 'ACTIVE', tenant_id: 't2', flavor_id: 'f-12', launched_at: '2026-10-01T00:00:00Z' }, { id: 'u', status: 'ACTIVE', tenant_id: 't2', flavor_id: 'gone', launched_at: '2026-10-01T00:00:00Z' }] };
      writeFileSync(join(dumps, `servers-${i}.json`), JSON.stringify(servers));
    }
    assert.equal((await runCli(['ingest', '--dump', dumps], { cwd: ws.dir })).code, 0);
    const run = await runCli(['export', '--from', '2026-11-01', '--to', '2026-11-01', '--report', 'usage', '--type', 'vm', '--stdout'], { cwd: ws.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trimEnd().split('\n'), [
      VM_HEADER,
      // f-12 from the flavor list: 8 vCPU × 24 = 192, 16 GiB × 24 = 384, 80 GB × 24 = 1920.
      'cloud,2026-11-01,t2,f-12,m1.large,1,24,192,384,1920,0',
      // No record gives the sizes of `gone`: its instance-hours are billed, its size hours left empty, never zero.
      'cloud,2026-11-01,t2,gone,,1,24,,,,0',
    ]);
    assert.match(run.stderr, /warning: cloud: instances of flavor\(s\) gone billed without known sizes/);
  });

  const powerSequence = {
    '2026-11-01T02:00:00Z': [vm('d')],
    '2026-11-02T02:00:00Z': [vm('d', { status: 'SHUTOFF', vm_state: 'stopped' })],
    '2026-11-03T02:00:00Z': [vm('d', { status: 'SHELVED_OFFLOADED', vm_state: 'shelved_offloaded' })],
    '2026-11-04T02:00:00Z': [vm('d')],
  };

  it('bills a stopped instance but not a shelved-offloaded one, under the default policy', async () => {
    const { dir } = await history(powerSequence);
    assert.deepEqual(await usage(dir, '2026-11-01', '2026-11-04'), [
      VM_HEADER,
      // Stopped is billable by default: no split on Nov 2. Offloaded (seen Nov 3 02:00, stopped at
      // Nov 2 02:00) from the midpoint Nov 2 14:00: Nov 2 bills 14 h, 12 of them (02:00 -> 14:00) estimated.
      'cloud,2026-11-01,t1,m1.small,,1,24,48,96,480,0',
      'cloud,2026-11-02,t1,m1.small,,1,14,28,56,280,12',
      // Unshelved (seen Nov 4 02:00): billed again from the midpoint Nov 3 14:00: 10 h, all estimated.
      'cloud,2026-11-03,t1,m1.small,,1,10,20,40,200,10',
      'cloud,2026-11-04,t1,m1.small,,1,2,4,8,40,2',
    ]);
  });

  it('follows usage.billable_states: billing only active instances stops at the midpoint before the stop', async () => {
    const { dir } = await history(powerSequence, { config: 'usage:\n  billable_states: [active]\n' });
    assert.deepEqual(await usage(dir, '2026-11-01', '2026-11-04'), [
      VM_HEADER,
      // Stopped (seen Nov 2 02:00, active at Nov 1 02:00) from the midpoint Nov 1 14:00: 14 h, 12 estimated.
      'cloud,2026-11-01,t1,m1.small,,1,14,28,56,280,12',
      // Not billed while stopped or offloaded; active again from Nov 3 14:00 as above.
      'cloud,2026-11-03,t1,m1.small,,1,10,20,40,200,10',
      'cloud,2026-11-04,t1,m1.small,,1,2,4,8,40,2',
    ]);
  });

  it('bills nothing for an instance that never launched', async () => {
    const failed = vm('e', { status: 'ERROR', vm_state: 'error', launched_at: null });
    const { dir } = await history({ '2026-11-01T02:00:00Z': [failed], '2026-11-02T02:00:00Z': [failed] });
    assert.deepEqual(await usage(dir, '2026-11-01', '2026-11-02'), [VM_HEADER]);
  });

  it('bills a late launch from launched_at, not from the midpoint', async () => {
    const building = vm('g', { status: 'BUILD', vm_state: 'building', created_at: '2026-11-01T20:00:00Z', launched_at: null });
    const { dir } = await history({
      '2026-11-01T22:00:00Z': [building],
      '2026-11-02T22:00:00Z': [vm('g', { created_at: '2026-11-01T20:00:00Z', launched_at: '2026-11-02T06:00:00Z' })],
    });
    // Building (not billed) at Nov 1 22:00; running, launched Nov 2 06:00, at Nov 2 22:00: billed
    // 06:00 -> 22:00 (the last snapshot) = 16 h, exact (the record says when).
    assert.deepEqual(await usage(dir, '2026-11-01', '2026-11-02'), [VM_HEADER, 'cloud,2026-11-02,t1,m1.small,,1,16,32,64,320,0']);
  });

  it('carries state forward from before --from, and bills nothing after a source stops reporting', async () => {
    const { dir } = await history({ '2026-10-30T02:00:00Z': [vm('h')], '2026-11-02T12:00:00Z': [vm('h')] });
    assert.deepEqual(await usage(dir, '2026-11-01', '2026-11-05'), [
      VM_HEADER,
      'cloud,2026-11-01,t1,m1.small,,1,24,48,96,480,0',
      // The source's last snapshot is Nov 2 12:00: 12 h, and no rows for Nov 3 to 5.
      'cloud,2026-11-02,t1,m1.small,,1,12,24,48,240,0',
    ]);
  });

  it('gives one day the same rows as a month report gives that day, and days that add up', async () => {
    const { dir } = await history({
      '2026-11-01T02:00:00Z': [vm('c'), vm('b')],
      '2026-11-02T02:00:00Z': [vm('c'), vm('b')],
      '2026-11-03T02:00:00Z': [vm('c', MEDIUM)],
      '2026-11-04T02:00:00Z': [vm('c', MEDIUM)],
    });
    const month = (await usage(dir, '2026-11-01', '2026-11-30')).slice(1);
    const days: string[] = [];
    for (const day of ['01', '02', '03', '04']) days.push(...(await usage(dir, `2026-11-${day}`, `2026-11-${day}`)).slice(1));
    assert.deepEqual(days, month);
  });
});

describe('usage_volume.csv from snapshots', () => {
  it('splits a volume at resize and retype, by type name', async () => {
    const volume = (size: number, type: string) => ({ id: 'v', status: 'in-use', tenant_id: 't1', size_gb: size, volume_type: type, created_at: '2026-10-01T00:00:00Z' });
    const { dir } = await history(
      { '2026-11-01T02:00:00Z': [volume(10, 'standard')], '2026-11-02T02:00:00Z': [volume(20, 'standard')], '2026-11-03T02:00:00Z': [volume(20, 'ssd')] },
      { type: 'volume' },
    );
    assert.deepEqual(await usage(dir, '2026-11-01', '2026-11-03', 'volume'), [
      VOLUME_HEADER,
      // Resized 10 -> 20 GB at the midpoint Nov 1 14:00: 10 GB × 14 h + 20 GB × 10 h = 340 GB-h;
      // estimated: 02:00 -> 14:00 (12 h) before the change and 14:00 -> 24:00 (10 h) after it = 22 h.
      'cloud,2026-11-01,t1,standard,1,340,22',
      // Retyped at the midpoint Nov 2 14:00: the standard part is 20 GB × 14 h = 280 GB-h, estimated
      // 00:00 -> 02:00 (after the resize) and 02:00 -> 14:00 (before the retype): 14 h; then ssd
      // 20 GB × 10 h = 200 GB-h, all estimated.
      'cloud,2026-11-02,t1,ssd,1,200,10',
      'cloud,2026-11-02,t1,standard,1,280,14',
      // Up to the last snapshot, Nov 3 02:00: 20 GB × 2 h.
      'cloud,2026-11-03,t1,ssd,1,40,2',
    ]);
  });
});

describe('vm_lifecycles.csv from snapshots', () => {
  it('lists each period with its flavor, class, origin and exactness; an open period has no end', async () => {
    const { dir } = await history({
      '2026-11-01T02:00:00Z': [vm('c')],
      '2026-11-02T02:00:00Z': [vm('c', { status: 'SHELVED_OFFLOADED', vm_state: 'shelved_offloaded' })],
      '2026-11-03T02:00:00Z': [vm('c', MEDIUM)],
    });
    assert.deepEqual(await usage(dir, '2026-11-01', '2026-11-03', 'vm', 'lifecycles'), [
      'source,id,tenant_id,start,end,flavor_id,flavor_name,vcpus,ram_mb,disk_gb,state_class,origin,start_exact,end_exact',
      // Launched Oct 1 09:01 (exact), offloaded at the midpoint Nov 1 14:00 (estimated).
      'cloud,c,t1,2026-10-01T09:01:00.000Z,2026-11-01T14:00:00.000Z,m1.small,,2,4096,20,billable,snapshots,true,false',
      'cloud,c,t1,2026-11-01T14:00:00.000Z,2026-11-02T14:00:00.000Z,m1.small,,2,4096,20,shelved_offloaded,snapshots,false,false',
      // Unshelved on a bigger flavor: one change, one period, still open at the last snapshot.
      'cloud,c,t1,2026-11-02T14:00:00.000Z,,m1.medium,,4,8192,40,billable,snapshots,false,',
    ]);
  });
});
