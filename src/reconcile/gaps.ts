// SPEC §8.5 `event_gap`: a UTC day without a single event of the type while the snapshots changed in
// ways no event explains (a resource changed between two complete snapshots, and nothing was heard
// of it within the settle time of that stretch): the listener was down. Consecutive such days are
// one gap, one row.
import { DAY_MS, startOfDay } from '../time.ts';
import { SETTLE_MS } from './compare.ts';
import type { Disagreement } from './disagreement.ts';
import { anyWithin, type EventsView, firstAtOrAfter } from './events-view.ts';
import type { Observation } from './snapshots-view.ts';


export class GapFinder<B> {
  /** Per stretch between two complete snapshots, the changes no event explains… */
  private readonly stretches: number[] = [];
  /** …and per silent day, the stretches that touch it. */
  private readonly unexplained = new Map<number, number[]>();

  constructor(
    private readonly heard: EventsView<B>,
    private readonly fromMs: number,
    private readonly toMs: number,
  ) {}

  observe(observation: Observation<B>): void {
    const { previousAt, at, changed } = observation;
    if (previousAt === undefined || !changed.size) return;
    let count = 0;
    for (const id of changed) {
      const marks = this.heard.resources.get(id)?.marks;
      if (!marks || !anyWithin(marks, previousAt - SETTLE_MS, at + SETTLE_MS)) count++;
    }
    if (!count) return;
    const stretch = this.stretches.push(count) - 1;
    // Before the listener's first day it was not down: it was not there.
    const first = Math.max(startOfDay(previousAt), startOfDay(this.heard.firstAt), this.fromMs);
    for (let day = first; day <= startOfDay(at) && day < this.toMs; day += DAY_MS) {
      if (anyWithin(this.heard.times, day, day + DAY_MS - 1)) continue;
      const touching = this.unexplained.get(day);
      if (touching) touching.push(stretch);
      else this.unexplained.set(day, [stretch]);
    }
  }

  /** The silent days found (each a UTC day's start), oldest first. */
  days(): number[] {
    return [...this.unexplained.keys()].sort((a, b) => a - b);
  }

  rows(source: string, resourceType: 'vm' | 'volume'): Disagreement[] {
    const days = this.days();
    const rows: Disagreement[] = [];
    for (let i = 0; i < days.length; ) {
      let j = i;
      const touching = new Set(this.unexplained.get(days[i]!));
      while (j + 1 < days.length && days[j + 1] === days[j]! + DAY_MS) for (const k of this.unexplained.get(days[++j]!)!) touching.add(k);
      let changes = 0;
      for (const k of touching) changes += this.stretches[k]!;
      const start = days[i]!;
      const before = firstAtOrAfter(this.heard.times, start) - 1;
      rows.push({
        source,
        resourceType,
        kind: 'event_gap',
        firstSeenAt: start,
        eventsValue: j > i ? `no events for ${j - i + 1} days` : 'no events for 1 day',
        snapshotValue: `${changes} change(s) no event explains`,
        lastSeenAt: before >= 0 ? this.heard.times[before] : undefined,
        firstAbsentAt: start,
      });
      i = j + 1;
    }
    return rows;
  }
}
