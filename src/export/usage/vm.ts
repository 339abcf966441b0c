// SPEC §8.3 `usage_vm.csv`: per source, day, tenant and flavor, the instances billed for any part of
// the day, their instance-, vCPU-, RAM- and disk-hours at the flavor in force in each period, and the
// hours that rest on an estimate. Only billable periods count (the policy's states).
import type { Lifecycles, VmBilled } from '../../lifecycles/period.ts';
import { byText } from '../../order.ts';
import { addDays, formatDay } from '../../time.ts';
import { hours, inChunks, microHours, overlap, usageLine } from './hours.ts';

export const USAGE_VM_COLUMNS = ['source', 'day', 'tenant_id', 'flavor_id', 'flavor_name', 'instances', 'instance_hours', 'vcpu_hours', 'ram_gb_hours', 'disk_gb_hours', 'estimated_hours'];

interface Group {
  readonly billed: VmBilled;
  instances: number;
  lastId?: string;
  hours: number;
  vcpu: number;
  /** MiB × micro-hours. */
  ram: number;
  disk: number;
  estimated: number;
  /** Some of its hours are of a flavor whose sizes no record gives: its size hours are unknown. */
  unsized: boolean;
}

/**
 * Rows of one source for the UTC days [fromDay, toDay], in chunks of lines; `unsized` collects the
 * instances billed without known flavor sizes (their groups' size hours are left empty, never zero).
 */
export function* vmUsageRows(lifecycles: Lifecycles<VmBilled>, fromDay: number, toDay: number, unsized: Set<string>): Generator<string> {
  const { until } = lifecycles;
  for (let day = fromDay; day <= toDay && day < until; day = addDays(day, 1)) {
    const dayEnd = Math.min(addDays(day, 1), until);
    const groups = new Map<string, Group>();
    for (const [id, periods] of lifecycles.periods) {
      for (const period of periods) {
        if (period.billed.stateClass !== 'billable') continue;
        const a = Math.max(period.start, day);
        const b = Math.min(period.end ?? until, dayEnd);
        if (b <= a) continue;
        const piece = microHours(b) - microHours(a);
        if (piece <= 0) continue;
        const { billed } = period;
        const key = `${billed.tenantId ?? ''}\0${billed.flavorId ?? ''}\0${billed.flavorName ?? ''}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { billed, instances: 0, hours: 0, vcpu: 0, ram: 0, disk: 0, estimated: 0, unsized: false }));
        if (group.lastId !== id) {
          group.instances++;
          group.lastId = id;
        }
        group.hours += piece;
        group.estimated += estimated(a, b, period.start, period.estimatedUntil, period.estimatedFrom, period.end);
        if (billed.vcpus === undefined) {
          group.unsized = true;
          unsized.add(id);
        } else {
          group.vcpu += billed.vcpus * piece;
          group.ram += (billed.ramMb ?? 0) * piece;
          group.disk += (billed.diskGb ?? 0) * piece;
        }
      }
    }
    const date = formatDay(day);
    const lines = [...groups.keys()].sort(byText).map((key) => {
      const g = groups.get(key)!;
      return usageLine([
        lifecycles.source,
        date,
        g.billed.tenantId,
        g.billed.flavorId,
        g.billed.flavorName,
        g.instances,
        hours(g.hours),
        g.unsized ? undefined : hours(g.vcpu),
        // RAM GiB = ram_mb / 1024 (SPEC §8.3).
        g.unsized ? undefined : hours(g.ram / 1024),
        g.unsized ? undefined : hours(g.disk),
        hours(g.estimated),
      ]);
    });
    yield* inChunks(lines);
  }
}

/** The micro-hours of [a, b) that rest on an estimated start ([start, until)) or end ([from, end)). */
export function estimated(a: number, b: number, start: number, until?: number, from?: number, end?: number): number {
  let total = until === undefined ? 0 : overlap(a, b, start, until);
  if (from !== undefined && end !== undefined) total += overlap(a, b, Math.max(from, until ?? from), end);
  return total;
}
