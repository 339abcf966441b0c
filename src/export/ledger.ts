// SPEC §8.1 for ledger types: one row per record on the day of its time (a job on the day it ended),
// in its latest version. The flags of a ledger row: is_added is always true (the row is the record's
// one appearance), is_modified says the record was updated after it was first stored (a job
// re-reported with new content), is_removed is always false (a ledger never removes).
import { byText } from '../order.ts';
import type { HistoryReads, SeriesInfo } from '../store/index.ts';
import { addDays, formatDay, startOfDay } from '../time.ts';
import type { ResourceType } from '../types/type.ts';
import { recordBody } from './columns.ts';
import { csvCells, csvLine } from './csv.ts';

const FLAGS = [csvLine([true, false, false]), csvLine([true, true, false])];

/** The rows of one ledger series for the UTC days [fromDay, toDay], ordered by day, then id; a day's rows per text. */
export async function* ledgerRows(
  reads: HistoryReads,
  series: SeriesInfo,
  type: ResourceType,
  withPrivate: boolean,
  fromDay: number,
  toDay: number,
): AsyncGenerator<string> {
  const body = recordBody(type, withPrivate);
  let day = Number.NaN;
  let prefix = '';
  // One day's rows at a time (a day of jobs, not the ledger), sorted by id.
  let rows: { key: string; line: string }[] = [];
  const flush = () => {
    rows.sort((a, b) => byText(a.key, b.key));
    const text = rows.map((row) => row.line).join('');
    rows = [];
    return text;
  };
  for await (const chunk of reads.ledgerRecords(series.id, fromDay, addDays(toDay, 1))) {
    for (const record of chunk) {
      const recordDay = startOfDay(record.at);
      if (recordDay !== day) {
        if (rows.length) yield flush();
        day = recordDay;
        prefix = `${csvCells([series.source, type.name, formatDay(day)])},`;
      }
      rows.push({ key: record.key, line: `${prefix}${body(record.key, record.record)},${FLAGS[record.modified ? 1 : 0]}` });
    }
  }
  if (rows.length) yield flush();
}
