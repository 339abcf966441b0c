// SPEC §8.3 `usage_volume.csv`: per source, day, tenant and volume type (by name), the volumes that
// existed for any part of the day and their GB-hours, split at resize and retype.
import type { Lifecycles, VolumeBilled } from '../../lifecycles/period.ts';
import { formatDay } from '../../time.ts';
import { hours } from '../../lifecycles/hours.ts';
import { csvCells, inChunks } from '../csv.ts';
import { sweepDays } from './sweep.ts';

export const USAGE_VOLUME_COLUMNS = ['source', 'day', 'tenant_id', 'volume_type', 'volumes', 'volume_gb_hours', 'estimated_hours'];

/** Rows of one source for the UTC days [fromDay, toDay], in chunks of lines. */
export function* volumeUsageRows(lifecycles: Lifecycles<VolumeBilled>, fromDay: number, toDay: number): Generator<string> {
  const source = csvCells([lifecycles.source]);
  const texts: string[] = [];
  const days = sweepDays(
    lifecycles,
    fromDay,
    toDay,
    (b) => b.stateClass === 'billable' && !!b.sizeGb,
    (b) => `${b.tenantId ?? ''}\0${b.volumeType ?? ''}`,
    [(b) => b.sizeGb ?? 0],
  );
  for (const { day, hours: h, estimated, count, weighted, billed, order } of days) {
    const prefix = `${source},${formatDay(day)},`;
    const lines: string[] = [];
    for (const g of order) {
      if (h[g] === 0) continue;
      texts[g] ??= csvCells([billed[g]!.tenantId, billed[g]!.volumeType]);
      lines.push(`${prefix}${texts[g]},${count[g]},${hours(weighted[0]![g]!)},${hours(estimated[g]!)}\n`);
    }
    yield* inChunks(lines);
  }
}
