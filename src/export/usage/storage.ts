// SPEC §8.3 `usage_storage.csv` (to be written).
import type { HistoryReads, SeriesInfo } from '../../store/index.ts';

export const USAGE_STORAGE_COLUMNS = ['source', 'day', 'resource_type', 'owner', 'max_bytes', 'end_bytes', 'max_files', 'end_files'];

/** The storage types the usage report covers, in the order their rows come within a day. */
export const STORAGE_TYPES = ['filesystem', 'fs_usage', 'hcp_namespace', 'swift_account', 'virtual_volume', 'xfs_quota'] as const;

export async function* storageUsageRows(_reads: HistoryReads, _series: SeriesInfo, _fromDay: number, _toDay: number): AsyncGenerator<string> {}
