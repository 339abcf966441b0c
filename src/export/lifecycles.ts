// SPEC §8.4 `vm_lifecycles.csv`, `volume_lifecycles.csv`: one row per period overlapping the range
// (Almanach's entities, with periods), whatever its state class: when it began and ended, what it
// billed, where the times come from and whether they are exact. An open period has an empty end.
import type { Lifecycles, Period, VmBilled, VolumeBilled } from '../lifecycles/period.ts';
import { byText } from '../order.ts';
import { formatMillis } from '../time.ts';
import { csvLine, inChunks } from './csv.ts';

export const VM_LIFECYCLE_COLUMNS = ['source', 'id', 'tenant_id', 'start', 'end', 'flavor_id', 'flavor_name', 'vcpus', 'ram_mb', 'disk_gb', 'state_class', 'origin', 'start_exact', 'end_exact'];
export const VOLUME_LIFECYCLE_COLUMNS = ['source', 'id', 'tenant_id', 'start', 'end', 'size_gb', 'volume_type', 'state_class', 'origin', 'start_exact', 'end_exact'];

export function* vmLifecycleRows(lifecycles: Lifecycles<VmBilled>): Generator<string> {
  yield* rows(lifecycles, (b) => [b.flavorId, b.flavorName, b.vcpus, b.ramMb, b.diskGb]);
}

export function* volumeLifecycleRows(lifecycles: Lifecycles<VolumeBilled>): Generator<string> {
  yield* rows(lifecycles, (b) => [b.sizeGb, b.volumeType]);
}

function* rows<B extends { tenantId?: string; stateClass: string }>(
  lifecycles: Lifecycles<B>,
  billedCells: (billed: B) => (string | number | undefined)[],
): Generator<string> {
  const lines: string[] = [];
  for (const id of [...lifecycles.periods.keys()].sort(byText)) {
    for (const period of lifecycles.periods.get(id)! as Period<B>[]) {
      lines.push(
        csvLine([
          lifecycles.source,
          id,
          period.billed.tenantId,
          // With milliseconds, always: the times billed, to the millisecond (README, Reports).
          formatMillis(period.start),
          period.end === undefined ? undefined : formatMillis(period.end),
          ...billedCells(period.billed),
          period.billed.stateClass,
          period.origin,
          period.startExact,
          period.end === undefined ? undefined : period.endExact,
        ]),
      );
    }
  }
  yield* inChunks(lines);
}
