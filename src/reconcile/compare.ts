// SPEC §8.5: each complete snapshot is compared with what the events say of the same moment, resource
// by resource; a disagreement opens where first seen and closes at the first complete snapshot where
// it no longer holds, so it is one row however many snapshots see it. A resource that something was
// heard of within the settle time of a snapshot is not compared there (the snapshot may not have
// seen it yet): it neither opens nor closes anything.
import type { Period } from '../lifecycles/period.ts';
import { formatSecond } from '../time.ts';
import type { Aspect } from './aspects.ts';
import type { Kind } from './disagreement.ts';
import { anyWithin, type EventsView, type HeardResource, periodAt } from './events-view.ts';
import type { Listed, Observation } from './snapshots-view.ts';

/** SPEC §8.5: ten minutes either side of an event. */
export const SETTLE_MS = 10 * 60_000;

/** A disagreement found, with the stretch of time it may cover (for its hours). */
export interface Found {
  readonly id: string;
  readonly kind: Kind;
  readonly tenantId?: string;
  readonly firstSeenAt: number;
  readonly eventsValue?: string;
  readonly snapshotValue?: string;
  readonly lastSeenAt?: number;
  readonly firstAbsentAt?: number;
  /** From the last snapshot the resource was compared at before it was seen (undefined: since ever)… */
  readonly windowStart?: number;
  /** …to the snapshot where it no longer held (undefined: it still holds). */
  readonly windowEnd?: number;
}

interface Holding {
  readonly kind: Kind;
  readonly tenantId?: string;
  readonly eventsValue: string;
  readonly snapshotValue: string;
  /** The snapshot lists the resource while this holds. */
  readonly listed: boolean;
}

interface Open {
  readonly row: { -readonly [K in keyof Found]: Found[K] };
  /** The snapshot lists the resource while it holds (its absence later is news). */
  readonly listed: boolean;
}

/** Kinds whose hours are counted the same way: one opening where another of its family closes takes over from then. */
const family = (kind: Kind) => (kind === 'missed_create' || kind === 'missed_delete' || kind === 'zombie' ? 'presence' : kind);

interface Billed {
  readonly tenantId?: string;
  readonly stateClass: string;
}

export class Comparison<B extends Billed> {
  private readonly open = new Map<string, Map<Kind, Open>>();
  private readonly found: Found[] = [];
  /** Per resource: the last complete snapshot that listed it, and the last it was compared at. */
  private readonly lastListed = new Map<string, number>();
  private readonly lastCompared = new Map<string, number>();
  /**
   * The resources the events have alive around the current snapshot: only those, the listed ones and
   * those with a disagreement open need comparing (any other agrees: neither side has it).
   */
  private readonly alive = new Map<string, number>();
  private readonly byStart: { readonly id: string; readonly start: number; readonly end: number }[];
  private admitted = 0;

  constructor(
    private readonly heard: EventsView<B>,
    private readonly aspects: readonly Aspect<B>[],
  ) {
    this.byStart = [...heard.resources]
      .filter(([, r]) => r.periods.length > 0)
      .map(([id, r]) => ({ id, start: r.periods[0]!.start, end: r.periods[r.periods.length - 1]!.end ?? Number.POSITIVE_INFINITY }))
      .sort((a, b) => a.start - b.start);
  }

  observe(observation: Observation<B>): void {
    const { at, listed } = observation;
    while (this.admitted < this.byStart.length && this.byStart[this.admitted]!.start <= at + SETTLE_MS) {
      const span = this.byStart[this.admitted++]!;
      this.alive.set(span.id, span.end);
    }
    // Before the first event the listener was not there yet: there is nothing to compare.
    if (at >= this.heard.firstAt + SETTLE_MS) {
      for (const [id, item] of listed) this.check(id, at, item);
      for (const id of this.alive.keys()) if (!listed.has(id)) this.check(id, at, undefined);
      for (const id of [...this.open.keys()]) if (!listed.has(id) && !this.alive.has(id)) this.check(id, at, undefined);
    }
    // Ended for the events well before this snapshot: compared once more above, not again.
    for (const [id, end] of this.alive) if (end + SETTLE_MS < at) this.alive.delete(id);
    for (const id of listed.keys()) this.lastListed.set(id, at);
  }

  /** Every disagreement, those still holding at the last snapshot with no end to their window. */
  finish(): Found[] {
    for (const kinds of this.open.values()) for (const open of kinds.values()) this.found.push({ ...open.row });
    this.open.clear();
    return this.found;
  }

  private check(id: string, at: number, listed: Listed<B> | undefined): void {
    const heard = this.heard.resources.get(id);
    let kinds = this.open.get(id);
    if (heard && anyWithin(heard.marks, at - SETTLE_MS, at + SETTLE_MS)) {
      // Not compared here; still, a snapshot that lists the resource saw it.
      if (listed) for (const open of kinds?.values() ?? []) if (open.listed) open.row.lastSeenAt = at;
      return;
    }
    const holding = this.holding(heard, at, listed);
    const previous = this.lastCompared.get(id);
    this.lastCompared.set(id, at);
    const closed = new Set<string>();
    for (const [kind, open] of kinds ?? []) {
      const now = holding.find((h) => h.kind === kind);
      if (now && now.eventsValue === open.row.eventsValue && now.snapshotValue === open.row.snapshotValue) {
        if (now.listed) open.row.lastSeenAt = at;
        continue;
      }
      open.row.windowEnd = at;
      if (open.listed && !listed) open.row.firstAbsentAt = at;
      this.found.push({ ...open.row });
      kinds!.delete(kind);
      closed.add(family(kind));
    }
    for (const h of holding) {
      if (kinds?.has(h.kind)) continue;
      const row: Open['row'] = {
        id,
        kind: h.kind,
        tenantId: h.tenantId,
        firstSeenAt: at,
        eventsValue: h.eventsValue,
        snapshotValue: h.snapshotValue,
        // What happened since the last comparison belongs to a row of the family that closed here.
        windowStart: closed.has(family(h.kind)) ? at : previous,
        ...(h.listed ? { lastSeenAt: at } : { lastSeenAt: this.lastListed.get(id), firstAbsentAt: at }),
      };
      if (!kinds) this.open.set(id, (kinds = new Map()));
      kinds.set(h.kind, { row, listed: h.listed });
    }
    if (kinds && !kinds.size) this.open.delete(id);
  }

  /** What disagrees about one resource at one snapshot. */
  private holding(heard: HeardResource<B> | undefined, at: number, listed: Listed<B> | undefined): Holding[] {
    const period = heard ? periodAt(heard.periods, at) : undefined;
    if (listed && period) {
      const tenantId = period.billed.tenantId ?? listed.billed.tenantId;
      const out: Holding[] = [];
      for (const aspect of this.aspects) {
        const events = aspect.events(period.billed);
        const snapshot = aspect.snapshot(listed.billed);
        if (events !== undefined && snapshot !== undefined && events !== snapshot) {
          out.push({ kind: aspect.kind, tenantId, eventsValue: events, snapshotValue: snapshot, listed: true });
        }
      }
      return out;
    }
    if (period) {
      // Events say it is there; the snapshot does not list it, and no delete came.
      return [{ kind: 'missed_delete', tenantId: period.billed.tenantId, eventsValue: `open since ${formatSecond(period.start)}`, snapshotValue: 'absent', listed: false }];
    }
    if (!listed) return [];
    const shown = `listed, ${listed.billed.stateClass}`;
    const tenantId = listed.billed.tenantId;
    const periods: readonly Period<B>[] = heard?.periods ?? [];
    const last = periods[periods.length - 1];
    if (last?.end !== undefined && last.end <= at) {
      // Ended by events, still listed: running (a zombie), or listed in a state not billed.
      const kind = listed.billed.stateClass === 'billable' ? 'zombie' : 'missed_delete';
      return [{ kind, tenantId, eventsValue: `ended ${formatSecond(last.end)}`, snapshotValue: shown, listed: true }];
    }
    const later = periods.find((p) => p.start > at);
    if (later) return [{ kind: 'missed_create', tenantId, eventsValue: `starts ${formatSecond(later.start)}`, snapshotValue: shown, listed: true }];
    // No event opened it. Begun before the listener was: not a miss. Never launched by either side: nothing to bill.
    if (listed.since < this.heard.firstAt) return [];
    if (heard && listed.billed.stateClass !== 'billable') return [];
    return [{ kind: 'missed_create', tenantId, eventsValue: heard ? 'never launched' : 'no events', snapshotValue: shown, listed: true }];
  }
}
