// SPEC §8.3 "where times come from", from polled snapshots alone: a resource's periods are built from
// its added / modified / removed changes. A start is exact when the record says it (launched_at,
// else created_at), else it is the first snapshot that saw the resource; a removal or a change of what
// is billed, between the last snapshot that saw the old state and the first that saw the new one, is
// placed at the midpoint of the two, and the hours resting on that guess are marked estimated.
import type { HistoryReads, SeriesInfo } from '../store/index.ts';
import type { Row } from '../types/fields.ts';
import { FlavorBook } from './flavors.ts';
import { sameVm, sameVolume } from './billed.ts';
import type { BilledOf, LifecycleType, Lifecycles, Period, VmBilled, VolumeBilled } from './period.ts';
import type { BillingPolicy } from './policy.ts';

/** How one type's records are billed. */
export interface Billing<B> {
  billed(record: Row, at: number): B;
  same(a: B, b: B): boolean;
  /** When the resource began, by its own record. */
  startOf(record: Row): number | undefined;
  /** The instant a change really happened, when the new record says it (an instance launched since). */
  changedAt?(launchedBefore: boolean, after: Row): number | undefined;
}

interface Open<B> {
  start: number;
  startExact: boolean;
  estimatedUntil?: number;
  billed: B;
  /** Whether the record so far had a launched_at (the whole record is not kept: memory per resource). */
  launched: boolean;
}

export class SnapshotPeriods {
  private readonly flavorBooks = new Map<string, Promise<FlavorBook>>();

  constructor(
    private readonly reads: HistoryReads,
    private readonly policy: BillingPolicy,
    /** Every series of the database (the flavors of a source are looked up among them). */
    private readonly allSeries: readonly SeriesInfo[],
  ) {}

  async lifecycles<T extends LifecycleType>(type: T, series: SeriesInfo, fromMs: number, toMs: number): Promise<Lifecycles<BilledOf[T]>> {
    return fold(this.reads, series, await this.billing(type, series.source), fromMs, toMs);
  }

  /** How a source's records of one type are billed (reconcile compares them with the events', SPEC §8.5). */
  async billing<T extends LifecycleType>(type: T, source: string): Promise<Billing<BilledOf[T]>> {
    return (type === 'vm' ? this.vmBilling(await this.flavors(source)) : this.volumeBilling()) as Billing<BilledOf[T]>;
  }

  private flavors(source: string): Promise<FlavorBook> {
    let book = this.flavorBooks.get(source);
    if (!book) {
      book = FlavorBook.load(this.reads, this.allSeries.find((s) => s.source === source && s.type === 'flavor'));
      this.flavorBooks.set(source, book);
    }
    return book;
  }

  private vmBilling(book: FlavorBook): Billing<VmBilled> {
    return {
      billed: (record, at) => {
        // Records stored before issue 13 item 3 hold a Nova >= 2.47 flavor's name in flavor_id.
        const id = text(record.flavor_id);
        const name = text(record.flavor_name);
        const known = book.find(id ?? name, at);
        // SPEC §8.3: the instance's own record first (Nova >= 2.47 embeds the flavor), else the flavor list.
        const sizes =
          record.vcpus !== undefined ? { vcpus: num(record.vcpus), ramMb: num(record.ram_mb), diskGb: num(record.disk_gb) } : known;
        return {
          tenantId: text(record.tenant_id),
          flavorId: known?.id ?? id,
          flavorName: known?.name ?? name,
          vcpus: sizes?.vcpus,
          ramMb: sizes?.ramMb,
          diskGb: sizes?.diskGb,
          stateClass: this.policy.vmClass(record),
        };
      },
      same: sameVm,
      // launched_at, not created_at, when there is one: build time is not billed.
      startOf: (record) => time(record.launched_at) ?? time(record.created_at),
      // Rebuild, resize and unshelve reset launched_at, but never start anew; a first launch is exact.
      changedAt: (launchedBefore, after) => (launchedBefore ? undefined : time(after.launched_at)),
    };
  }

  private volumeBilling(): Billing<VolumeBilled> {
    return {
      billed: (record) => ({
        tenantId: text(record.tenant_id),
        sizeGb: num(record.size_gb),
        volumeType: text(record.volume_type),
        stateClass: this.policy.volumeClass(record),
      }),
      same: sameVolume,
      startOf: (record) => time(record.created_at),
    };
  }
}

/** Replays a series' changes into periods, keeping those that overlap [fromMs, toMs). */
async function fold<B>(reads: HistoryReads, series: SeriesInfo, billing: Billing<B>, fromMs: number, toMs: number): Promise<Lifecycles<B>> {
  const times = await reads.snapshotTimes(series.id);
  // A change seen at the first snapshot after the range may have happened inside it (the midpoint).
  const readTo = (times.find((t) => t >= toMs) ?? series.lastAt) + 1;
  const open = new Map<string, Open<B>>();
  const lastEnd = new Map<string, number>();
  const periods = new Map<string, Period<B>[]>();
  const keep = (id: string, period: Period<B>) => {
    if (period.start >= toMs || (period.end !== undefined && period.end <= fromMs)) return;
    let list = periods.get(id);
    if (!list) periods.set(id, (list = []));
    list.push(period);
  };
  const close = (id: string, current: Open<B>, end: number, exact: boolean, estimatedFrom?: number) => {
    keep(id, { id, start: current.start, end, startExact: current.startExact, endExact: exact, estimatedUntil: current.estimatedUntil, estimatedFrom, billed: current.billed, origin: 'snapshots' });
  };
  let k = 0;
  for await (const chunk of reads.changes(series.id, 0, readTo)) {
    for (const change of chunk) {
      while (times[k]! < change.takenAt) k++;
      const seen = change.takenAt;
      // The last snapshot that saw the old state (never undefined for a modification or a removal).
      const before = k > 0 ? times[k - 1]! : seen;
      const midpoint = Math.floor((before + seen) / 2);
      const record = JSON.parse(change.record) as Row;
      const current = open.get(change.key);
      if (change.action === 'added' || !current) {
        const own = billing.startOf(record);
        // A resource back after a removal starts no earlier than its last period ended.
        const start = Math.max(own ?? seen, lastEnd.get(change.key) ?? Number.NEGATIVE_INFINITY);
        open.set(change.key, { start, startExact: own !== undefined, billed: billing.billed(record, start), launched: record.launched_at !== undefined });
        continue;
      }
      if (change.action === 'removed') {
        close(change.key, current, Math.max(current.start, midpoint), false, before);
        open.delete(change.key);
        lastEnd.set(change.key, Math.max(current.start, midpoint));
        continue;
      }
      const exactAt = billing.changedAt?.(current.launched, record);
      const exact = exactAt !== undefined && exactAt > before && exactAt <= seen;
      const at = Math.max(current.start, exact ? exactAt : midpoint);
      const billed = billing.billed(record, at);
      if (!billing.same(current.billed, billed)) {
        close(change.key, current, at, exact, exact ? undefined : before);
        open.set(change.key, { start: at, startExact: exact, estimatedUntil: exact ? undefined : seen, billed, launched: record.launched_at !== undefined });
      } else {
        current.launched = record.launched_at !== undefined;
      }
    }
  }
  // Still there at the last snapshot: open, and billed up to it only.
  for (const [id, current] of open) {
    keep(id, { id, start: current.start, startExact: current.startExact, endExact: false, estimatedUntil: current.estimatedUntil, billed: current.billed, origin: 'snapshots' });
  }
  return { source: series.source, until: series.lastAt, periods };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function time(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
