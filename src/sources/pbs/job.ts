// The attributes of one PBS E record (or pbs.accounting.log message) as our job record (SPEC §5 `job`).
// Times inside are epoch seconds; sizes and durations in PBS's own forms (../hpc/values.ts).
import { epochTime } from '../../time.ts';
import { jobTimes } from '../../types/job.ts';
import type { RawObject } from '../../types/type.ts';
import { parseDuration, parseSize, wholeNumber } from '../hpc/values.ts';
import { execHost, execVnode } from './exec-host.ts';

/** An epoch-seconds attribute; PBS writes 0 for a time that never came (a job deleted before it started). */
function epochAttribute(a: Map<string, string>, key: string): number | undefined {
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
export function pbsJob(a: Map<string, string>, context: { cluster: string; jobId: string; loggedAt: number }): RawObject {

  const host = a.has('exec_host') ? execHost(a.get('exec_host')!) : undefined;
  const vnodes = a.has('exec_vnode') ? execVnode(a.get('exec_vnode')!) : undefined;
  const placement = host ?? vnodes;
  // A count of 0 is no count: PBS Pro logs `exec_host=cn01/0*0` with the cpus on exec_vnode (issue 13).
  const cores =
    counted(host?.cores) ??
    counted(vnodes?.cores) ??
    counted(wholeNumber('resources_used.ncpus', a.get('resources_used.ncpus'))) ??
    wholeNumber('resource_list.ncpus', a.get('resource_list.ncpus')) ??
    wholeNumber('total_execution_slots', a.get('total_execution_slots'));
  const nodes =
    placement?.hosts.length ??
    wholeNumber('unique_node_count', a.get('unique_node_count')) ??
    leadingCount('resource_list.nodect', a.get('resource_list.nodect'));
  const start = epochAttribute(a, 'start');
  const end = epochAttribute(a, 'end') ?? context.loggedAt;
  const submit = epochAttribute(a, 'ctime') ?? epochAttribute(a, 'qtime');
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
    eligible: epochTime(epochAttribute(a, 'etime'), 'etime'),
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

const counted = (n: number | undefined) => (n ? n : undefined);

/** `2`, or the `1` of `1:ppn=24:gpu=4:gpuq`, which real logs hold in `Resource_List.nodect` too. */
function leadingCount(field: string, text: string | undefined): number | undefined {
  return wholeNumber(field, text === undefined ? undefined : /^\s*(\d+):/.exec(text)?.[1] ?? text);
}

/**
 * PBS Pro `Resource_List.ngpus`, else a node spec's GPUs per node — Torque's documented
 * `nodes=2:ppn=8:gpus=2`, and `gpu=1` as real logs spell it (`1:gpu=1`, `1:gpu=1:gpu`), in
 * `Resource_List.nodes` or `Resource_List.nodect` — times the nodes.
 */
function gpusOf(a: Map<string, string>, nodes: number | undefined): number | undefined {
  const ngpus = wholeNumber('resource_list.ngpus', a.get('resource_list.ngpus') ?? a.get('resource_list.gpus'));
  if (ngpus !== undefined) return ngpus;
  for (const key of ['resource_list.nodes', 'resource_list.nodect']) {
    const perNode = /(?:^|:)gpus?=(\d{1,9})(?::|$)/.exec(a.get(key) ?? '')?.[1];
    if (perNode !== undefined) return Number(perNode) * (nodes ?? 1);
  }
  return undefined;
}
