// SPEC §8.2: one row per added or removed resource, one per changed field of a modified one.
import type { FieldChanges } from '../diff.ts';
import type { SeriesInfo, Store } from '../store/store.ts';
import { formatInstant } from '../time.ts';
import type { ResourceType } from '../types/type.ts';
import { displayId } from './columns.ts';
import { cell, csvLine } from './csv.ts';

export const CHANGES_COLUMNS = ['source', 'resource_type', 'id', 'at', 'action', 'field', 'old', 'new'];

/** Changes with `at` in [fromMs, toMs), ordered by at, source, type, id and field. */
export function* changeRows(
  store: Store,
  series: readonly (SeriesInfo & { readonly resourceType: ResourceType })[],
  fromMs: number,
  toMs: number,
): Generator<string> {
  const byId = new Map(series.map((s) => [s.id, s]));
  if (!byId.size) return;
  for (const change of store.changesAcross([...byId.keys()], fromMs, toMs)) {
    const info = byId.get(change.seriesId)!;
    const head = [info.source, info.type, displayId(info.resourceType, change.key), formatInstant(change.takenAt), change.action];
    if (change.action !== 'modified' || !change.fields) {
      yield csvLine([...head, null, null, null]);
      continue;
    }
    const fields = JSON.parse(change.fields) as FieldChanges;
    for (const field of Object.keys(fields).sort()) {
      yield csvLine([...head, field, cell(fields[field]!.old), cell(fields[field]!.new)]);
    }
  }
}
