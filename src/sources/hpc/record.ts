// What every HPC scheduler reader returns for one line or record (SPEC §4.1.4): jobs, a counted
// skip, or a quarantined reject (SPEC §9). Plain data, so a live collector can reuse the readers.
import { RecordError } from '../../errors.ts';
import type { RawObject } from '../../types/type.ts';

/** One input line (or JSON record) of a scheduler, read. */
export type ParsedRecord =
  /** Finished jobs (one, or several for a Slurm `123_[1-3]` array line), in our field names. */
  | { readonly kind: 'jobs'; readonly at: number; readonly records: readonly RawObject[] }
  /** Not a finished job, on purpose (another record type, a job step, an unfinished job): counted. */
  | { readonly kind: 'skip'; readonly reason: string }
  /** Looks like a record but does not read: quarantined with its place (SPEC §9). */
  | { readonly kind: 'reject'; readonly at?: number; readonly field?: string; readonly reason: string }
  | { readonly kind: 'blank' };

/** Turns a RecordError from a field parser into a quarantine result; anything else is a bug. */
export function rejected(err: unknown, at?: number): ParsedRecord {
  if (err instanceof RecordError) return { kind: 'reject', at, field: err.field, reason: err.detail };
  throw err;
}
