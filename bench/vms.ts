// Synthetic Nova servers for `npm run bench` (SPEC §11), in the field set of src/types/vm.ts, and the
// canonical snapshot writer (SPEC §4.1.1). Record `i` of a fleet of N is the same in every run and
// every snapshot (seeded PRNG), so snapshots agree on every record the bench does not change.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import { random } from './hpc.ts';

const MIB = 1024 * 1024;

function hex(r: () => number, length: number): string {
  let s = '';
  while (s.length < length) s += Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, length);
}

function uuid(r: () => number): string {
  const h = hex(r, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

const AZS = ['melbourne-qh2', 'monash-02', 'tasmania-s'];
export type VmState = readonly [weight: number, status: string, vm_state: string, power_state: number];
export const STATES = [
  // [weight, status, vm_state, power_state]: mostly running, as in a real cloud.
  [0.86, 'ACTIVE', 'active', 1],
  [0.1, 'SHUTOFF', 'stopped', 4],
  [0.01, 'PAUSED', 'paused', 3],
  [0.01, 'SUSPENDED', 'suspended', 7],
  [0.02, 'ERROR', 'error', 0],
] as const satisfies readonly VmState[];
// [flavor id, vcpus, ram_mb, disk_gb]: named flavors, as many clouds use (ids need not be UUIDs).
export const FLAVORS = [
  ['t3.xsmall', 1, 4096, 10], ['m3.small', 2, 8192, 30], ['m3.medium', 4, 16384, 30], ['m3.large', 8, 32768, 30],
  ['m3.xlarge', 16, 65536, 30], ['m3.xxlarge', 32, 131072, 30], ['c3.large', 4, 16384, 120], ['r3.large', 12, 98304, 60],
  ['r3.xxlarge', 48, 393216, 30],
] as const;

export const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** A fleet's record maker: `vm(i)` is resource `i`; `changed` gives its 1%-scenario variant (a live migration or a power change). */
export type VmMaker = (i: number, changed?: boolean) => Record<string, unknown>;

/**
 * The records of a fleet of `n` servers (its tenants, users and hosts scale with n), created before
 * `createdBefore`; `pad` bytes of ignored `metadata` make the file bigger without more resources.
 */
export function fleet(n: number, createdBefore: number, pad = 0): VmMaker {
  const pool = random(20261121);
  const images = Array.from({ length: 300 }, () => uuid(pool));
  const tenants = Array.from({ length: Math.max(10, Math.round(n / 25)) }, () => hex(pool, 32));
  const users = Array.from({ length: Math.max(20, Math.round(n / 10)) }, () => hex(pool, 32));
  // A multiple of the zone count, so `h + AZS.length` is another host in the same zone (a live migration).
  const hosts = Array.from({ length: AZS.length * Math.max(2, Math.ceil(n / 120)) }, (_, h) => `compute-${String(h).padStart(5, '0')}`);
  const padText = 'Provisioned by the research platform for a project workload; see the allocation for contacts and terms. '.repeat(Math.ceil(pad / 100) + 1).slice(0, pad);

  return (i, changed = false) => {
    const r = random(Math.imul(i + 1, 0x9e3779b1));
    const tenant = Math.floor(r() * tenants.length);
    const [flavorId, vcpus, ramMb, diskGb] = pick(r, FLAVORS);
    let h = Math.floor(r() * hosts.length);
    const roll = r();
    let state: VmState = STATES[STATES.length - 1]!;
    for (let sum = 0, k = 0; k < STATES.length; k++) if (roll < (sum += STATES[k]![0])) { state = STATES[k]!; break; }
    const created = createdBefore - Math.floor(r() * 3 * 365 * 86_400_000);
    const image = r() < 0.12 ? '' : pick(r, images); // boot-from-volume servers have no image
    const user = users[(tenant * 3 + Math.floor(r() * 3)) % users.length]!;
    if (changed && i % 200 === 50) h = (h + AZS.length) % hosts.length;
    else if (changed) state = state[1] === 'ACTIVE' ? STATES[1] : STATES[0];
    const record: Record<string, unknown> = {
      id: uuid(r),
      status: state[1],
      vm_state: state[2],
      power_state: state[3],
      tenant_id: tenants[tenant],
      user_id: user,
      // Nova's hostId: sha224 of project and host, so it differs per project.
      host_id: createHash('sha224').update(tenants[tenant]! + hosts[h]!).digest('hex'),
      hypervisor: hosts[h],
      availability_zone: AZS[h % AZS.length],
      flavor_id: flavorId,
      vcpus,
      ram_mb: ramMb,
      disk_gb: diskGb,
      image_id: image,
      created_at: iso(created),
      launched_at: state[1] === 'ERROR' ? null : iso(created + 20_000 + Math.floor(r() * 100_000)),
    };
    // Unknown fields are ignored by the product (SPEC §5); this only makes the file bigger.
    if (pad) record.metadata = { notes: padText };
    return record;
  };
}

/**
 * Streams one canonical snapshot to `path`, a batch at a time, never as one big string. A record
 * given as a string is taken as its JSON text already (the usage history keeps unchanged ones so).
 */
export async function writeSnapshot(path: string, takenAt: string, records: Iterable<Record<string, unknown> | string>): Promise<number> {
  const out = createWriteStream(path);
  let batch = `{\n  "source": "bench",\n  "resource_type": "vm",\n  "taken_at": "${takenAt}",\n  "complete": true,\n  "resources": [\n`;
  let first = true;
  for (const record of records) {
    batch += (first ? '' : ',\n') + (typeof record === 'string' ? record : JSON.stringify(record));
    first = false;
    if (batch.length >= MIB) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(`${batch}\n]}\n`);
  await once(out, 'close');
  return statSync(path).size;
}
