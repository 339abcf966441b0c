// What a dump reader hands on: parts of snapshots, and the helpers every format shares.
import { basename, dirname, resolve } from 'node:path';
import { InputError, describe } from '../../errors.ts';
import type { Scope } from '../../snapshot.ts';
import { parseInstant } from '../../time.ts';
import type { NormaliseOutcome, Privacy } from '../../types/normalise.ts';
import type { ResourceType } from '../../types/type.ts';

/** How the dumps of one request are read (`--source`, `--at`, the sources' settings). */
export interface DumpOptions {
  /** `--source`: names the source of every snapshot read, overriding names in the dump. */
  readonly source?: string;
  /** `--at`: the time of dumps that carry none. */
  readonly at?: number;
  /** The IANA time zone of a source's PBS logs (its `timezone` setting); UTC when none. */
  readonly timezone?: (source: string) => string | undefined;
  /** How a source's private fields are stored (SPEC §5). */
  readonly privacy: (source: string) => Privacy;
  /** Jobs per ledger batch (default 20 000; `validate` reads each file as one). */
  readonly batchSize?: number;
  /** Documents up to this many decompressed bytes are parsed whole; larger ones are streamed. */
  readonly wholeJsonLimit?: number;
}

/** One file being read, with the request's options. */
export interface DumpContext extends DumpOptions {
  readonly file: string;
}

export interface PartHeader {
  readonly source: string;
  readonly type: ResourceType;
  readonly takenAt: number;
  /** The input claims completeness (a canonical `complete: false` says otherwise). */
  readonly complete: boolean;
  /** Pages of one paginated envelope scan share this id and form one snapshot (SPEC §4.1.3). */
  readonly scan?: string;
  readonly page?: { readonly number: number; readonly of?: number };
  /** The part of the series the input describes (one host's quotas); see Scope. */
  readonly scope?: Scope;
}

export interface PartWriter {
  /** The type and privacy its records are normalised with (by a worker, for a streamed document). */
  readonly type: ResourceType;
  readonly privacy: Privacy;
  add(value: unknown, shape: string, location: string): void;
  /** Adds a record already normalised (normalise-pool.ts). */
  take(outcome: NormaliseOutcome, location: string): void;
  /** The input says records are missing (a next link, `truncated: true`): no removals. */
  incomplete(reason: string): void;
  /** What sits at `location` cannot be read as records at all: quarantined (SPEC §9), no removals. */
  reject(location: string, reason: string): void;
}

/** Where the readers of object documents and envelopes put what they read (see gather.ts). */
export interface PartSink {
  part(file: string, header: PartHeader): PartWriter;
  /** Counted, not stored (a schema we do not read, a re-delivered message). */
  skip(reason: string): void;
  /** False when a message with this id was already read in this run. */
  firstDelivery(messageId: string): boolean;
}

/** SPEC §3: a dump without a source name is named after its folder. */
function derivedSource(file: string): string {
  return basename(dirname(resolve(file)));
}

export function sourceOf(ctx: DumpContext, named: unknown, location: string | undefined, field: string): string {
  if (ctx.source) return ctx.source;
  if (named === undefined || named === null || named === '') return derivedSource(ctx.file);
  if (typeof named !== 'string') throw new InputError(ctx.file, location, `${field}: expected a source name, found ${describe(named)}`);
  return named;
}

/** An ISO-8601 time with a zone from the dump, else `--at`, else a clear refusal (SPEC §4.1). */
export function timeOf(ctx: DumpContext, value: unknown, location: string | undefined, field: string): number {
  if (value === undefined || value === null) {
    if (ctx.at !== undefined) return ctx.at;
    throw new InputError(ctx.file, location, `carries no time (${field}); give one with --at, e.g. --at 2026-11-21T02:00:00Z`);
  }
  if (typeof value !== 'string') {
    throw new InputError(ctx.file, location, `${field}: expected an ISO-8601 time, found ${describe(value)}`);
  }
  const ms = parseInstant(value);
  if (typeof ms === 'string') throw new InputError(ctx.file, location, `${field}: ${ms}: ${describe(value)}`);
  return ms;
}
