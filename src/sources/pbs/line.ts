// One PBS/Torque or PBS Pro accounting log line (SPEC §4.1.4): `MM/DD/YYYY HH:MM:SS;E;jobid;key=value ...`,
// one file per day named YYYYMMDD. Only E (job end) records are jobs; the others are counted and skipped.
import { RecordError, describe } from '../../errors.ts';
import { zoneClock } from '../../time.ts';
import { type ParsedRecord, rejected } from '../hpc/record.ts';
import { attributes } from './attributes.ts';
import { pbsJob } from './job.ts';

interface PbsOptions {
  /** The cluster key part: PBS logs do not name their cluster, so the source name stands in. */
  readonly cluster: string;
  /** IANA name of the server's time zone (default UTC). */
  readonly timezone?: string;
}

// The line's own time is the server's local time (the source's `timezone`); the job times inside
// (ctime, start, end...) are epoch seconds (./job.ts).
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

/** The PBS clock, for callers that need a line's time on its own (the survey of a file's head). */
export function pbsLineTime(line: string, timezone?: string): number | undefined {
  const m = LINE.exec(line.trim());
  if (!m) return undefined;
  const at = zoneClock(timezone)(+m[3]!, +m[1]!, +m[2]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(at) ? undefined : at;
}
