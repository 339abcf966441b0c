// SPEC §8.3 `usage_vm.csv`: per source, day, tenant and flavor, the instances billed for any part of
// the day, their instance-, vCPU-, RAM- and disk-hours at the flavor in force in each period, and the
// hours that rest on an estimate. Only billable periods count (the policy's states).
import type { Lifecycles, VmBilled } from '../../lifecycles/period.ts';
import { formatDay } from '../../time.ts';
import { hours } from '../../lifecycles/hours.ts';
import { csvCells, inChunks } from '../csv.ts';
import { sweepDays } from './sweep.ts';

export const USAGE_VM_COLUMNS = ['source', 'day', 'tenant_id', 'flavor_id', 'flavor_name', 'instances', 'instance_hours', 'vcpu_hours', 'ram_gb_hours', 'disk_gb_hours', 'estimated_hours'];

/**
 * Rows of one source for the UTC days [fromDay, toDay], in chunks of lines; `unsized` collects the
 * flavors billed without known sizes (their groups' size hours are left empty, never zero).
 */
export function* vmUsageRows(lifecycles: Lifecycles<VmBilled>, fromDay: number, toDay: number, unsized: Set<string>): Generator<string> {
  const source = csvCells([lifecycles.source]);
  const texts: string[] = [];
  const days = sweepDays(
    lifecycles,
    fromDay,
    toDay,
    (b) => b.stateClass === 'billable',
    (b) => `${b.tenantId ?? ''}\0${b.flavorId ?? ''}\0${b.flavorName ?? ''}`,
    // The last weight counts the hours of periods whose flavor sizes are unknown.
    [(b) => b.vcpus ?? 0, (b) => b.ramMb ?? 0, (b) => b.diskGb ?? 0, (b) => (b.vcpus === undefined ? 1 : 0)],
  );
  for (const { day, hours: h, estimated, count, weighted, billed, order } of days) {
    const [vcpu, ram, disk, unknown] = weighted as [Float64Array, Float64Array, Float64Array, Float64Array];
    const prefix = `${source},${formatDay(day)},`;
    const lines: string[] = [];
    for (const g of order) {
      if (h[g] === 0) continue;
      const b = billed[g]!;
      texts[g] ??= csvCells([b.tenantId, b.flavorId, b.flavorName]);
      // RAM GiB = ram_mb / 1024 (SPEC §8.3); sizes no record gives are unknown, not zero.
      const sized = unknown[g] === 0;
      if (!sized) unsized.add(b.flavorId ?? b.flavorName ?? '');
      const sizes = sized ? `${hours(vcpu[g]!)},${hours(ram[g]! / 1024)},${hours(disk[g]!)}` : ',,';
      lines.push(`${prefix}${texts[g]},${count[g]},${hours(h[g]!)},${sizes},${hours(estimated[g]!)}\n`);
    }
    yield* inChunks(lines);
  }
}
