// The history of the SPEC §11 usage scenario for `npm run bench`, and what its usage report must say.
// N servers (the fleet of bench/vms.ts) over 30 daily snapshots at 02:00Z, 2026-10-01 … 2026-10-30;
// each day after the first, 1% of them change, in four equal parts: a resize (another flavor), a
// power change (ACTIVE <-> SHUTOFF, billed either way), a shelve-offload (not billed) or unshelve,
// and a removal, with as many new servers launched between the two snapshots. The expectation is
// worked out here from the generated history, not by the product: SPEC §8.3 under the default policy.
import { createReadStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { random } from './hpc.ts';
import { FLAVORS, fleet, iso, STATES, writeSnapshot } from './vms.ts';

const DAY = 86_400_000;
// In the past: ingest refuses snapshots from more than a day ahead (--max-future).
export const USAGE_FROM = '2026-10-01';
export const USAGE_TO = '2026-10-30';
export const USAGE_DAYS = 30;
const RANGE_START = Date.parse(`${USAGE_FROM}T00:00:00Z`);
/** Snapshot k (0-based) is taken at 02:00Z on day k + 1 of November. */
const TAKEN = Array.from({ length: USAGE_DAYS }, (_, k) => RANGE_START + 2 * 3_600_000 + k * DAY);
/** Nothing is billed after the last snapshot (SPEC §8.3: a source is not extrapolated). */
const UNTIL = TAKEN[USAGE_DAYS - 1]!;

// A server's state: an index into STATES, or SHELVED_OFFLOADED.
const ACTIVE = 0;
const SHUTOFF = 1;
const ERROR = STATES.findIndex((s) => s[1] === 'ERROR');
const SHELVED_OFFLOADED = STATES.length;
const KINDS = ['resize', 'power', 'shelve', 'removal'] as const;
type Kind = (typeof KINDS)[number];

/** What one snapshot's ingest must report (SPEC §2, the summary line). */
export interface DayCounts {
  readonly taken_at: string;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly unchanged: number;
}

/** The totals of usage_vm.csv that can be checked: its rows, and sums over them (hours in micro-hours). */
export interface UsageFigures {
  readonly rows: number;
  readonly instances: number;
  readonly instanceMicroHours: number;
  readonly vcpuMicroHours: number;
  /** The hours resting on a midpoint: a change's snapshot bracket, on its billed side(s); launches are exact. */
  readonly estimatedMicroHours: number;
}

export interface UsageHistory {
  readonly days: readonly DayCounts[];
  readonly changes: Readonly<Record<Kind, number>>;
  /** Rows of the 30-day inventory export: every present server each day, plus each day's removed ones (SPEC §8.1). */
  readonly inventoryRows: number;
  readonly expected: UsageFigures;
  readonly bytes: number;
}

/** SPEC §8.3's grid: hours are counted in micro-hours, an instant rounded to the nearest 3.6 ms. */
const grid = (ms: number) => Math.round(ms / 3.6);

/** A billed stretch of one server: [start, end) at one tenant and flavor. */
interface Period {
  readonly vm: number;
  readonly start: number;
  readonly end: number;
  readonly group: number;
  readonly vcpus: number;
}

/** Writes the 30 snapshots of `n` servers into `dir` and returns what ingesting and reporting them must give. */
export async function writeUsageHistory(dir: string, n: number): Promise<UsageHistory> {
  mkdirSync(dir, { recursive: true });
  const make = fleet(n, TAKEN[0]! - DAY);
  const perDay = Math.max(KINDS.length, Math.round(n / 100));
  // Four equal parts (the first ones one more when 1% does not divide by four).
  const quota = (kind: Kind) => Math.floor(perDay / KINDS.length) + (KINDS.indexOf(kind) < perDay % KINDS.length ? 1 : 0);
  const capacity = n + (USAGE_DAYS - 1) * quota('removal');

  const flavor = new Uint8Array(capacity);
  const state = new Uint8Array(capacity);
  const group = new Int32Array(capacity);
  /** The start of the server's current stretch (its launch, or its last change of what is billed). */
  const since = new Float64Array(capacity);
  /** For servers launched during the month: their created_at (NaN: the fleet's own). */
  const createdAt = new Float64Array(capacity).fill(Number.NaN);
  const json: string[] = new Array<string>(capacity);
  const tenants = new Map<string, number>();
  const periods: Period[] = [];

  /** Server i as it is now: the fleet's record with its flavor, state and (if launched this month) times. */
  const record = (i: number, r = make(i)): Record<string, unknown> => {
    const created = createdAt[i]!;
    if (!Number.isNaN(created)) {
      r.created_at = iso(created);
      // Launched a minute or two after its creation, well before the next snapshot.
      r.launched_at = r.status === 'ERROR' ? null : iso(created + 1000 * (20 + (i % 100)));
    }
    const [flavorId, vcpus, ramMb, diskGb] = FLAVORS[flavor[i]!]!;
    Object.assign(r, { flavor_id: flavorId, vcpus, ram_mb: ramMb, disk_gb: diskGb });
    if (state[i] === SHELVED_OFFLOADED) {
      // An offloaded server has no host (Nova: hostId "", no hypervisor).
      Object.assign(r, { status: 'SHELVED_OFFLOADED', vm_state: 'shelved_offloaded', power_state: 4, host_id: '', hypervisor: null });
    } else {
      const [, status, vmState, powerState] = STATES[state[i]!]!;
      Object.assign(r, { status, vm_state: vmState, power_state: powerState });
    }
    return r;
  };
  const launch = (i: number) => {
    const r = make(i);
    flavor[i] = FLAVORS.findIndex((f) => f[0] === r.flavor_id);
    state[i] = STATES.findIndex((s) => s[1] === r.status);
    const tenant = r.tenant_id as string;
    if (!tenants.has(tenant)) tenants.set(tenant, tenants.size);
    group[i] = tenants.get(tenant)! * FLAVORS.length;
    const own = record(i, r);
    json[i] = JSON.stringify(own);
    // SPEC §8.3: billed from launched_at; a server never launched (ERROR here) bills nothing.
    since[i] = typeof own.launched_at === 'string' ? Date.parse(own.launched_at) : Number.NaN;
  };
  const billed = (i: number) => state[i] !== ERROR && state[i] !== SHELVED_OFFLOADED;
  /** What is billed changes at `at`: the stretch so far is kept if it was billed. */
  const cut = (i: number, at: number) => {
    if (billed(i) && at > since[i]!) periods.push({ vm: i, start: since[i]!, end: at, group: group[i]! + flavor[i]!, vcpus: FLAVORS[flavor[i]!]![1] });
    since[i] = at;
  };

  const live: number[] = [];
  for (let i = 0; i < n; i++) {
    launch(i);
    live.push(i);
  }
  const days: DayCounts[] = [{ taken_at: iso(TAKEN[0]!), added: n, modified: 0, removed: 0, unchanged: 0 }];
  const changes: Record<Kind, number> = { resize: 0, power: 0, shelve: 0, removal: 0 };
  const snapshot = (k: number) =>
    writeSnapshot(join(dir, `vm-${iso(TAKEN[k]!).slice(0, 10)}.json`), iso(TAKEN[k]!), (function* () {
      for (const i of live) yield json[i]!;
    })());
  let bytes = await snapshot(0);
  let next = n;
  let inventoryRows = n;
  const r = random(20261101);
  let estimatedMicroHours = 0;

  for (let k = 1; k < USAGE_DAYS; k++) {
    // SPEC §8.3: a change first seen in snapshot k took effect midway between snapshots k-1 and k.
    const at = Math.floor((TAKEN[k - 1]! + TAKEN[k]!) / 2);
    const touched = new Set<number>();
    const removed = new Set<number>();
    for (const kind of KINDS) {
      for (let done = 0; done < quota(kind); ) {
        const slot = Math.floor(r() * live.length);
        const i = live[slot]!;
        if (touched.has(i)) continue;
        const s = state[i]!;
        const running = s === ACTIVE || s === SHUTOFF;
        // Not a change this server can have: draw another.
        if ((kind === 'resize' || kind === 'power') && !running) continue;
        if (kind === 'shelve' && !running && s !== SHELVED_OFFLOADED) continue;
        const wasBilled = billed(i);
        if (kind !== 'power') cut(i, at); // power: billed either way, no new stretch
        if (kind === 'removal') {
          removed.add(i);
          live[slot] = live[live.length - 1]!;
          live.pop();
        } else if (kind === 'resize') {
          flavor[i] = (flavor[i]! + 1 + Math.floor(r() * (FLAVORS.length - 1))) % FLAVORS.length;
        } else if (kind === 'power') {
          state[i] = s === ACTIVE ? SHUTOFF : ACTIVE;
        } else {
          state[i] = s === SHELVED_OFFLOADED ? ACTIVE : SHELVED_OFFLOADED;
        }
        // The hours on either side of an estimated change time, up to the snapshots that bracket it.
        if (kind !== 'power') {
          if (wasBilled) estimatedMicroHours += grid(at) - grid(TAKEN[k - 1]!);
          if (kind !== 'removal' && billed(i)) estimatedMicroHours += grid(TAKEN[k]!) - grid(at);
        }
        touched.add(i);
        if (kind !== 'removal') json[i] = JSON.stringify(record(i));
        changes[kind]++;
        done++;
      }
    }
    for (const i of removed) json[i] = '';
    // As many servers as were removed, created and launched between the two snapshots.
    for (let a = 0; a < removed.size; a++, next++) {
      createdAt[next] = TAKEN[k - 1]! + 1000 * (60 + Math.floor(r() * (86_400 - 600)));
      launch(next);
      live.push(next);
    }
    const modified = touched.size - removed.size;
    days.push({ taken_at: iso(TAKEN[k]!), added: removed.size, modified, removed: removed.size, unchanged: n - removed.size - modified });
    inventoryRows += n + removed.size;
    bytes += await snapshot(k);
  }
  for (const i of live) cut(i, UNTIL);
  return { days, changes, inventoryRows, expected: { ...expectedFigures(periods), estimatedMicroHours }, bytes };
}

/**
 * usage_vm.csv's totals from the billed stretches: each clipped to each UTC day and to the last
 * snapshot, on the micro-hour grid; one row per day, tenant and flavor with hours, `instances` the
 * servers billed in it that day.
 */
function expectedFigures(periods: Period[]): Omit<UsageFigures, 'estimatedMicroHours'> {
  const lastVm = Array.from({ length: USAGE_DAYS }, () => new Map<number, number>());
  let instances = 0;
  let instanceMicroHours = 0;
  let vcpuMicroHours = 0;
  periods.sort((a, b) => a.vm - b.vm || a.start - b.start);
  for (const p of periods) {
    for (let d = Math.max(0, Math.floor((p.start - RANGE_START) / DAY)); d < USAGE_DAYS; d++) {
      const day = RANGE_START + d * DAY;
      const a = Math.max(p.start, day);
      const b = Math.min(p.end, day + DAY, UNTIL);
      if (b <= a) break;
      const piece = grid(b) - grid(a);
      if (piece <= 0) continue;
      instanceMicroHours += piece;
      vcpuMicroHours += piece * p.vcpus;
      if (lastVm[d]!.get(p.group) !== p.vm) instances++;
      lastVm[d]!.set(p.group, p.vm);
    }
  }
  const rows = lastVm.reduce((sum, groups) => sum + groups.size, 0);
  return { rows, instances, instanceMicroHours, vcpuMicroHours };
}

/** The same totals read from a usage_vm.csv (SPEC §8.3 columns; hours have at most 6 decimals). */
export async function usageCsvFigures(path: string): Promise<UsageFigures> {
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }), crlfDelay: Infinity });
  let header: string[] | undefined;
  let at = { instances: -1, hours: -1, vcpu: -1, estimated: -1 };
  let rows = 0;
  let instances = 0;
  let instanceMicroHours = 0;
  let vcpuMicroHours = 0;
  let estimatedMicroHours = 0;
  for await (const line of lines) {
    // No cell of this report holds a comma (ids, flavor names, numbers): a plain split will do.
    const cells = line.split(',');
    if (!header) {
      header = cells;
      at = { instances: cells.indexOf('instances'), hours: cells.indexOf('instance_hours'), vcpu: cells.indexOf('vcpu_hours'), estimated: cells.indexOf('estimated_hours') };
      continue;
    }
    rows++;
    instances += Number(cells[at.instances]);
    instanceMicroHours += Math.round(Number(cells[at.hours]) * 1e6);
    vcpuMicroHours += Math.round(Number(cells[at.vcpu]) * 1e6);
    estimatedMicroHours += Math.round(Number(cells[at.estimated]) * 1e6);
  }
  return { rows, instances, instanceMicroHours, vcpuMicroHours, estimatedMicroHours };
}
