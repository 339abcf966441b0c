// SPEC §8.1, the OSWL report: one row per resource present at the end of each day (carried forward
// from before --from), plus one per resource removed that day, with is_added/is_modified/is_removed.
// Memory holds one state (O(resources)); rows stream out, and an unchanged resource's CSV text is
// formatted once, not once a day.
import { stateBefore } from '../history.ts';
import { byText } from '../order.ts';
import type { SeriesInfo, Store } from '../store/store.ts';
import { addDays, formatDay, startOfDay } from '../time.ts';
import type { ResourceType } from '../types/type.ts';
import { csvCells, csvLine } from './csv.ts';
import { recordBody } from './columns.ts';

const ADDED = 1;
const MODIFIED = 2;
const REMOVED = 4;

interface Entry {
  json: string;
  /** The CSV text of id and fields, made on first use and dropped when the record changes. */
  body?: string;
}

const FLAGS = Array.from({ length: 8 }, (_, bits) =>
  csvLine([(bits & ADDED) !== 0, (bits & MODIFIED) !== 0, (bits & REMOVED) !== 0]),
);

/**
 * The rows of one series for the UTC days [fromDay, toDay] (epoch ms of day starts), limited to the
 * days between its first and last snapshot: no rows are invented after the last observation.
 */
export function* inventoryRows(
  store: Store,
  series: SeriesInfo,
  type: ResourceType,
  withPrivate: boolean,
  fromDay: number,
  toDay: number,
): Generator<string> {
  const firstDay = Math.max(fromDay, startOfDay(series.firstAt));
  const lastDay = Math.min(toDay, startOfDay(series.lastAt));
  if (firstDay > lastDay) return;
  const body = recordBody(type, withPrivate);
  const bodyOf = (key: string, entry: Entry) => (entry.body ??= body(key, entry.json));

  // Carry forward: the state at the start of the first day, rebuilt from every earlier change.
  const state = new Map<string, Entry>();
  for (const [key, json] of stateBefore(store, series.id, firstDay)) state.set(key, { json });
  let sorted = [...state.keys()].sort(byText);

  const changes = store.changes(series.id, firstDay, addDays(lastDay, 1));
  let next = changes.next();
  for (let day = firstDay; day <= lastDay; day = addDays(day, 1)) {
    const end = addDays(day, 1);
    const flags = new Map<string, number>();
    const removed = new Map<string, Entry>();
    const appeared: string[] = [];
    let membershipChanged = false;
    for (; !next.done && next.value.takenAt < end; next = changes.next()) {
      const { key, action, record } = next.value;
      flags.set(key, (flags.get(key) ?? 0) | (action === 'added' ? ADDED : action === 'modified' ? MODIFIED : REMOVED));
      if (action === 'removed') {
        state.delete(key);
        removed.set(key, { json: record });
        membershipChanged = true;
      } else {
        if (action === 'added') {
          appeared.push(key);
          membershipChanged = true;
        }
        state.set(key, { json: record });
      }
    }
    if (membershipChanged) {
      const kept = sorted.filter((key) => state.has(key));
      const fresh = [...new Set(appeared)].filter((key) => state.has(key) && !inSorted(sorted, key)).sort(byText);
      sorted = merge(kept, fresh);
    }

    const prefix = `${csvCells([series.source, type.name, formatDay(day)])},`;
    // Removed during the day and not back by its end: one row with the last state.
    const gone = [...removed.keys()].filter((key) => !state.has(key)).sort(byText);
    for (const key of merge(sorted, gone)) {
      const entry = state.get(key) ?? removed.get(key)!;
      yield `${prefix}${bodyOf(key, entry)},${FLAGS[flags.get(key) ?? 0]}`;
    }
  }
  changes.return?.();
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
