// `hpc.slurm`: `data.jobs`, each `{job_id, user, partition, start, end, cpu_seconds}` from sacct.
import { RecordError, describe } from '../../../errors.ts';
import { type Deferred, job } from '../../../types/job.ts';
import { slurmEnvelopeJob } from '../../slurm.ts';
import { isObject } from '../parts.ts';
import type { EnvelopeSchema } from './schema.ts';

export const hpcSlurm: EnvelopeSchema = (data, source) => {
  if (!Array.isArray(data.jobs)) return [];
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
