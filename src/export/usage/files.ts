// The files of `--report usage` (SPEC §8.3) and `--report lifecycles` (SPEC §8.4): which series feed
// each, in source order, and the warning for instances billed without known flavor sizes.
import { UsageError } from '../../errors.ts';
import type { PeriodSource } from '../../lifecycles/period.ts';
import type { BillingPolicy } from '../../lifecycles/policy.ts';
import type { HistoryReads, SeriesInfo } from '../../store/index.ts';
import { addDays } from '../../time.ts';
import { csvLine } from '../csv.ts';
import { VM_LIFECYCLE_COLUMNS, VOLUME_LIFECYCLE_COLUMNS, vmLifecycleRows, volumeLifecycleRows } from '../lifecycles.ts';
import { jobUsageRows, USAGE_JOB_COLUMNS } from './job.ts';
import { sourceStorageUsageRows, STORAGE_TYPES, USAGE_STORAGE_COLUMNS } from './storage.ts';
import { USAGE_VM_COLUMNS, vmUsageRows } from './vm.ts';
import { USAGE_VOLUME_COLUMNS, volumeUsageRows } from './volume.ts';

export interface UsageRequest {
  readonly fromDay: number;
  readonly toDay: number;
  /** `--type`: which of the report's files (none: all). */
  readonly types: readonly string[];
  readonly policy: BillingPolicy;
  /** `--source`: whether a source is selected. */
  selected(source: string): boolean;
  warn(message: string): void;
}

export interface PlannedFile {
  readonly name: string;
  readonly lines: () => AsyncIterable<string>;
}

const USAGE_TYPES = ['vm', 'volume', 'job', ...STORAGE_TYPES];

/** `periods` gives instances' and volumes' periods; `series` are the series the export selects (by --source, --type). */
export function usageFiles(reads: HistoryReads, periods: PeriodSource, series: readonly SeriesInfo[], request: UsageRequest): PlannedFile[] {
  refuseTypes(request.types, USAGE_TYPES, 'usage');
  const wanted = (type: string) => !request.types.length || request.types.includes(type);
  const of = (type: string) => series.filter((s) => s.type === type);
  const sources = (type: 'vm' | 'volume') => periods.sources(type).filter(request.selected);
  const { fromDay, toDay } = request;
  const endMs = addDays(toDay, 1);
  const files: PlannedFile[] = [];
  if (wanted('vm')) {
    files.push(file('usage_vm.csv', USAGE_VM_COLUMNS, async function* () {
      for (const source of sources('vm')) {
        const unsized = new Set<string>();
        yield* vmUsageRows(await periods.lifecycles('vm', source, fromDay, endMs), fromDay, toDay, unsized);
        if (unsized.size) {
          request.warn(
            `${source}: instances of flavor(s) ${[...unsized].join(', ')} billed without known sizes (no vcpus in their records, no flavor record of that id or name); their vCPU, RAM and disk hours are left empty`,
          );
        }
      }
    }));
  }
  if (wanted('volume')) {
    files.push(file('usage_volume.csv', USAGE_VOLUME_COLUMNS, async function* () {
      for (const source of sources('volume')) yield* volumeUsageRows(await periods.lifecycles('volume', source, fromDay, endMs), fromDay, toDay);
    }));
  }
  const storage = STORAGE_TYPES.filter(wanted);
  if (storage.length) {
    files.push(file('usage_storage.csv', USAGE_STORAGE_COLUMNS, async function* () {
      // By source, then day, type and owner: one source's storage types are merged day by day.
      const ofStorage = series.filter((x) => (storage as readonly string[]).includes(x.type));
      for (const source of new Set(ofStorage.map((x) => x.source))) {
        yield* sourceStorageUsageRows(reads, ofStorage.filter((x) => x.source === source), fromDay, toDay);
      }
    }));
  }
  if (wanted('job')) {
    files.push(file('usage_job.csv', USAGE_JOB_COLUMNS, async function* () {
      for (const s of of('job')) yield* jobUsageRows(reads, s, fromDay, toDay);
    }));
  }
  return files;
}

export function lifecycleFiles(periods: PeriodSource, request: UsageRequest): PlannedFile[] {
  refuseTypes(request.types, ['vm', 'volume'], 'lifecycles');
  const wanted = (type: string) => !request.types.length || request.types.includes(type);
  const endMs = addDays(request.toDay, 1);
  const files: PlannedFile[] = [];
  if (wanted('vm')) {
    files.push(file('vm_lifecycles.csv', VM_LIFECYCLE_COLUMNS, async function* () {
      for (const source of periods.sources('vm').filter(request.selected)) yield* vmLifecycleRows(await periods.lifecycles('vm', source, request.fromDay, endMs));
    }));
  }
  if (wanted('volume')) {
    files.push(file('volume_lifecycles.csv', VOLUME_LIFECYCLE_COLUMNS, async function* () {
      for (const source of periods.sources('volume').filter(request.selected)) {
        yield* volumeLifecycleRows(await periods.lifecycles('volume', source, request.fromDay, endMs));
      }
    }));
  }
  return files;
}

export function file(name: string, columns: readonly string[], rows: () => AsyncGenerator<string>): PlannedFile {
  return {
    name,
    lines: async function* () {
      yield csvLine(columns);
      yield* rows();
    },
  };
}

export function refuseTypes(types: readonly string[], covered: readonly string[], report: string): void {
  const other = types.find((type) => !covered.includes(type));
  if (other !== undefined) throw new UsageError(`--report ${report} has no ${other} rows (it covers ${covered.join(', ')})`);
}
