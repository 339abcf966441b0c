// The usage report against two references written here, apart from the report code (SPEC §8.3):
// Nova's os-simple-tenant-usage rule for instances that stay ACTIVE on one flavor, and, over a
// generated 60-day history, the days of random ranges adding up exactly to the range.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
// The bench's seeded PRNG: the same history every run.
import { random } from '../bench/hpc.ts';
import { runCli, workspace } from './support/cli.ts';
import { exportFiles } from './support/export.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);


async function ingest(snapshots: { takenAt: number; resources: Record<string, unknown>[] }[]): Promise<{ dir: string; db: string }> {
  const ws = workspace();
  const dumps = join(ws.dir, 'dumps');
  mkdirSync(dumps);
  snapshots.forEach(({ takenAt, resources }, i) =>
    writeFileSync(join(dumps, `${String(i).padStart(3, '0')}.json`), JSON.stringify({ source: 'cloud', resource_type: 'vm', taken_at: iso(takenAt), resources })),
  );
  const run = await runCli(['ingest', '--dump', dumps], { cwd: ws.dir });
  assert.equal(run.code, 0, run.stderr);
  return ws;
}

const column = (lines: string[], name: string) => {
  const index = lines[0]!.split(',').indexOf(name);
  return (line: string) => line.split(',')[index]!;
};

describe('the Nova oracle (os-simple-tenant-usage)', () => {
  it('gives, for ACTIVE instances on one flavor, the hours Nova would: min(end, terminated) − max(start, launched)', async () => {
    // Instances that stay ACTIVE on one flavor; some launched before the range, some inside it, each
    // built for 10 minutes before its launch (build time is not billed).
    const flavors = [
      { flavor_id: 'm1.small', vcpus: 2, ram_mb: 4096, disk_gb: 20 },
      { flavor_id: 'm1.large', vcpus: 8, ram_mb: 16384, disk_gb: 80 },
    ];
    const instances = [
      { id: 'i1', tenant_id: 'ta', launched: '2026-10-15T08:00:00Z', ...flavors[0] },
      { id: 'i2', tenant_id: 'ta', launched: '2026-11-03T13:27:41Z', ...flavors[1] },
      { id: 'i3', tenant_id: 'tb', launched: '2026-11-07T23:59:59Z', ...flavors[0] },
      { id: 'i4', tenant_id: 'tb', launched: '2026-11-01T00:00:00Z', ...flavors[1] },
      { id: 'i5', tenant_id: 'tb', launched: '2026-11-09T06:06:06Z', ...flavors[1] },
    ];
    // Snapshots every night at midnight up to Nov 11, so the range Nov 1 - Nov 10 is fully observed.
    const snapshots = [];
    for (let t = at('2026-10-31T00:00:00Z'); t <= at('2026-11-11T00:00:00Z'); t += DAY) {
      snapshots.push({
        takenAt: t,
        resources: instances
          .filter((i) => at(i.launched) <= t)
          .map(({ launched, ...i }) => ({ ...i, status: 'ACTIVE', vm_state: 'active', created_at: iso(at(launched) - 600_000), launched_at: launched })),
      });
    }
    const { db } = await ingest(snapshots);
    const lines = (await exportFiles(db, { from: '2026-11-01', to: '2026-11-10', reports: ['usage'], types: ['vm'] })).get('usage_vm.csv')!;

    // Nova's rule, per tenant: hours = min(period end, terminated_at) − max(period start, launched_at).
    const start = at('2026-11-01T00:00:00Z');
    const end = at('2026-11-11T00:00:00Z');
    const nova = new Map<string, { hours: number; vcpu: number; ram: number }>();
    for (const i of instances) {
      const hours = Math.max(0, end - Math.max(start, at(i.launched))) / HOUR;
      const t = nova.get(i.tenant_id) ?? { hours: 0, vcpu: 0, ram: 0 };
      nova.set(i.tenant_id, { hours: t.hours + hours, vcpu: t.vcpu + i.vcpus! * hours, ram: t.ram + (i.ram_mb! / 1024) * hours });
    }
    const tenant = column(lines, 'tenant_id');
    for (const [name, expected] of nova) {
      const rows = lines.slice(1).filter((line) => tenant(line) === name);
      const sum = (col: string) => rows.map(column(lines, col)).reduce((total, v) => total + Number(v), 0);
      // Times are counted on a 3.6 ms grid (a millionth of an hour): at most one unit apart per instance-day.
      const tolerance = 1e-6 * rows.length * 8;
      assert.ok(Math.abs(sum('instance_hours') - expected.hours) <= tolerance, `${name} instance_hours ${sum('instance_hours')} vs Nova ${expected.hours}`);
      assert.ok(Math.abs(sum('vcpu_hours') - expected.vcpu) <= tolerance * 8, `${name} vcpu_hours ${sum('vcpu_hours')} vs Nova ${expected.vcpu}`);
      assert.ok(Math.abs(sum('ram_gb_hours') - expected.ram) <= tolerance * 16, `${name} ram_gb_hours ${sum('ram_gb_hours')} vs Nova ${expected.ram}`);
    }
    // A sanity check of the reference itself: ta = i1 all 240 h + i2 from Nov 3 13:27:41.
    assert.ok(Math.abs(nova.get('ta')!.hours - (240 + (end - at('2026-11-03T13:27:41Z')) / HOUR)) < 1e-9);
  });
});

describe('a generated 60-day history', () => {
  let db = '';
  /** The last snapshot: nothing is billed after it. */
  let seriesEnd = 0;
  const FIRST = at('2026-09-01T00:00:00Z');

  before(async () => {
    const rand = random(20261127);
    const FLAVORS = [
      { flavor_id: 'a1', vcpus: 1, ram_mb: 2048, disk_gb: 10 },
      { flavor_id: 'b2', vcpus: 2, ram_mb: 4096, disk_gb: 20 },
      { flavor_id: 'c4', vcpus: 4, ram_mb: 8192, disk_gb: 40 },
    ];
    const STATES = [
      ['ACTIVE', 'active'],
      ['SHUTOFF', 'stopped'],
      ['SHELVED_OFFLOADED', 'shelved_offloaded'],
      ['ERROR', 'error'],
    ] as const;
    const live = new Map<string, Record<string, unknown>>();
    let next = 0;
    const launch = (time: number) => {
      const id = `vm-${next++}`;
      live.set(id, { id, tenant_id: `t${Math.floor(rand() * 4)}`, status: 'ACTIVE', vm_state: 'active', created_at: iso(time - 60_000), launched_at: iso(time), ...FLAVORS[Math.floor(rand() * 3)] });
    };
    for (let i = 0; i < 12; i++) launch(FIRST - Math.floor(rand() * 90) * DAY);
    const snapshots = [];
    let previous = FIRST;
    for (let d = 0; d < 60; d++) {
      // Snapshots at uneven times of day, now and then two in a day.
      const takenAt = FIRST + d * DAY + Math.floor(rand() * 20) * HOUR + Math.floor(rand() * 3600) * 1000;
      for (const [id, vm] of live) {
        const roll = rand();
        if (roll < 0.05) live.delete(id);
        else if (roll < 0.1) Object.assign(vm, FLAVORS[Math.floor(rand() * 3)]);
        else if (roll < 0.18) {
          const [status, vmState] = STATES[Math.floor(rand() * STATES.length)]!;
          Object.assign(vm, { status, vm_state: vmState });
        }
      }
      if (rand() < 0.5) launch(previous + Math.floor(rand() * (takenAt - previous)));
      snapshots.push({ takenAt, resources: [...live.values()].map((vm) => ({ ...vm })) });
      previous = takenAt;
    }
    seriesEnd = previous;
    ({ db } = await ingest(snapshots));
  });

  // The grid the report counts on: millionths of an hour (3.6 ms) from the epoch (README, Usage).
  const grid = (ms: number) => Math.round(ms / 3.6);

  for (const [k, seed] of [11, 22, 33, 44].entries()) {
    it(`adds up exactly over random range ${k + 1}: one-day reports are the range's rows, and match the lifecycles`, async () => {
      const rand = random(seed);
      const from = FIRST + Math.floor(rand() * 50) * DAY;
      const to = from + Math.floor(rand() * 10) * DAY;
      const range = await exportFiles(db, { from: dayOf(from), to: dayOf(to), reports: ['usage', 'lifecycles'], types: ['vm'] });
      const rows = range.get('usage_vm.csv')!;
      assert.ok(rows.length > 2, 'the range has usage');

      const days: string[] = [];
      for (let day = from; day <= to; day += DAY) {
        days.push(...(await exportFiles(db, { from: dayOf(day), to: dayOf(day), reports: ['usage'], types: ['vm'] })).get('usage_vm.csv')!.slice(1));
      }
      assert.deepEqual(days, rows.slice(1), 'a day reported alone is that day of the range');

      // The billable periods of the lifecycles report, clipped to the range by hand, on the same grid.
      const periods = range.get('vm_lifecycles.csv')!;
      const get = (name: string) => column(periods, name);
      const expected = new Map<string, number>();
      for (const line of periods.slice(1)) {
        if (get('state_class')(line) !== 'billable') continue;
        const start = Math.max(at(get('start')(line)), from);
        const endText = get('end')(line);
        const end = Math.min(endText ? at(endText) : Number.POSITIVE_INFINITY, to + DAY, seriesEnd);
        if (end <= start) continue;
        const tenant = get('tenant_id')(line);
        // Per day, as the report clips: the grid makes the pieces add up to the whole.
        expected.set(tenant, (expected.get(tenant) ?? 0) + grid(end) - grid(start));
      }
      const reported = new Map<string, number>();
      const tenant = column(rows, 'tenant_id');
      const hours = column(rows, 'instance_hours');
      for (const line of rows.slice(1)) reported.set(tenant(line), (reported.get(tenant(line)) ?? 0) + Math.round(Number(hours(line)) * 1e6));
      assert.deepEqual(reported, expected);
    });
  }
});
