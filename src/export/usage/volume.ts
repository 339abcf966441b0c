// SPEC §8.3 `usage_volume.csv`: per source, day, tenant and volume type (by name), the volumes that
// existed for any part of the day and their GB-hours, split at resize and retype.
import type { Lifecycles, VolumeBilled } from '../../lifecycles/period.ts';
import { byText } from '../../order.ts';
import { addDays, formatDay } from '../../time.ts';
import { hours, inChunks, microHours, usageLine } from './hours.ts';
import { estimated } from './vm.ts';

export const USAGE_VOLUME_COLUMNS = ['source', 'day', 'tenant_id', 'volume_type', 'volumes', 'volume_gb_hours', 'estimated_hours'];

interface Group {
  readonly billed: VolumeBilled;
  volumes: number;
  lastId?: string;
  gbHours: number;
  estimated: number;
}

/** Rows of one source for the UTC days [fromDay, toDay], in chunks of lines. */
export function* volumeUsageRows(lifecycles: Lifecycles<VolumeBilled>, fromDay: number, toDay: number): Generator<string> {
  const { until } = lifecycles;
  for (let day = fromDay; day <= toDay && day < until; day = addDays(day, 1)) {
    const dayEnd = Math.min(addDays(day, 1), until);
    const groups = new Map<string, Group>();
    for (const [id, periods] of lifecycles.periods) {
      for (const period of periods) {
        const { billed } = period;
        if (billed.stateClass !== 'billable' || !billed.sizeGb) continue;
        const a = Math.max(period.start, day);
        const b = Math.min(period.end ?? until, dayEnd);
        const piece = b > a ? microHours(b) - microHours(a) : 0;
        if (piece <= 0) continue;
        const key = `${billed.tenantId ?? ''}\0${billed.volumeType ?? ''}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { billed, volumes: 0, gbHours: 0, estimated: 0 }));
        if (group.lastId !== id) {
          group.volumes++;
          group.lastId = id;
        }
        group.gbHours += billed.sizeGb * piece;
        group.estimated += estimated(a, b, period.start, period.estimatedUntil, period.estimatedFrom, period.end);
      }
    }
    const date = formatDay(day);
    const lines = [...groups.keys()].sort(byText).map((key) => {
      const g = groups.get(key)!;
      return usageLine([lifecycles.source, date, g.billed.tenantId, g.billed.volumeType, g.volumes, hours(g.gbHours), hours(g.estimated)]);
    });
    yield* inChunks(lines);
  }
}
