// Slurm accounting (SPEC §4.1.4): `sacct --parsable2 --noheader` in our 26-field order, and
// `sacct --json`. Only whole, finished jobs are jobs: steps, unfinished jobs and jobs that never ran
// are counted and skipped. sacct prints zone-less times; they are read as UTC (run sacct with TZ=UTC).
import { RecordError, describe } from '../errors.ts';
import { epochTime, isCanonicalInstant } from '../time.ts';
import { jobTimes } from '../types/job.ts';
import { isObject, type RawObject } from '../types/type.ts';
import { MIB, times } from '../types/units.ts';
import { type ParsedRecord, rejected } from './hpc/record.ts';
import { parseDuration, parseSlurmSize, wholeNumber } from './hpc/values.ts';

/** The `sacct -o` field order every parsable dump must have (the job name last: it may hold `|`). */
export const SACCT_FIELDS = [
  'jobid', 'jobidraw', 'cluster', 'partition', 'qos', 'account', 'group', 'gid', 'user', 'uid',
  'submit', 'eligible', 'start', 'end', 'elapsed', 'exitcode', 'state', 'nnodes', 'ncpus', 'reqcpus',
  'reqmem', 'reqtres', 'alloctres', 'timelimit', 'nodelist', 'jobname',
] as const;

/** For a live collector: `sacct --parsable2 --noheader --allusers -o ${SACCT_FORMAT}` (with TZ=UTC). */
export const SACCT_FORMAT = SACCT_FIELDS.join(',');

interface SlurmOptions {
  /** The cluster key part when a record names none (the source name). */
  readonly cluster: string;
}

/** States a job ends in (sacct(1) JOB STATE CODES); anything else known is still going. */
const FINAL = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);
const UNFINISHED = new Set([
  'PENDING', 'RUNNING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESIZING', 'SUSPENDED', 'REVOKED', 'SPECIAL_EXIT',
  'STOPPED', 'SIGNALING', 'STAGE_OUT', 'COMPLETING', 'CONFIGURING', 'RESV_DEL_HOLD', 'POWER_UP_NODE', 'LAUNCH_FAILED',
]);

const NEVER_RAN = 'jobs that never ran (node list "None assigned")';

/** A first line that is a header: null when it is ours (skip it), else what is wrong with it. */
export function sacctHeaderProblem(line: string): string | null | undefined {
  const names = line.trim().toLowerCase().split('|');
  // A header: sacct field names only (letters), JobID among them.
  if (!names.includes('jobid') || names.some((name) => !/^[a-z]+$/.test(name))) return undefined;
  if (names.length === SACCT_FIELDS.length && names.every((name, i) => name === SACCT_FIELDS[i])) return null;
  return `sacct columns ${names.join(',')} are not the expected ${SACCT_FORMAT}`;
}

/** True when a line looks like one row of our sacct dump (how a dump is recognised by content). */
export function isSacctLine(line: string): boolean {
  if (sacctHeaderProblem(line) !== undefined) return true;
  const cells = line.trim().split('|');
  if (cells.length < SACCT_FIELDS.length) return false;
  return /^\d+([_+]\S*)?(\.\S+)?$/.test(cells[0]!) && /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}|Unknown|None|)$/.test(cells[10]!);
}

/** Reads one `sacct --parsable2 --noheader` row. Never throws for bad input: it says what to quarantine. */
export function parseSacctParsable(line: string, options: SlurmOptions): ParsedRecord {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return { kind: 'blank' };
  // Job ids start with a digit; only a header row starts with a letter.
  if (!isDigit(text.charCodeAt(0)) && sacctHeaderProblem(text) === null) return { kind: 'blank' };
  const cells = text.split('|');
  if (cells.length < SACCT_FIELDS.length) {
    return { kind: 'reject', reason: `expected ${SACCT_FIELDS.length} |-separated fields (sacct -o ${SACCT_FORMAT}), found ${cells.length}` };
  }
  const cell = (name: (typeof SACCT_FIELDS)[number]) => cells[COLUMN[name]]!.trim();
  const jobId = cell('jobid');
  if (jobId.includes('.')) return { kind: 'skip', reason: 'job steps (only whole jobs count)' };
  let at: number | undefined;
  try {
    const state = finalState(cell('state'));
    if (typeof state === 'object') return state;
    const end = sacctTime('end', cell('end'));
    if (end === undefined) return { kind: 'skip', reason: 'unfinished jobs (no end time)' };
    at = Date.parse(end);
    const nodelist = cell('nodelist');
    if (nodelist === 'None assigned') return { kind: 'skip', reason: NEVER_RAN };
    const start = sacctTime('start', cell('start'));
    const nodes = wholeNumber('nnodes', cell('nnodes'));
    const cores = wholeNumber('ncpus', cell('ncpus'));
    const alloc = tres('alloctres', cell('alloctres'));
    const requested = tres('reqtres', cell('reqtres'));
    const base: RawObject = {
      cluster: cell('cluster') || options.cluster,
      user: cell('user'),
      group: cell('group'),
      account: cell('account'),
      queue: cell('partition'),
      state,
      exit_status: exitStatus(cell('exitcode')),
      submit: sacctTime('submit', cell('submit')),
      eligible: sacctTime('eligible', cell('eligible')),
      start,
      end,
      nodes,
      cores,
      ...jobTimes(start === undefined ? undefined : Date.parse(start) / 1000, at / 1000, cores),
      hosts: hostlist('nodelist', nodelist),
      req_walltime_s: timeLimit(cell('timelimit')),
      req_mem_bytes: requested.has('mem')
        ? parseSlurmSize('reqtres', requested.get('mem')!)
        : reqMem(cell('reqmem'), nodes, wholeNumber('reqcpus', cell('reqcpus')) ?? cores),
      gpus: wholeNumber('alloctres', alloc.get('gres/gpu')),
      // The job name is last and may itself hold `|`.
      name: cells.length === SACCT_FIELDS.length ? cells[COLUMN.jobname] : cells.slice(COLUMN.jobname).join('|'),
    };
    if (!jobId.includes('[')) {
      base.job_id = jobId;
      return { kind: 'jobs', at, records: [base] };
    }
    return { kind: 'jobs', at, records: jobIds(jobId).map((job_id) => ({ ...base, job_id })) };
  } catch (err) {
    return rejected(err, at);
  }
}

const COLUMN = Object.fromEntries(SACCT_FIELDS.map((name, i) => [name, i])) as Record<(typeof SACCT_FIELDS)[number], number>;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** `CANCELLED by 1234` -> CANCELLED; unfinished states are a skip; unknown ones an error. */
function finalState(text: string): string | ParsedRecord {
  const state = text.split(' ')[0]!.toUpperCase();
  if (FINAL.has(state)) return state;
  if (UNFINISHED.has(state)) return { kind: 'skip', reason: `unfinished jobs (state ${state})` };
  throw new RecordError('state', `expected a Slurm job state such as COMPLETED, found ${describe(text)}`);
}

/** sacct's zone-less `2026-11-21T02:00:00`, read as UTC; `Unknown`/`None` mean none. Our stored form. */
function sacctTime(field: string, text: string): string | undefined {
  if (text === '' || text === 'Unknown' || text === 'None') return undefined;
  const iso = `${text}Z`;
  if (!isCanonicalInstant(iso)) throw new RecordError(field, `expected a time such as 2026-11-21T02:00:00, found ${describe(text)}`);
  return iso;
}

/** `0:0` is code:signal; a job killed by a signal is 256 + signal, as PBS/Torque report it. */
function exitStatus(text: string): number | undefined {
  if (text === '') return undefined;
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new RecordError('exitcode', `expected code:signal such as 0:0, found ${describe(text)}`);
  return +m[2]! !== 0 ? 256 + +m[2]! : +m[1]!;
}

/** `billing=4,cpu=4,gres/gpu=2,mem=16G,node=1` as a map. */
function tres(field: string, text: string): Map<string, string> {
  const map = new Map<string, string>();
  if (text === '') return map;
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new RecordError(field, `expected name=count pairs such as cpu=4,mem=16G, found ${describe(item)}`);
    map.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return map;
}

/** `timelimit`: `D-HH:MM:SS` etc.; `UNLIMITED` / `Partition_Limit` are no limit of the job's own. */
function timeLimit(text: string): number | undefined {
  if (text === '' || /^(UNLIMITED|Partition_Limit|INVALID)$/i.test(text)) return undefined;
  return parseDuration('timelimit', text);
}

/** Older `ReqMem`: `4000Mn` per node, `2Gc` per cpu; newer ones print the job's total. */
function reqMem(text: string, nodes: number | undefined, cpus: number | undefined): number | string | undefined {
  if (text === '' || text === '0') return undefined;
  const m = /^(\d+(?:\.\d+)?[KMGTP]?)([nc]?)$/i.exec(text);
  if (!m) throw new RecordError('reqmem', `expected memory such as 4000M, 4Gn or 2Gc, found ${describe(text)}`);
  const size = parseSlurmSize('reqmem', m[1]!);
  const times = m[2] === 'n' ? nodes : m[2] === 'c' ? cpus : 1;
  if (times === undefined || typeof size === 'string') return size;
  return size * times;
}

/** `123`, `123_4`, `123+0` as given; a not-yet-split array `123_[1-3,7%2]` is one job per task. */
function jobIds(jobId: string): string[] {
  const m = /^(\d+)_\[([^\]]+)\]$/.exec(jobId);
  if (!m) return [jobId];
  return expandRanges('jobid', m[2]!.replace(/%\d+$/, '')).map((task) => `${m[1]}_${task}`);
}

const MAX_EXPANSION = 1 << 20;

/** `1-3,7` -> 1 2 3 7; zero-padding kept (`01-03` -> 01 02 03). */
function expandRanges(field: string, text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!m) throw new RecordError(field, `expected ranges such as 1-3,7, found ${describe(part)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (to < from || step < 1) throw new RecordError(field, `range ${part} runs backwards`);
    if (out.length + (to - from) / step > MAX_EXPANSION) throw new RecordError(field, `range ${part} is too large`);
    const width = m[1]!.length;
    for (let i = from; i <= to; i += step) out.push(String(i).padStart(width, '0'));
  }
  return out;
}

/** Slurm host lists: `node[01-03,07],gpu1,rack[1-2]-n[1-2]` -> each host name. */
export function hostlist(field: string, text: string): string[] | undefined {
  if (text === '' || text === 'None assigned' || text === '(null)') return undefined;
  const hosts: string[] = [];
  for (const item of splitTopLevel(text)) {
    for (const host of expandHost(field, item)) hosts.push(host);
    if (hosts.length > MAX_HOSTS) throw new RecordError(field, `expands to more than ${MAX_HOSTS} hosts: ${describe(text)}`);
  }
  return hosts;
}

/** No job runs on more hosts than this; nested ranges beyond it are garbage, not a node list. */
const MAX_HOSTS = 65_536;

function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']') depth--;
    else if (text[i] === ',' && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items.filter((item) => item !== '');
}

function expandHost(field: string, item: string): string[] {
  const open = item.indexOf('[');
  if (open < 0) return [item];
  const close = item.indexOf(']', open);
  if (close < 0) throw new RecordError(field, `a [ is not closed in ${describe(item)}`);
  const head = item.slice(0, open);
  const tails = expandHost(field, item.slice(close + 1));
  const out: string[] = [];
  for (const n of expandRanges(field, item.slice(open + 1, close))) {
    for (const tail of tails) out.push(`${head}${n}${tail}`);
    if (out.length > MAX_HOSTS) throw new RecordError(field, `expands to more than ${MAX_HOSTS} hosts: ${describe(item)}`);
  }
  return out;
}

// --- sacct --json ---------------------------------------------------------------------------

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
    const stateObject = job.state;
    const current = isObject(stateObject) ? stateObject.current : stateObject;
    const first = Array.isArray(current) ? current[0] : current;
    if (typeof first !== 'string') throw new RecordError('state.current', `expected a job state, found ${describe(first)}`);
    const state = finalState(first);
    if (typeof state === 'object') return state;
    const time = isObject(job.time) ? job.time : {};
    const epoch = (name: string) => {
      const n = wrapped(`time.${name}`, time[name]);
      return n === undefined || n <= 0 ? undefined : n;
    };
    const end = epoch('end');
    if (end === undefined) return { kind: 'skip', reason: 'unfinished jobs (no end time)' };
    at = end * 1000;
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
      gpus: alloc.get('gres/gpu'),
      name: text(job.name),
    };
    return { kind: 'jobs', at, records: jsonJobIds(job).map((job_id) => ({ ...base, job_id })) };
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

function text(value: unknown): string {
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


// --- reporting-unified `hpc.slurm` ----------------------------------------------------------

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
