// SPEC §8.1, the OSWL report: one row per resource present at the end of each day (carried forward
// from before --from), plus one per resource removed that day, with is_added/is_modified/is_removed.
// Memory holds one state (O(resources)); rows stream out a day at a time, and an unchanged
// resource's CSV text is formatted once, not once a day.
import { byText } from '../order.ts';
import type { ChangeRow, HistoryReads, SeriesInfo } from '../store/index.ts';
import { addDays, formatDay, startOfDay } from '../time.ts';
import type { ResourceType } from '../types/type.ts';
import { recordBody } from './columns.ts';
import { csvCells, csvLine } from './csv.ts';
import { stateBefore } from './state.ts';

const ADDED = 1;
const MODIFIED = 2;
const REMOVED = 4;

interface Entry {
  json: string;
  /** The CSV text of id and fields, made on first use and dropped when the record changes. */
  body?: string;
}

const FLAGS = Array.from({ length: 8 }, (_, bits) => csvLine([(bits & ADDED) !== 0, (bits & MODIFIED) !== 0, (bits & REMOVED) !== 0]));

/**
 * The rows of one series for the UTC days [fromDay, toDay] (epoch ms of day starts), limited to the
 * days between its first and last snapshot: no rows are invented after the last observation.
 * Each yielded text holds up to CHUNK rows.
 */
export async function* inventoryRows(
  reads: HistoryReads,
  series: SeriesInfo,
  type: ResourceType,
  withPrivate: boolean,
  fromDay: number,
  toDay: number,
): AsyncGenerator<string> {
  const firstDay = Math.max(fromDay, startOfDay(series.firstAt));
  const lastDay = Math.min(toDay, startOfDay(series.lastAt));
  if (firstDay > lastDay) return;
  // Carry forward: the state at the start of the first day, rebuilt from every earlier change.
  const days = new Days(series.source, type, withPrivate, firstDay, await stateBefore(reads, series.id, firstDay));
  const end = addDays(lastDay, 1);
  for await (const chunk of reads.changes(series.id, firstDay, end)) {
    for (const change of chunk) {
      while (change.takenAt >= days.end) yield* days.close();
      days.apply(change);
    }
  }
  while (days.day <= lastDay) yield* days.close();
}

/** Rows per yielded text: few promises per row, and no string near V8's limit however many resources. */
const CHUNK = 256;

/** The state as it goes through the days, and the flags of the day in progress. */
class Days {
  private readonly state = new Map<string, Entry>();
  private sorted: string[];
  private readonly body: (key: string, json: string) => string;
  private flags = new Map<string, number>();
  private removed = new Map<string, Entry>();
  private appeared: string[] = [];
  private membershipChanged = false;

  constructor(
    private readonly source: string,
    private readonly type: ResourceType,
    withPrivate: boolean,
    public day: number,
    carried: ReadonlyMap<string, string>,
  ) {
    this.body = recordBody(type, withPrivate);
    for (const [key, json] of carried) this.state.set(key, { json });
    this.sorted = [...this.state.keys()].sort(byText);
  }

  get end(): number {
    return addDays(this.day, 1);
  }

  apply({ key, action, record }: ChangeRow): void {
    this.flags.set(key, (this.flags.get(key) ?? 0) | (action === 'added' ? ADDED : action === 'modified' ? MODIFIED : REMOVED));
    if (action === 'removed') {
      this.state.delete(key);
      this.removed.set(key, { json: record });
      this.membershipChanged = true;
    } else {
      if (action === 'added') {
        this.appeared.push(key);
        this.membershipChanged = true;
      }
      this.state.set(key, { json: record });
    }
  }

  /** The rows of the day in progress, in chunks; the next day begins. */
  *close(): Generator<string> {
    if (this.membershipChanged) {
      const kept = this.sorted.filter((key) => this.state.has(key));
      const fresh = [...new Set(this.appeared)].filter((key) => this.state.has(key) && !inSorted(this.sorted, key)).sort(byText);
      this.sorted = merge(kept, fresh);
    }
    const prefix = `${csvCells([this.source, this.type.name, formatDay(this.day)])},`;
    // Removed during the day and not back by its end: one row with the last state.
    const gone = [...this.removed.keys()].filter((key) => !this.state.has(key)).sort(byText);
    const keys = merge(this.sorted, gone);
    for (let start = 0; start < keys.length; start += CHUNK) {
      const lines = new Array<string>(Math.min(CHUNK, keys.length - start));
      for (let i = 0; i < lines.length; i++) {
        const key = keys[start + i]!;
        const entry = this.state.get(key) ?? this.removed.get(key)!;
        lines[i] = `${prefix}${(entry.body ??= this.body(key, entry.json))},${FLAGS[this.flags.get(key) ?? 0]}`;
      }
      yield lines.join('');
    }
    this.day = this.end;
    this.flags = new Map();
    this.removed = new Map();
    this.appeared = [];
    this.membershipChanged = false;
  }
}

function inSorted(sorted: readonly string[], key: string): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = byText(sorted[mid]!, key);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function merge(a: readonly string[], b: readonly string[]): string[] {
  if (!b.length) return a as string[];
  const out: string[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = byText(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
