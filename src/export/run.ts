// `export`: which reports, types and sources, into which output (SPEC §8).
import { UsageError } from '../errors.ts';
import type { BillingPolicy } from '../lifecycles/policy.ts';
import type { HistoryReads, SeriesInfo } from '../store/index.ts';
import { addDays, startOfDay } from '../time.ts';
import { resourceType, resourceTypes } from '../types/index.ts';
import type { ResourceType } from '../types/type.ts';
import { CHANGES_COLUMNS, changeRows } from './changes.ts';
import { inventoryColumns } from './columns.ts';
import { csvLine } from './csv.ts';
import { inventoryRows } from './inventory.ts';
import { ledgerRows } from './ledger.ts';
import type { Output } from './output.ts';
import { HistoryPeriods } from '../lifecycles/history.ts';
import { reconcileFile } from './reconcile.ts';
import { lifecycleFiles, usageFiles } from './usage/files.ts';

export const REPORTS = ['inventory', 'changes', 'usage', 'lifecycles', 'reconcile'] as const;
export type Report = (typeof REPORTS)[number];

export interface ExportRequest {
  /** Epoch ms of the first and last UTC day, both inclusive (SPEC §7). */
  readonly fromDay: number;
  readonly toDay: number;
  readonly reports: readonly Report[];
  readonly types: readonly string[];
  readonly sources: readonly string[];
  /** The billing policy of the usage and lifecycles reports (SPEC §8.3). */
  readonly policy: BillingPolicy;
  /** Problems worth a warning line that do not stop the export. */
  warn(message: string): void;
}

interface Series extends SeriesInfo {
  readonly resourceType: ResourceType;
}

export interface ExportFile {
  readonly name: string;
  /** The file's text, header first, in chunks of whole lines. */
  readonly lines: () => AsyncIterable<string>;
  /** Written only when it has rows: an inventory type the export was not asked for by name. */
  readonly unlessEmpty?: boolean;
}

/** Checks the request against the database and lists the files it makes (no history is read yet). */
export async function planExport(reads: HistoryReads, request: ExportRequest): Promise<ExportFile[]> {
  for (const name of request.types) {
    if (!resourceType(name)) {
      throw new UsageError(`unknown resource type ${name} (known: ${resourceTypes().map((t) => t.name).join(', ')})`);
    }
  }
  const known = new Set(await reads.sourceNames());
  for (const name of request.sources) {
    if (!known.has(name)) throw new UsageError(`unknown source ${name} (in this database: ${[...known].join(', ') || 'none'})`);
  }
  const all = await reads.listSeries();
  const series: Series[] = all
    .filter((s) => !request.sources.length || request.sources.includes(s.source))
    .filter((s) => !request.types.length || request.types.includes(s.type))
    .flatMap((s) => {
      const type = resourceType(s.type);
      return type ? [{ ...s, resourceType: type }] : [];
    });
  const endMs = addDays(request.toDay, 1);
  const files: ExportFile[] = [];
  const selected = (source: string) => !request.sources.length || request.sources.includes(source);
  for (const report of request.reports) {
    if (report === 'reconcile') {
      files.push(reconcileFile(reads, all, await reads.eventSeries(), { ...request, selected }));
      continue;
    }
    if (report === 'usage' || report === 'lifecycles') {
      // All series: the usage of an instance needs its source's flavors, whether the export selects them or not.
      const periods = new HistoryPeriods(reads, request.policy, all, await reads.eventSeries());
      const usage = { ...request, selected };
      files.push(...(report === 'usage' ? usageFiles(reads, periods, series, usage) : lifecycleFiles(periods, usage)));
      continue;
    }
    if (report === 'changes') {
      files.push({
        name: 'changes.csv',
        lines: async function* () {
          yield csvLine(CHANGES_COLUMNS);
          yield* changeRows(reads, series, request.fromDay, endMs);
        },
      });
      continue;
    }
    // Types asked for by name get a file even when empty; otherwise every type with rows in the
    // range (a type with history but none in the range is left out when writing).
    // SPEC §8.1: an inventory series has rows only on the days from its first snapshot's to its
    // last's, so one whose days miss the range is not planned (a ledger's rows fall on its records'
    // days: those are found by reading). When none meets the range, all are, and the empty range is
    // told as such (a header on --stdout, a warning otherwise).
    const meeting = series.filter((s) => s.resourceType.mode === 'ledger' || (startOfDay(s.firstAt) <= request.toDay && startOfDay(s.lastAt) >= request.fromDay));
    const reported = meeting.length ? meeting : series;
    const types = request.types.length
      ? request.types.map((name) => resourceType(name)!)
      : resourceTypes().filter((type) => reported.some((s) => s.type === type.name));
    for (const type of types) {
      const ofType = reported.filter((s) => s.type === type.name);
      const withPrivate = await reads.storesPrivateFields(ofType.map((s) => s.id));
      files.push({
        name: `${type.name}.csv`,
        unlessEmpty: !request.types.length,
        lines: async function* () {
          yield csvLine(inventoryColumns(type, withPrivate));
          // SPEC §8.1: ledger types (jobs) have one row per record, on the day of its end.
          const rows = type.mode === 'ledger' ? ledgerRows : inventoryRows;
          for (const s of ofType) yield* rows(reads, s, type, withPrivate, request.fromDay, request.toDay);
        },
      });
    }
  }
  return files;
}

export interface WriteOptions {
  /** `--excel`: a UTF-8 byte-order mark first in each file, for Excel to read it as UTF-8. */
  readonly excel?: boolean;
  /** Told the rows written so far (a terminal's progress line), a few times a second at most. */
  readonly progress?: (file: string, rows: number) => void;
}

/** Writes the files into `output`: `files` is how many CSVs it holds, `written` what to tell a person. */
export async function writeExport(
  files: readonly ExportFile[],
  output: Output,
  options: WriteOptions = {},
): Promise<{ files: number; written: string[] }> {
  try {
    let count = 0;
    for (const file of files) {
      const lines = file.unlessEmpty ? await withRows(file.lines()) : file.lines();
      if (!lines) continue;
      const counted = options.progress ? countRows(lines, file.name, options.progress) : lines;
      await output.file(file.name, options.excel ? withByteOrderMark(counted) : counted);
      count++;
    }
    return { files: count, written: await output.close() };
  } catch (err) {
    await output.abort();
    throw err;
  }
}

/** Passes the lines on, telling `progress` the rows so far (line ends after the header's) every 250 ms. */
async function* countRows(lines: AsyncIterable<string>, file: string, progress: (file: string, rows: number) => void): AsyncGenerator<string> {
  let rows = -1;
  let told = 0;
  for await (const text of lines) {
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) rows++;
    if (Date.now() - told >= 250) {
      progress(file, Math.max(rows, 0));
      told = Date.now();
    }
    yield text;
  }
}

async function* withByteOrderMark(lines: AsyncIterable<string>): AsyncGenerator<string> {
  yield '\uFEFF';
  yield* lines;
}

/** The file's lines if some row follows the header, else undefined: read up to its first row only. */
async function withRows(lines: AsyncIterable<string>): Promise<AsyncIterable<string> | undefined> {
  const iterator = lines[Symbol.asyncIterator]();
  const header = await iterator.next();
  if (header.done) return undefined;
  let first = await iterator.next();
  while (!first.done && !first.value) first = await iterator.next();
  if (first.done) return undefined;
  const row = first.value;
  return (async function* () {
    try {
      yield header.value;
      yield row;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      // A writer that stops early (its disk full) closes this; the rows' statement must close too,
      // or the database stays busy and closing it hides the real cause (issue 13).
      await iterator.return?.();
    }
  })();
}
