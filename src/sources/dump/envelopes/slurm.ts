// `hpc.slurm`: `data.jobs`, each `{job_id, user, partition, start, end, cpu_seconds}` from sacct.
import { RecordError, describe } from '../../../errors.ts';
import { type Deferred, job } from '../../../types/job.ts';
import { slurmEnvelopeJob } from '../../slurm/envelope.ts';
import { isObject } from '../../../types/type.ts';
import { unread } from './nested.ts';
import type { EnvelopeSchema } from './schema.ts';

export const hpcSlurm: EnvelopeSchema = (data, source) => {
  // Not an empty report: counted, never dropped unseen (SPEC §9).
  if (!Array.isArray(data.jobs)) return [unread(job, 'hpc.slurm messages without a jobs list')];
  const items = data.jobs.map(
    (item): Deferred => ({
      read: () => {
        if (!isObject(item)) throw new RecordError(undefined, `expected a job object, found ${describe(item)}`);
        return slurmEnvelopeJob(item, source ?? '');
      },
    }),
  );
  return [{ type: job, shape: 'deferred', path: 'data.jobs', items }];
};
