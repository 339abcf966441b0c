// SPEC §8.5, the events' side: every resource's lifecycle as the notifications fold it (SPEC §4.4),
// with the times something was heard of it (to let a snapshot settle around them), and what the
// source sends at all (on which days, which audit periods).
import { resourceEvents, typeNames } from '../lifecycles/from-events.ts';
import type { BilledOf, Period } from '../lifecycles/period.ts';
import type { BillingPolicy } from '../lifecycles/policy.ts';
import type { AuditPeriod } from '../sources/notifications/event.ts';
import type { HistoryReads } from '../store/index.ts';

export interface HeardResource<B> {
  readonly periods: readonly Period<B>[];
  /** Event times and period bounds, sorted: a snapshot this close to one may not have seen it yet. */
  readonly marks: Float64Array;
  /** Whether an event opened it (`create.end`): without one its start was inferred from a later message. */
  readonly opened: boolean;
  /** The audit periods (`beginning/ending`) an `exists` confirmed it for. */
  readonly audited: ReadonlySet<string>;
}

export interface EventsView<B> {
  readonly resources: ReadonlyMap<string, HeardResource<B>>;
  /** Every event's time, sorted (the days the listener heard something, the last it heard before a gap). */
  readonly times: Float64Array;
  readonly firstAt: number;
  readonly lastAt: number;
  /** The audit periods of the source's `exists` events, in time order (none: it sends none). */
  readonly auditPeriods: readonly AuditPeriod[];
  /** Volume type names the source's events declared: a type the events name otherwise is an id they could not resolve. */
  readonly typeNames: ReadonlySet<string>;
}

export const auditKey = (p: AuditPeriod): string => `${p.beginning}/${p.ending}`;

export async function eventsView<T extends 'vm' | 'volume'>(reads: HistoryReads, policy: BillingPolicy, type: T, source: string): Promise<EventsView<BilledOf[T]>> {
  const resources = new Map<string, HeardResource<BilledOf[T]>>();
  const times: number[] = [];
  const audits = new Map<string, AuditPeriod>();
  let firstAt = Number.POSITIVE_INFINITY;
  let lastAt = Number.NEGATIVE_INFINITY;
  // Volume type names are read once, for the fold and for type_drift.
  const names = type === 'volume' ? await typeNames(reads, source) : new Map<string, string>();
  for await (const resource of resourceEvents(reads, policy, type, source, names)) {
    const marks: number[] = [];
    const audited = new Set<string>();
    let opened = false;
    for (const event of resource.events) {
      marks.push(event.at);
      times.push(event.at);
      if (event.at < firstAt) firstAt = event.at;
      if (event.at > lastAt) lastAt = event.at;
      if (event.action === 'create.end') opened = true;
      if (event.action === 'exists') {
        const period = (JSON.parse(event.facts) as { auditPeriod?: AuditPeriod }).auditPeriod;
        if (period && period.ending > period.beginning) {
          const key = auditKey(period);
          audited.add(key);
          audits.set(key, { beginning: period.beginning, ending: period.ending });
        }
      }
    }
    for (const p of resource.periods) {
      marks.push(p.start);
      if (p.end !== undefined) marks.push(p.end);
    }
    resources.set(resource.id, { periods: resource.periods as Period<BilledOf[T]>[], marks: Float64Array.from(marks).sort(), opened, audited });
  }
  const auditPeriods = [...audits.values()].sort((a, b) => a.beginning - b.beginning || a.ending - b.ending);
  return { resources, times: Float64Array.from(times).sort(), firstAt, lastAt, auditPeriods, typeNames: new Set(names.values()) };
}

/** The period of a resource in force at `at`, if any. */
export function periodAt<B>(periods: readonly Period<B>[], at: number): Period<B> | undefined {
  for (const p of periods) if (p.start <= at && (p.end === undefined || at < p.end)) return p;
  return undefined;
}

/** The index of the first of the sorted `values` at or after `at`. */
export function firstAtOrAfter(values: Float64Array, at: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether any of the sorted `marks` lies in [from, to]. */
export function anyWithin(marks: Float64Array, from: number, to: number): boolean {
  const i = firstAtOrAfter(marks, from);
  return i < marks.length && marks[i]! <= to;
}
