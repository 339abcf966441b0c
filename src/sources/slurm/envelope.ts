// reporting-unified `hpc.slurm` messages (SPEC §4.1.3, §5 `job`): one job of `data.jobs` as our record.
import { epochTime } from '../../time.ts';
import { jobTimes } from '../../types/job.ts';
import type { RawObject } from '../../types/type.ts';
import { wholeNumber } from '../hpc/values.ts';
import { text } from './json.ts';

/**
 * One job of an `hpc.slurm` message's `data.jobs`: `{job_id, user, partition, start, end, cpu_seconds}`
 * (epoch seconds; cpu_seconds as text, sacct's CPUTimeRAW). The producer sends no submit time, so the
 * start stands in for it in the key (as reporting-unified keyed these jobs by id and start).
 */
export function slurmEnvelopeJob(item: RawObject, cluster: string): RawObject {
  const start = wholeNumber('start', item.start);
  const end = wholeNumber('end', item.end);
  return {
    cluster: text(item.cluster) || cluster,
    job_id: text(item.job_id),
    user: item.user,
    queue: item.partition,
    submit: epochTime(start, 'start'),
    start: epochTime(start),
    end: epochTime(end),
    walltime_s: jobTimes(start, end, undefined).walltime_s,
    cpu_seconds: item.cpu_seconds,
  };
}
