// SPEC §3 History: the state of a series at any instant, rebuilt from its changes.
import type { Store } from './store/store.ts';

/** Every resource present just before `beforeMs` (exclusive), with its record as canonical JSON. */
export function stateBefore(store: Store, seriesId: number, beforeMs: number): Map<string, string> {
  const state = new Map<string, string>();
  for (const change of store.changes(seriesId, 0, beforeMs)) {
    if (change.action === 'removed') state.delete(change.key);
    else state.set(change.key, change.record);
  }
  return state;
}
