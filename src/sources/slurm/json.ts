// `sacct --json` (SPEC §4.1.4): each element of its `jobs` as our job record, for the Slurm versions
// that wrap numbers and those that do not.
import { RecordError, describe } from '../../errors.ts';
import { epochTime } from '../../time.ts';
import { jobTimes } from '../../types/job.ts';
import { isObject, type RawObject } from '../../types/type.ts';
import { MIB, times } from '../../types/units.ts';
import { type ParsedRecord, rejected } from '../hpc/record.ts';
import { gpusOf } from './gpus.ts';
import { hostlist, jobIds } from './hostlist.ts';
import type { SlurmOptions } from './parsable.ts';
import { finalState, NEVER_RAN } from './states.ts';

/**
 * One element of `sacct --json`'s `jobs`. Numbers come bare (Slurm ≤ 22) or wrapped as
 * `{set, infinite, number}` (23.02 on); `state.current` is a string or a list; time limits are in
 * minutes and memory in megabytes; an array task's `job_id` is its raw id (`array.job_id` holds the
 * array's). Never throws for bad input.
 */
export function parseSacctJson(value: unknown, options: SlurmOptions): ParsedRecord {
  if (!isObject(value)) return { kind: 'reject', reason: `expected a job object, found ${describe(value)}` };
  const job = value;
  let at: number | undefined;
  try {
    // The end first: it is the time a quarantined job is filed under, so a job in a state we do not
    // know is quarantined, not the whole file refused (issue 13, SPEC §9).
    const time = isObject(job.time) ? job.time : {};
    const epoch = (name: string) => {
      const n = wrapped(`time.${name}`, time[name]);
      return n === undefined || n <= 0 ? undefined : n;
    };
    const end = epoch('end');
    at = end === undefined ? undefined : end * 1000;
    const stateObject = job.state;
    const current = isObject(stateObject) ? stateObject.current : stateObject;
    const first = Array.isArray(current) ? current[0] : current;
    if (typeof first !== 'string') throw new RecordError('state.current', `expected a job state, found ${describe(first)}`);
    const state = finalState(first);
    if (typeof state === 'object') return state;
    if (end === undefined) return { kind: 'skip', reason: 'unfinished jobs (no end time)' };
    if (job.nodes === 'None assigned') return { kind: 'skip', reason: NEVER_RAN };
    const start = epoch('start');
    const alloc = tresList('tres.allocated', isObject(job.tres) ? job.tres.allocated : undefined);
    const requested = tresList('tres.requested', isObject(job.tres) ? job.tres.requested : undefined);
    const required = isObject(job.required) ? job.required : {};
    const nodes = wrapped('allocation_nodes', job.allocation_nodes) ?? alloc.get('node');
    const cores = alloc.get('cpu') ?? wrapped('required.CPUs', required.CPUs);
    const association = isObject(job.association) ? job.association : {};
    const limit = wrapped('time.limit', time.limit);
    const total = isObject(time.total) ? time.total : undefined;
    const base: RawObject = {
      cluster: text(job.cluster) || text(association.cluster) || options.cluster,
      user: text(job.user) || text(association.user),
      group: text(job.group),
      account: text(job.account) || text(association.account),
      queue: text(job.partition),
      state,
      exit_status: jsonExitStatus(job.exit_code),
      submit: epochTime(epoch('submission'), 'time.submission'),
      eligible: epochTime(epoch('eligible'), 'time.eligible'),
      start: epochTime(start, 'time.start'),
      end: epochTime(end, 'time.end'),
      nodes,
      cores,
      ...jobTimes(start, end, cores),
      cput_s: total ? (wrapped('time.total.seconds', total.seconds) ?? 0) + Math.floor((wrapped('time.total.microseconds', total.microseconds) ?? 0) / 1e6) : undefined,
      hosts: typeof job.nodes === 'string' ? hostlist('nodes', job.nodes) : undefined,
      req_walltime_s: limit === undefined ? undefined : limit * 60,
      req_mem_bytes: megabytes(requested.get('mem') ?? requiredMemory(required, nodes, cores)),
      gpus: gpusOf(alloc),
      name: text(job.name),
    };
    return { kind: 'jobs', at: end * 1000, records: jsonJobIds(job).map((job_id) => ({ ...base, job_id })) };
  } catch (err) {
    return rejected(err, at);
  }
}

/** A bare number, or `{set, infinite, number}` (unset or infinite: none). */
function wrapped(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (isObject(value) && ('number' in value || 'set' in value)) {
    if (value.set === false || value.infinite === true) return undefined;
    return wrapped(field, value.number);
  }
  throw new RecordError(field, `expected a number, found ${describe(value)}`);
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** `[{type: 'cpu', count: 4}, {type: 'gres', name: 'gpu', count: 2}]` -> cpu 4, gres/gpu 2. */
function tresList(field: string, list: unknown): Map<string, number> {
  const map = new Map<string, number>();
  if (!Array.isArray(list)) return map;
  for (const item of list) {
    if (!isObject(item) || typeof item.type !== 'string') continue;
    const count = wrapped(`${field}.count`, item.count);
    if (count === undefined || count < 0) continue;
    map.set(item.name ? `${item.type}/${String(item.name)}` : item.type, count);
  }
  return map;
}

function requiredMemory(required: RawObject, nodes: number | undefined, cores: number | undefined): number | undefined {
  const perNode = wrapped('required.memory_per_node', required.memory_per_node);
  if (perNode) return perNode * (nodes ?? 1);
  const perCpu = wrapped('required.memory_per_cpu', required.memory_per_cpu);
  if (perCpu) return perCpu * (cores ?? 1);
  return wrapped('required.memory', required.memory) || undefined;
}

function megabytes(mb: number | undefined): unknown {
  return times(mb, MIB);
}

function jsonExitStatus(exit: unknown): number | undefined {
  if (!isObject(exit)) return wrapped('exit_code', exit);
  const signal = isObject(exit.signal) ? wrapped('exit_code.signal.id', exit.signal.id ?? exit.signal.signal_id) : undefined;
  if (signal) return 256 + signal;
  return wrapped('exit_code.return_code', exit.return_code);
}

function jsonJobIds(job: RawObject): string[] {
  const array = isObject(job.array) ? job.array : {};
  const arrayJob = wrapped('array.job_id', array.job_id);
  if (arrayJob) {
    const task = wrapped('array.task_id', array.task_id);
    if (task !== undefined) return [`${arrayJob}_${task}`];
    if (typeof array.task === 'string' && array.task !== '') return jobIds(`${arrayJob}_[${array.task.replace(/^\[|\]$/g, '')}]`);
  }
  const het = isObject(job.het) ? job.het : {};
  const hetJob = wrapped('het.job_id', het.job_id);
  if (hetJob) return [`${hetJob}+${wrapped('het.job_offset', het.job_offset) ?? 0}`];
  const id = wrapped('job_id', job.job_id);
  if (id === undefined) throw new RecordError('job_id', `expected the job id, found ${describe(job.job_id)}`);
  return [String(id)];
}
