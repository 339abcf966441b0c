// What a snapshot did and what a run did, in the users' terms (SPEC §2: the summary line; §3: runs).

export interface SnapshotCounts {
  readonly examined: number;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly skipped: number;
}

/** A run's totals: the sum of its snapshots' counts (duplicates are per snapshot only). */
export type RunTotals = Omit<SnapshotCounts, 'duplicates'> & { readonly snapshots: number };

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Counts of a snapshot that changed nothing (a start for sums). */
export const NOTHING: SnapshotCounts = { examined: 0, added: 0, modified: 0, removed: 0, unchanged: 0, rejected: 0, duplicates: 0, skipped: 0 };

export const NO_TOTALS: RunTotals = { snapshots: 0, examined: 0, added: 0, modified: 0, removed: 0, unchanged: 0, rejected: 0, skipped: 0 };
