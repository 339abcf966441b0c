// `pbs.accounting.log`: one message per accounting log line, as the reporting producer parsed it;
// only ended jobs (`state: exited`) are jobs, the rest are counted and skipped.
import { type Deferred, job } from '../../../types/job.ts';
import { pbsEnvelopeJob } from '../../pbs/envelope.ts';
import type { EnvelopeSchema } from './schema.ts';

export const pbsAccounting: EnvelopeSchema = (data, source) => {
  if (data.state !== 'exited') {
    return [{ type: job, shape: 'deferred', path: 'data', items: [], skipped: `pbs.accounting.log messages of jobs that have not ended (state ${String(data.state)})` }];
  }
  // PBS logs do not name their cluster: the source name stands in, as for the logs themselves.
  const item: Deferred = { read: () => pbsEnvelopeJob(data, source ?? '') };
  return [{ type: job, shape: 'deferred', path: 'data', items: [item] }];
};
