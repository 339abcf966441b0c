// Finished HPC jobs (SPEC §5): PBS/Torque accounting logs, Slurm sacct (parsable and JSON), and the
// reporting-unified `pbs.accounting.log` / `hpc.slurm` messages. A ledger (SPEC §3, §6): each job is
// inserted once by its key.
import { f, type RawObject, type ResourceType } from './type.ts';

export const job: ResourceType = {
  name: 'job',
  mode: 'ledger',
  // Slurm reuses job ids (after MaxJobId, or a new database), so the submit time is part of the key.
  key: [f.string('cluster'), f.string('job_id'), f.time('submit')],
  fields: [
    f.string('user'),
    f.string('group'),
    f.string('account'),
    f.string('queue'),
    f.string('state'),
    f.int('exit_status'),
    f.time('submit'),
    f.time('eligible'),
    f.time('start'),
    f.time('end'),
    f.int('nodes'),
    f.int('cores'),
    f.int('cpu_seconds'),
    f.int('walltime_s'),
    f.int('cput_s'),
    f.int('mem_bytes'),
    f.int('vmem_bytes'),
    f.list('hosts'),
    f.int('req_walltime_s'),
    f.int('req_mem_bytes'),
    f.int('gpus'),
    f.string('name', { private: true }),
  ],
  readers: {
    // The sources map their records to these names themselves (src/sources/pbs/, slurm/). Where
    // that happens while a snapshot is built (reporting-unified messages), they hand over the mapping
    // as a function, so a record that does not map is quarantined like any other (SPEC §9).
    deferred: (raw) => (raw as unknown as Deferred).read(),
  },
  // SPEC §8.1: a ledger record is reported on the day of this field.
  ledgerDay: 'end',
};

/** An input record of the `deferred` shape: mapped when the snapshot builder reads it. */
export interface Deferred {
  readonly read: () => RawObject;
}

/**
 * SPEC §5: the wall time is end − start (schedulers' own walltime figures are sometimes wrong, and
 * exclude nothing we want excluded), and cpu_seconds = cores × that. Times in epoch seconds.
 */
export function jobTimes(start: number | undefined, end: number | undefined, cores: number | undefined): {
  walltime_s?: number;
  cpu_seconds?: number;
} {
  if (start === undefined || end === undefined) return {};
  // A clock step between start and end must not give a negative charge.
  const walltime = Math.max(0, end - start);
  return { walltime_s: walltime, cpu_seconds: cores === undefined ? undefined : cores * walltime };
}
