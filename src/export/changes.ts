// SPEC §8.2: one row per added or removed resource, one per changed field of a modified one.
import type { FieldChanges } from '../diff.ts';
import type { HistoryReads, SeriesInfo } from '../store/index.ts';
import { formatSecond } from '../time.ts';
import type { ResourceType } from '../types/type.ts';
import { displayId, fieldCell } from './columns.ts';
import { csvLine } from './csv.ts';

export const CHANGES_COLUMNS = ['source', 'resource_type', 'id', 'at', 'action', 'field', 'old', 'new'];

/** Changes with `at` in [fromMs, toMs), ordered by at, source, type, id and field; a chunk of rows per text. */
export async function* changeRows(
  reads: HistoryReads,
  series: readonly (SeriesInfo & { readonly resourceType: ResourceType })[],
  fromMs: number,
  toMs: number,
): AsyncGenerator<string> {
  const byId = new Map(series.map((s) => [s.id, { ...s, shown: fieldCell(s.resourceType) }]));
  if (!byId.size) return;
  for await (const chunk of reads.changesAcross([...byId.keys()], fromMs, toMs)) {
    const lines: string[] = [];
    for (const change of chunk) {
      const info = byId.get(change.seriesId)!;
      const head = [info.source, info.type, displayId(info.resourceType, change.key), formatSecond(change.takenAt), change.action];
      if (change.action !== 'modified' || !change.fields) {
        lines.push(csvLine([...head, null, null, null]));
        continue;
      }
      const fields = JSON.parse(change.fields) as FieldChanges;
      for (const field of Object.keys(fields).sort()) {
        lines.push(csvLine([...head, field, info.shown(field, fields[field]!.old), info.shown(field, fields[field]!.new)]));
      }
    }
    yield lines.join('');
  }
}
