// SPEC §8.5 `reconcile.csv`: for each source with both notifications and polled snapshots of its
// instances or volumes, every disagreement that holds within the range, once, by source, day of
// first sight, type, resource and kind.
import { SnapshotPeriods } from '../lifecycles/from-snapshots.ts';
import { byText } from '../order.ts';
import type { Disagreement } from '../reconcile/disagreement.ts';
import { reconcile } from '../reconcile/index.ts';
import type { EventSeries, HistoryReads, SeriesInfo } from '../store/index.ts';
import { addDays, formatDay, formatSecond } from '../time.ts';
import { csvLine, inChunks } from './csv.ts';
import { file, type PlannedFile, refuseTypes, type UsageRequest } from './usage/files.ts';

export const RECONCILE_COLUMNS = ['source', 'day', 'resource_type', 'id', 'tenant_id', 'kind', 'events_value', 'snapshot_value', 'last_seen_at', 'first_absent_at', 'hours_delta'];

const TYPES = ['vm', 'volume'] as const;

/** `all`: every series of the database (a source's flavors are looked up whatever the export selects). */
export function reconcileFile(reads: HistoryReads, all: readonly SeriesInfo[], events: readonly EventSeries[], request: UsageRequest): PlannedFile {
  refuseTypes(request.types, TYPES, 'reconcile');
  const pairs = TYPES.filter((type) => !request.types.length || request.types.includes(type)).flatMap((type) =>
    all
      .filter((s) => s.type === type && request.selected(s.source))
      .flatMap((series) => {
        const heard = events.find((e) => e.source === series.source && e.type === type);
        return heard ? [{ type, series, events: heard }] : [];
      }),
  );
  if (!pairs.length) {
    request.warn('no source has both notifications and polled snapshots of its instances or volumes: reconcile.csv has no rows');
  }
  const fromMs = request.fromDay;
  const toMs = addDays(request.toDay, 1);
  return file('reconcile.csv', RECONCILE_COLUMNS, async function* () {
    const snapshots = new SnapshotPeriods(reads, request.policy, all);
    const rows: Disagreement[] = [];
    for (const pair of pairs) rows.push(...(await reconcile(reads, request.policy, snapshots, { ...pair, fromMs, toMs })));
    rows.sort(
      (a, b) =>
        byText(a.source, b.source) ||
        a.firstSeenAt - b.firstSeenAt ||
        byText(a.resourceType, b.resourceType) ||
        byText(a.id ?? '', b.id ?? '') ||
        byText(a.kind, b.kind),
    );
    yield* inChunks(rows.map(line));
  });
}

function line(row: Disagreement): string {
  const at = (ms: number | undefined) => (ms === undefined ? undefined : formatSecond(ms));
  return csvLine([
    row.source,
    formatDay(row.firstSeenAt),
    row.resourceType,
    row.id,
    row.tenantId,
    row.kind,
    row.eventsValue,
    row.snapshotValue,
    at(row.lastSeenAt),
    at(row.firstAbsentAt),
    row.hoursDelta,
  ]);
}
