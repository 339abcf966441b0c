// What a dump reader hands on: parts of snapshots, and the helpers every format shares.
import { basename, dirname, resolve } from 'node:path';
import { InputError, describe } from '../../errors.ts';
import { parseInstant } from '../../time.ts';
import type { Scope } from '../../snapshot.ts';
import type { ResourceType } from '../../types/type.ts';

export interface DumpContext {
  readonly file: string;
  /** `--source`: names the source of every snapshot read, overriding names in the dump. */
  readonly source?: string;
  /** `--at`: the time of dumps that carry none. */
  readonly at?: number;
  /** The IANA time zone of a source's PBS logs (its `timezone` setting); UTC when none. */
  readonly timezone?: (source: string) => string | undefined;
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
  add(value: unknown, shape: string, location: string): void;
  /** The input says records are missing (a next link, `truncated: true`): no removals. */
  incomplete(reason: string): void;
}

/** A ledger stream (a PBS log, a sacct dump): records come with their own times, in any number. */
export interface LedgerHeader {
  readonly source: string;
  readonly type: ResourceType;
  /** The input shape of the records (`canonical` when the reader already used our field names). */
  readonly shape: string;
}

export interface LedgerWriter {
  /** One record and the time it was logged (epoch ms). */
  add(value: unknown, location: string, at: number): void;
  /** A line that does not read: quarantined with its place (SPEC §9). */
  reject(location: string, reason: string, at?: number, field?: string): void;
  /** A line that is not a record on purpose (a job step, a queued-job record): counted. */
  skip(reason: string): void;
  /** The stream is over. */
  end(): void;
}

export interface PartSink {
  part(file: string, header: PartHeader): PartWriter;
  ledger(file: string, header: LedgerHeader): LedgerWriter;
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
