// The periods the reports read (SPEC §4.4, §8.3): from notifications wherever events cover a
// resource (exact times), from snapshot history elsewhere (estimated between snapshots). An event
// period that a snapshot period of the same resource agrees with is marked `both`.
import type { EventSeries, HistoryReads, SeriesInfo } from '../store/index.ts';
import { byText } from '../order.ts';
import { agreeVm, agreeVolume } from './billed.ts';
import { eventLifecycles } from './from-events.ts';
import { SnapshotPeriods } from './from-snapshots.ts';
import type { BilledOf, LifecycleType, Lifecycles, Period, PeriodSource } from './period.ts';
import type { BillingPolicy } from './policy.ts';

export class HistoryPeriods implements PeriodSource {
  private readonly snapshots: SnapshotPeriods;

  constructor(
    private readonly reads: HistoryReads,
    private readonly policy: BillingPolicy,
    /** Every series of the database, and every (source, type) notifications cover. */
    private readonly series: readonly SeriesInfo[],
    private readonly events: readonly EventSeries[],
  ) {
    this.snapshots = new SnapshotPeriods(reads, policy, series);
  }

  sources(type: LifecycleType): string[] {
    const names = new Set([...this.series.filter((s) => s.type === type), ...this.events.filter((e) => e.type === type)].map((s) => s.source));
    return [...names].sort(byText);
  }

  async lifecycles<T extends LifecycleType>(type: T, source: string, fromMs: number, toMs: number): Promise<Lifecycles<BilledOf[T]>> {
    const series = this.series.find((s) => s.source === source && s.type === type);
    const covered = this.events.find((e) => e.source === source && e.type === type);
    const polled = series ? await this.snapshots.lifecycles(type, series, fromMs, toMs) : undefined;
    if (!covered) return polled ?? { source, until: 0, periods: new Map() };
    const heard = (await eventLifecycles(this.reads, this.policy, type, source, covered.lastAt, fromMs, toMs)) as Lifecycles<BilledOf[T]>;
    if (!polled) return heard;
    const agree = (type === 'vm' ? agreeVm : agreeVolume) as (a: BilledOf[T], b: BilledOf[T]) => boolean;
    const periods = new Map(polled.periods);
    for (const [id, list] of heard.periods) {
      const seen = polled.periods.get(id) ?? [];
      periods.set(id, list.map((p) => (seen.some((q) => overlaps(p, q) && agree(p.billed, q.billed)) ? { ...p, origin: 'both' as const } : p)));
    }
    return { source, until: Math.max(polled.until, heard.until), periods };
  }
}

function overlaps(a: Period<unknown>, b: Period<unknown>): boolean {
  return a.start < (b.end ?? Number.POSITIVE_INFINITY) && b.start < (a.end ?? Number.POSITIVE_INFINITY);
}
