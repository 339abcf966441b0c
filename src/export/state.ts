// SPEC §3 History: the state of a series at any instant, rebuilt from its changes.
import type { HistoryReads } from '../store/index.ts';

/** Every resource present just before `beforeMs` (exclusive), with its record as canonical JSON. */
export async function stateBefore(reads: HistoryReads, seriesId: number, beforeMs: number): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for await (const chunk of reads.changes(seriesId, 0, beforeMs)) {
    for (const change of chunk) {
      if (change.action === 'removed') state.delete(change.key);
      else state.set(change.key, change.record);
    }
  }
  return state;
}
