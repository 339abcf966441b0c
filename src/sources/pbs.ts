// PBS/Torque and PBS Pro accounting logs (SPEC §4.1.4): `MM/DD/YYYY HH:MM:SS;E;jobid;key=value ...`,
// one file per day named YYYYMMDD. Only E (job end) records are jobs; the others are counted and
// skipped. The line's own time is the server's local time (the source's `timezone`); the job times
// inside (ctime, start, end...) are epoch seconds.
import { RecordError, describe } from '../errors.ts';
import { epochTime, zoneClock } from '../time.ts';
import { jobTimes } from '../types/job.ts';
import { isObject, type RawObject } from '../types/type.ts';
import { type ParsedRecord, rejected } from './hpc/record.ts';
import { parseDuration, parseSize, wholeNumber } from './hpc/values.ts';

interface PbsOptions {
  /** The cluster key part: PBS logs do not name their cluster, so the source name stands in. */
  readonly cluster: string;
  /** IANA name of the server's time zone (default UTC). */
  readonly timezone?: string;
}

const LINE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2});([A-Za-z]);([^;]*);(.*)$/;

/** True when a line has the shape of a PBS accounting record (how a log is recognised by content). */
export function isPbsLine(line: string): boolean {
  return LINE.test(line.trim());
}

/** Reads one accounting log line. Never throws for bad input: it says what to quarantine. */
export function parsePbsLine(line: string, options: PbsOptions): ParsedRecord {
  const text = line.trim();
  if (text === '') return { kind: 'blank' };
  const m = LINE.exec(text);
  if (!m) return { kind: 'reject', reason: `not a PBS accounting record (expected MM/DD/YYYY HH:MM:SS;TYPE;JOBID;key=value ...), found ${describe(text)}` };
  const [, mo, d, y, h, mi, s, type, id, rest] = m;
  const at = zoneClock(options.timezone)(+y!, +mo!, +d!, +h!, +mi!, +s!);
  if (Number.isNaN(at)) return { kind: 'reject', reason: `not a valid date and time: ${describe(text.slice(0, 19))}` };
  if (type!.toUpperCase() !== 'E') return { kind: 'skip', reason: `PBS accounting records of type ${type!.toUpperCase()} (only E, job end, records are jobs)` };
  try {
    const jobId = parseJobId(id!.trim());
    if (jobId.arraySummary) return { kind: 'skip', reason: 'PBS job array summary records (each subjob has its own)' };
    const record = pbsJob(attributes(rest!), { cluster: options.cluster, jobId: jobId.id, loggedAt: Math.floor(at / 1000) });
    return { kind: 'jobs', at, records: [record] };
  } catch (err) {
    return rejected(err, at);
  }
}

/** `123.server`, `123[4].server` (an array subjob), `123[].server` (the array as a whole), `123`. */
function parseJobId(id: string): { id: string; arraySummary: boolean } {
  const m = /^(\d+)(?:\[(\d*)\])?(?:\.\S+)?$/.exec(id);
  if (!m) throw new RecordError('jobid', `expected a PBS job id such as 123.server or 123[4].server, found ${describe(id)}`);
  return { id, arraySummary: m[2] === '' };
}

/** `key=value` pairs separated by spaces; keys case-insensitive; PBS Pro quotes values that hold spaces. */
function attributes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  if (!text.includes('"') && !text.includes('\t')) {
    // The common case, nothing quoted: a plain split.
    for (const pair of text.split(' ')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new RecordError(undefined, `expected key=value, found ${describe(pair)}`);
      map.set(pair.slice(0, eq).toLowerCase(), pair.slice(eq + 1));
    }
    return map;
  }
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= n) break;
    const eq = text.indexOf('=', i);
    const space = nextSpace(text, i);
    if (eq < 0 || eq > space) throw new RecordError(undefined, `expected key=value, found ${describe(text.slice(i, space))}`);
    const key = text.slice(i, eq).toLowerCase();
    let value: string;
    if (text[eq + 1] === '"') {
      const close = text.indexOf('"', eq + 2);
      if (close < 0) throw new RecordError(key, 'a quoted value is not closed');
      value = text.slice(eq + 2, close);
      i = close + 1;
    } else {
      const end = nextSpace(text, eq + 1);
      value = text.slice(eq + 1, end);
      i = end;
    }
    map.set(key, value);
  }
  return map;
}

function nextSpace(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (text[i] === ' ' || text[i] === '\t') return i;
  return text.length;
}

/** An epoch-seconds attribute; PBS writes 0 for a time that never came (a job deleted before it started). */
function epoch(a: Map<string, string>, key: string): number | undefined {
  const value = wholeNumber(key, a.get(key));
  return value === undefined || value <= 0 ? undefined : value;
}

function size(a: Map<string, string>, key: string): number | string | undefined {
  const text = a.get(key);
  return text === undefined ? undefined : parseSize(key, text);
}

function duration(a: Map<string, string>, key: string): number | undefined {
  const text = a.get(key);
  return text === undefined ? undefined : parseDuration(key, text);
}

/** The attributes of one E record as a job in our field names. */
function pbsJob(a: Map<string, string>, context: { cluster: string; jobId: string; loggedAt: number }): RawObject {

  const placement = a.has('exec_host')
    ? execHost(a.get('exec_host')!)
    : a.has('exec_vnode')
      ? execVnode(a.get('exec_vnode')!)
      : undefined;
  const cores =
    placement?.cores ??
    wholeNumber('resources_used.ncpus', a.get('resources_used.ncpus')) ??
    wholeNumber('resource_list.ncpus', a.get('resource_list.ncpus')) ??
    wholeNumber('total_execution_slots', a.get('total_execution_slots'));
  const nodes =
    placement?.hosts.length ??
    wholeNumber('unique_node_count', a.get('unique_node_count')) ??
    wholeNumber('resource_list.nodect', a.get('resource_list.nodect'));
  const start = epoch(a, 'start');
  const end = epoch(a, 'end') ?? context.loggedAt;
  const submit = epoch(a, 'ctime') ?? epoch(a, 'qtime');
  return {
    cluster: context.cluster,
    job_id: context.jobId,
    user: a.get('user') ?? a.get('owner')?.split('@')[0],
    group: a.get('group'),
    // PBS Pro's default project means "none given".
    account: a.get('account') ?? (a.get('project') === '_pbs_project_default' ? undefined : a.get('project')),
    queue: a.get('queue'),
    // PBS logs no state beyond "the job ended"; exit_status says how.
    state: 'EXITED',
    exit_status: wholeNumber('exit_status', a.get('exit_status')),
    submit: epochTime(submit, 'ctime'),
    eligible: epochTime(epoch(a, 'etime'), 'etime'),
    start: epochTime(start, 'start'),
    end: epochTime(end, 'end'),
    nodes,
    cores,
    ...jobTimes(start, end, cores),
    cput_s: duration(a, 'resources_used.cput'),
    mem_bytes: size(a, 'resources_used.mem'),
    vmem_bytes: size(a, 'resources_used.vmem'),
    hosts: placement?.hosts,
    req_walltime_s: duration(a, 'resource_list.walltime'),
    req_mem_bytes: size(a, 'resource_list.mem'),
    gpus: gpusOf(a, nodes),
    name: a.get('jobname'),
  };
}

interface Placement {
  readonly hosts: string[];
  readonly cores: number;
}

/**
 * Torque `n1/0+n1/1` (one slot per entry), Torque 5 `n1/0-3` and `n1/0,2`, PBS Pro `n1/0*4`
 * (four cpus at index 0). Cores are the slots; nodes the distinct hosts.
 */
export function execHost(text: string): Placement {
  const hosts = new Set<string>();
  let cores = 0;
  for (const part of text.split('+')) {
    const slash = part.indexOf('/');
    const host = slash < 0 ? part : part.slice(0, slash);
    if (!host) throw new RecordError('exec_host', `expected host/slots, found ${describe(part)}`);
    hosts.add(host);
    if (slash < 0) {
      cores++;
      continue;
    }
    for (const item of part.slice(slash + 1).split(',')) {
      const m = SLOTS.exec(item);
      if (!m) throw new RecordError('exec_host', `expected slots such as 0, 0-3, 0,2 or 0*4 after ${host}/, found ${describe(item)}`);
      if (m[2] !== undefined) {
        if (+m[2] < +m[1]!) throw new RecordError('exec_host', `slot range ${item} runs backwards`);
        cores += +m[2] - +m[1]! + 1;
      } else cores += m[3] !== undefined ? +m[3] : 1;
    }
  }
  if (!Number.isSafeInteger(cores)) throw new RecordError('exec_host', `counts more cores than there can be: ${describe(text)}`);
  return { hosts: [...hosts], cores };
}

/** One slot item of `exec_host`: `0`, `0-3` or `0*4` (digit runs capped: a count, not an id). */
const SLOTS = /^(\d{1,9})(?:-(\d{1,9})|\*(\d{1,9}))?$/;

/** PBS Pro `(vnodeA:ncpus=4:mem=8gb)+(vnodeB[1]:ncpus=2+vnodeC:ncpus=2)`: cpus summed, vnodes named by host. */
function execVnode(text: string): Placement {
  const hosts = new Set<string>();
  let cores = 0;
  for (const chunk of text.replace(/[()]/g, '').split('+')) {
    const [vnode, ...resources] = chunk.split(':');
    if (!vnode) throw new RecordError('exec_vnode', `expected (vnode:ncpus=N), found ${describe(chunk)}`);
    hosts.add(vnode.replace(/\[\d+\]$/, ''));
    for (const resource of resources) {
      const [name, value] = resource.split('=');
      if (name?.toLowerCase() === 'ncpus') cores += wholeNumber('exec_vnode', value) ?? 0;
    }
  }
  return { hosts: [...hosts], cores };
}

/** PBS Pro `Resource_List.ngpus`, else Torque's `Resource_List.nodes=2:ppn=8:gpus=2` (gpus per node). */
function gpusOf(a: Map<string, string>, nodes: number | undefined): number | undefined {
  const ngpus = wholeNumber('resource_list.ngpus', a.get('resource_list.ngpus') ?? a.get('resource_list.gpus'));
  if (ngpus !== undefined) return ngpus;
  const spec = a.get('resource_list.nodes');
  const perNode = spec === undefined ? undefined : /(?:^|:)gpus=(\d+)/.exec(spec)?.[1];
  if (perNode === undefined) return undefined;
  return Number(perNode) * (nodes ?? 1);
}

/** The PBS clock, for callers that need a line's time on its own (the survey of a file's head). */
export function pbsLineTime(line: string, timezone?: string): number | undefined {
  const m = LINE.exec(line.trim());
  if (!m) return undefined;
  const at = zoneClock(timezone)(+m[3]!, +m[1]!, +m[2]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(at) ? undefined : at;
}

// --- reporting-unified `pbs.accounting.log` -------------------------------------------------

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
