// Which Slurm job states are jobs (SPEC §4.1.4): only whole, finished jobs are; steps, unfinished jobs
// and jobs that never ran are counted and skipped. Shared by the parsable and JSON readers.
import { RecordError, describe } from '../../errors.ts';
import type { ParsedRecord } from '../hpc/record.ts';

/** States a job ends in (sacct(1) JOB STATE CODES); anything else known is still going. */
const FINAL = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);
const UNFINISHED = new Set([
  'PENDING', 'RUNNING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESIZING', 'SUSPENDED', 'REVOKED', 'SPECIAL_EXIT',
  'STOPPED', 'SIGNALING', 'STAGE_OUT', 'COMPLETING', 'CONFIGURING', 'RESV_DEL_HOLD', 'POWER_UP_NODE', 'LAUNCH_FAILED',
]);

export const NEVER_RAN = 'jobs that never ran (node list "None assigned")';

/** `CANCELLED by 1234` -> CANCELLED; unfinished states are a skip; unknown ones an error. */
export function finalState(text: string): string | ParsedRecord {
  const state = text.split(' ')[0]!.toUpperCase();
  if (FINAL.has(state)) return state;
  if (UNFINISHED.has(state)) return { kind: 'skip', reason: `unfinished jobs (state ${state})` };
  throw new RecordError('state', `expected a Slurm job state such as COMPLETED, found ${describe(text)}`);
}
