// SPEC §8.3 `usage_job.csv` (to be written).
import type { HistoryReads, SeriesInfo } from '../../store/index.ts';

export const USAGE_JOB_COLUMNS = ['source', 'day', 'user', 'account', 'queue', 'jobs', 'core_hours', 'walltime_hours', 'gpu_hours'];

export async function* jobUsageRows(_reads: HistoryReads, _series: SeriesInfo, _fromDay: number, _toDay: number): AsyncGenerator<string> {}
