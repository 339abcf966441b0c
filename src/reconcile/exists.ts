// SPEC §8.5 `missing_exists`: where a source sends `exists` (Nova's and Cinder's usage audits), every
// resource the snapshots show alive through a whole audit period should have one for it. Only
// periods that some `exists` names count (the audit ran), and a resource the events ended before the
// period's end is left to the zombie and missed-delete rows. Consecutive periods missed are one row.
import type { Period } from '../lifecycles/period.ts';
import { formatSecond } from '../time.ts';
import type { Disagreement } from './disagreement.ts';
import type { AuditPeriod } from '../sources/notifications/event.ts';
import { auditKey, type EventsView } from './events-view.ts';

interface Billed {
  readonly tenantId?: string;
}

/** Whether periods, in time order, cover [from, to) without a hole (open ones end at `until`). */
function covers(periods: readonly Period<unknown>[], from: number, to: number, until: number): boolean {
  let reached = from;
  for (const p of periods) {
    if (p.start > reached) return false;
    reached = Math.max(reached, Math.min(p.end ?? until, until));
    if (reached >= to) return true;
  }
  return false;
}

export function missingExists<B extends Billed>(
  source: string,
  resourceType: 'vm' | 'volume',
  heard: EventsView<B>,
  polled: ReadonlyMap<string, readonly Period<B>[]>,
  snapshotsUntil: number,
  fromMs: number,
  toMs: number,
): Disagreement[] {
  const audits = heard.auditPeriods.filter((p) => p.ending > fromMs && p.beginning < toMs);
  if (!audits.length) return [];
  const rows: Disagreement[] = [];
  for (const [id, periods] of polled) {
    const resource = heard.resources.get(id);
    const last = resource?.periods[resource.periods.length - 1];
    let run: AuditPeriod[] = [];
    const flush = () => {
      if (!run.length) return;
      rows.push({
        source,
        resourceType,
        id,
        tenantId: periods[0]!.billed.tenantId,
        kind: 'missing_exists',
        firstSeenAt: run[0]!.beginning,
        eventsValue: `no exists for ${run.length} audit period(s) to ${formatSecond(run[run.length - 1]!.ending)}`,
        snapshotValue: 'listed throughout',
      });
      run = [];
    };
    for (const audit of audits) {
      const missed =
        covers(periods, audit.beginning, audit.ending, snapshotsUntil) &&
        !resource?.audited.has(auditKey(audit)) &&
        !(last?.end !== undefined && last.end < audit.ending);
      if (missed) run.push(audit);
      else flush();
    }
    flush();
  }
  return rows;
}
