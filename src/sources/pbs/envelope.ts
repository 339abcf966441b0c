// reporting-unified `pbs.accounting.log` messages (SPEC §4.1.3, §5 `job`): the producer's parse of
// one log line, turned back into the line's attributes so one mapping (./job.ts) reads both.
import { RecordError, describe } from '../../errors.ts';
import { isObject, type RawObject } from '../../types/type.ts';
import { wholeNumber } from '../hpc/values.ts';
import { pbsJob } from './job.ts';

/**
 * One `pbs.accounting.log` message's `data`: the producer's parse of one log line, lower-cased,
 * numbers as numbers, dotted keys nested (`resources_used: {mem, cput}`), `exec_host` as
 * `{host: [slots]}` (or the log's own text). The schema passes only ended jobs (`state: exited`).
 */
export function pbsEnvelopeJob(data: RawObject, cluster: string): RawObject {
  const a = new Map<string, string>();
  const flatten = (prefix: string, value: unknown) => {
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) if (prefix || k !== 'exec_host') flatten(prefix ? `${prefix}.${k}` : k, v);
    } else if (value !== undefined && value !== null) {
      a.set(prefix.toLowerCase(), String(value));
    }
  };
  flatten('', data);
  const hostMap = data.exec_host;
  if (typeof hostMap === 'string') {
    a.set('exec_host', hostMap);
  } else if (isObject(hostMap)) {
    // `{host: [slot, ...]}` back to the log's own form, so one rule counts cores.
    const parts = Object.entries(hostMap).map(([host, slots]) => {
      if (!Array.isArray(slots)) throw new RecordError('exec_host', `expected ${host}: a list of slots, found ${describe(slots)}`);
      return slots.length ? slots.map((slot) => `${host}/${String(slot)}`).join('+') : `${host}/0`;
    });
    a.set('exec_host', parts.join('+'));
  } else if (hostMap !== undefined && hostMap !== null) {
    throw new RecordError('exec_host', `expected a map of hosts to slots, found ${describe(hostMap)}`);
  }
  const jobId = a.get('jobid');
  if (jobId === undefined) throw new RecordError('jobid', 'missing');
  return pbsJob(a, { cluster, jobId, loggedAt: wholeNumber('timestamp', data.timestamp) ?? 0 });
}
