// HPC scheduler dumps (SPEC §4.1.4), recognised by content: PBS/Torque accounting logs and
// `sacct --parsable2 --noheader` output (text, read line by line), and `sacct --json` (a JSON
// document whose `jobs` list is read element by element). Their jobs go to a ledger writer as they
// are read, so a file of a million lines is never in memory (the writer applies them in batches).
import { InputError, describe } from '../../errors.ts';
import type { ParsedRecord } from '../hpc/record.ts';
import { isTimeZone } from '../../time.ts';
import { isPbsLine, parsePbsLine, pbsLineTime } from '../pbs/line.ts';
import { parseSacctJson } from '../slurm/json.ts';
import { isSacctLine, parseSacctParsable, sacctHeaderProblem } from '../slurm/parsable.ts';
import { job } from '../../types/job.ts';
import { readBytes } from './bytes.ts';
import type { ObjectEvent } from './json.ts';
import { type DumpContext, isObject, type LedgerWriter, type PartSink, sourceOf } from './parts.ts';

export type SchedulerText = 'pbs' | 'sacct';

const NEWLINE = 0x0a;
const HEAD_BYTES = 64 << 10;

/** The first non-blank line of a file (decompressed), from at most its first 64 KiB. */
async function firstLine(file: string): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of readBytes(file, HEAD_BYTES)) {
    chunks.push(chunk);
    size += chunk.length;
    if (chunk.includes(NEWLINE) || size >= HEAD_BYTES) {
      const head = Buffer.concat(chunks).toString('utf8');
      const line = head.split('\n').find((l) => l.trim() !== '');
      if (line !== undefined || size >= HEAD_BYTES) return line;
    }
  }
  return Buffer.concat(chunks).toString('utf8').split('\n').find((l) => l.trim() !== '');
}

/** Which scheduler text format a file's first line has, if any. */
export async function schedulerText(file: string): Promise<{ format: SchedulerText; line: string } | undefined> {
  let line: string | undefined;
  try {
    line = await firstLine(file);
  } catch {
    // An unreadable file is reported, with its reason, by the reader that comes next.
    return undefined;
  }
  if (line === undefined) return undefined;
  if (isPbsLine(line)) return { format: 'pbs', line };
  if (isSacctLine(line)) return { format: 'sacct', line };
  return undefined;
}

/** When a PBS log's first record was written (for ordering files), if it reads. */
export function firstRecordTime(ctx: DumpContext, format: SchedulerText, line: string): number | undefined {
  if (format !== 'pbs') return undefined;
  const zone = ctx.timezone?.(sourceOf(ctx, undefined, undefined, 'source'));
  return zone === undefined || isTimeZone(zone) ? pbsLineTime(line, zone) : undefined;
}

/**
 * Reads a PBS log or a sacct dump line by line into one ledger stream of the file's source. A live
 * collector passes the lines it has (sacct's output), with `ctx.file` naming where they came from.
 */
export async function readSchedulerText(
  ctx: DumpContext,
  sink: PartSink,
  format: SchedulerText,
  input: AsyncIterable<string> | Iterable<string> = lines(ctx.file),
): Promise<void> {
  // SPEC §3: a log names no source; its folder (or --source) does, and stands in for the cluster.
  const source = sourceOf(ctx, undefined, undefined, 'source');
  const timezone = ctx.timezone?.(source);
  if (format === 'pbs' && timezone !== undefined && !isTimeZone(timezone)) {
    throw new InputError(ctx.file, undefined, `timezone of source ${source}: unknown time zone ${describe(timezone)} (expected an IANA name such as Australia/Adelaide)`);
  }
  const options = { cluster: source, timezone };
  const parse = format === 'pbs' ? (line: string) => parsePbsLine(line, options) : (line: string) => parseSacctParsable(line, options);
  const feed = new Feed(ctx, sink.ledger(ctx.file, { source, type: job, shape: 'canonical' }));
  let number = 0;
  for await (const line of input) {
    number++;
    // Only a first line can be a header (in another column order: refused, naming both).
    if (format === 'sacct' && number === 1) {
      const problem = sacctHeaderProblem(line);
      if (problem) throw new InputError(ctx.file, `line ${number}`, problem);
    }
    feed.take(parse(line), `line ${number}`);
  }
  feed.end();
}

/** `sacct --json` held in memory: its `jobs`, one by one. */
export function readSacctJsonDocument(ctx: DumpContext, sink: PartSink, jobs: unknown[], at?: string): void {
  const source = sourceOf(ctx, undefined, undefined, 'source');
  const feed = new Feed(ctx, sink.ledger(ctx.file, { source, type: job, shape: 'canonical' }));
  for (let index = 0; index < jobs.length; index++) {
    feed.take(parseSacctJson(jobs[index], { cluster: source }), `${at ? `${at}: ` : ''}jobs[${index}]`);
    // Let each job go once read: peak memory is then one form of the list, not two.
    jobs[index] = undefined;
  }
  feed.end();
}

/** A whole `sacct --json` document: an object with a `jobs` list (and `meta`, `errors`), no `resource_type`. */
export function isSacctJson(value: unknown): value is { jobs: unknown[] } {
  return isObject(value) && Array.isArray(value.jobs) && !('resource_type' in value) && !('schema' in value);
}

/**
 * A streamed document (too large to parse whole) that is `sacct --json`: decided by its first
 * nested member (`jobs`, after any `meta`, `errors`, `warnings`). Returns false, having read
 * nothing it cannot give back, when it is some other document: `replay` then yields every event.
 */
export async function readSacctJsonStream(
  ctx: DumpContext,
  sink: PartSink,
  events: AsyncIterable<ObjectEvent>,
): Promise<{ sacct: true } | { sacct: false; replay: AsyncIterable<ObjectEvent> }> {
  const iterator = events[Symbol.asyncIterator]();
  const seen: ObjectEvent[] = [];
  let decided: boolean | undefined;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
    const event = next.value;
    if (event.kind === 'scalar') {
      if (event.key === 'resource_type') decided = false;
    } else if (event.member === 'jobs') decided ??= true;
    else if (!['meta', 'errors', 'warnings'].includes(event.member)) decided ??= false;
    if (decided !== undefined) break;
  }
  if (!decided) {
    return {
      sacct: false,
      replay: (async function* () {
        yield* seen;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      })(),
    };
  }
  const source = sourceOf(ctx, undefined, undefined, 'source');
  const feed = new Feed(ctx, sink.ledger(ctx.file, { source, type: job, shape: 'canonical' }));
  const take = (event: ObjectEvent) => {
    if (event.kind === 'element' && event.member === 'jobs') {
      feed.take(parseSacctJson(event.value, { cluster: source }), `jobs[${String(event.index)}]`);
    }
  };
  for (const event of seen) take(event);
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) take(next.value);
  feed.end();
  return { sacct: true };
}

/** Hands parsed lines to a ledger writer; refuses a file in which no line could be read at all. */
class Feed {
  records = 0;
  private timed = false;
  private firstProblem?: string;

  constructor(
    private readonly ctx: DumpContext,
    private readonly writer: LedgerWriter,
  ) {}

  take(result: ParsedRecord, location: string): void {
    switch (result.kind) {
      case 'jobs':
        this.timed = true;
        for (const record of result.records) {
          this.records++;
          this.writer.add(record, location, result.at);
        }
        break;
      case 'skip':
        this.writer.skip(result.reason);
        break;
      case 'reject':
        if (result.at !== undefined) this.timed = true;
        this.firstProblem ??= `${location}: ${result.field ? `${result.field}: ` : ''}${result.reason}`;
        this.writer.reject(location, result.reason, result.at, result.field);
        break;
    }
  }

  end(): void {
    // Quarantined lines need a snapshot time; a file without one readable time is not a log at all.
    if (this.firstProblem !== undefined && !this.timed) {
      throw new InputError(this.ctx.file, undefined, `no record in it could be read (first problem: ${this.firstProblem})`);
    }
    this.writer.end();
  }
}

/** The lines of a (possibly compressed) text file, without their line ends. */
async function* lines(file: string): AsyncGenerator<string> {
  let rest: Buffer | undefined;
  for await (const chunk of readBytes(file)) {
    const buffer: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let end = buffer.indexOf(NEWLINE, start); end >= 0; end = buffer.indexOf(NEWLINE, start)) {
      yield buffer.toString('utf8', start, end);
      start = end + 1;
    }
    rest = start < buffer.length ? buffer.subarray(start) : undefined;
  }
  if (rest) yield rest.toString('utf8');
}
