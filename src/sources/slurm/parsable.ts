// One `sacct --parsable2 --noheader` row in our 26-field order (SPEC §4.1.4). sacct prints zone-less
// times; they are read as UTC (run sacct with TZ=UTC).
import { RecordError, describe } from '../../errors.ts';
import { isCanonicalInstant } from '../../time.ts';
import { jobTimes } from '../../types/job.ts';
import type { RawObject } from '../../types/type.ts';
import { type ParsedRecord, rejected } from '../hpc/record.ts';
import { parseDuration, parseSlurmSize, wholeNumber } from '../hpc/values.ts';
import { hostlist, jobIds } from './hostlist.ts';
import { gpusOf } from './gpus.ts';
import { finalState, NEVER_RAN } from './states.ts';

/** The `sacct -o` field order every parsable dump must have (the job name last: it may hold `|`). */
export const SACCT_FIELDS = [
  'jobid', 'jobidraw', 'cluster', 'partition', 'qos', 'account', 'group', 'gid', 'user', 'uid',
  'submit', 'eligible', 'start', 'end', 'elapsed', 'exitcode', 'state', 'nnodes', 'ncpus', 'reqcpus',
  'reqmem', 'reqtres', 'alloctres', 'timelimit', 'nodelist', 'jobname',
] as const;

/** For a live collector: `sacct --parsable2 --noheader --allusers -o ${SACCT_FORMAT}` (with TZ=UTC). */
export const SACCT_FORMAT = SACCT_FIELDS.join(',');

export interface SlurmOptions {
  /** The cluster key part when a record names none (the source name). */
  readonly cluster: string;
}

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
  // The end, when it reads, is the time a quarantined row is filed under: a file of rows in states
  // we do not know is quarantined row by row, not refused whole (issue 13, SPEC §9).
  const endText = cell('end');
  const at: number | undefined = isCanonicalInstant(`${endText}Z`) ? Date.parse(`${endText}Z`) : undefined;
  try {
    const state = finalState(cell('state'));
    if (typeof state === 'object') return state;
    // Read once above; here only what is not a time is refused (or an `Unknown` end skipped).
    const end = at === undefined ? sacctTime('end', endText) : `${endText}Z`;
    if (end === undefined || at === undefined) return { kind: 'skip', reason: 'unfinished jobs (no end time)' };
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
      gpus: gpusOf(gpuCounts(alloc)),
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

/** The `gres/gpu` and `gres/gpu:<type>` counts of an AllocTRES map, as numbers. */
function gpuCounts(alloc: ReadonlyMap<string, string>): Map<string, number | undefined> {
  const counts = new Map<string, number | undefined>();
  for (const [name, count] of alloc) if (name === 'gres/gpu' || name.startsWith('gres/gpu:')) counts.set(name, wholeNumber('alloctres', count));
  return counts;
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
