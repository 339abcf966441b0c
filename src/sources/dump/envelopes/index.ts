// SPEC §4.1.3: reporting-unified message envelopes {id, session, schema, version, data}.
import { InputError, describe } from '../../../errors.ts';
import { type DumpContext, type PartSink, sourceOf } from '../parts.ts';
import { MAX_DATE_MS } from '../../../time.ts';
import { isObject } from '../../../types/type.ts';
import { cinder } from './cinder.ts';
import { crm } from './crm.ts';
import { filesystemUsage } from './filesystem.ts';
import { hcp } from './hcp.ts';
import { hnas } from './hnas.ts';
import { keystone } from './keystone.ts';
import { nova } from './nova.ts';
import { pbsAccounting } from './pbs.ts';
import type { EnvelopeSchema } from './schema.ts';
import { hpcSlurm } from './slurm.ts';
import { swift } from './swift.ts';
import { xfs } from './xfs.ts';

/** Adding a schema is one file and one line here; messages of other schemas are skipped and counted. */
const SCHEMAS: Readonly<Record<string, EnvelopeSchema>> = {
  nova,
  'nova.list': nova,
  cinder,
  'cinder.list': cinder,
  keystone,
  'keystone.list': keystone,
  swift,
  'swift.usage': swift,
  'xfs.quota.report': xfs,
  'hnas.filesystems': hnas,
  'hcp.chargeback': hcp,
  'filesystem.usage': filesystemUsage,
  crm,
  'pbs.accounting.log': pbsAccounting,
  'hpc.slurm': hpcSlurm,
};

export function isEnvelope(value: unknown): value is Record<string, unknown> {
  return isObject(value) && 'schema' in value && 'data' in value;
}

export function readEnvelope(ctx: DumpContext, sink: PartSink, message: unknown, location: string): void {
  const fail = (detail: string) => new InputError(ctx.file, location, detail);
  if (!isEnvelope(message)) throw fail('not a reporting-unified message (expected an object with schema and data)');
  const { schema, data } = message;
  if (typeof schema !== 'string') throw fail(`schema: expected a name, found ${describe(schema)}`);
  const read = SCHEMAS[schema];
  if (!read) return sink.skip(`messages of schema ${schema} (not read by this version)`);
  if (!isObject(data)) throw fail(`data: expected an object, found ${describe(data)}`);
  if (typeof message.id === 'string' && !sink.firstDelivery(message.id)) return sink.skip('re-delivered messages');

  const takenAt = messageTime(ctx, message, data, location);
  const source = sourceOf(ctx, data.hostname, location, 'data.hostname');
  const scanId = data.query_id ?? data.snapshot;
  const scan = typeof scanId === 'string' || typeof scanId === 'number' ? String(scanId) : undefined;
  const page = pageOf(data, fail);
  for (const list of read(data, source)) {
    if (list.skipped) {
      sink.skip(list.skipped);
      continue;
    }
    const writer = sink.part(ctx.file, { source, type: list.type, takenAt, complete: true, scan, page, scope: list.scope });
    const place = (index: number) => (list.keys ? `${list.path}.${list.keys[index]}` : `${list.path}[${index}]`);
    list.items.forEach((item, index) => writer.add(item, list.shape, `${location}: ${place(index)}`));
    if (list.rejected) writer.reject(`${location}: ${list.path}`, list.rejected);
    if (list.incomplete) writer.incomplete(list.incomplete);
  }
}

/** `data.timestamp` is epoch seconds; a top-level `timestamp` is epoch milliseconds. */
function messageTime(ctx: DumpContext, message: Record<string, unknown>, data: Record<string, unknown>, location: string): number {
  // Checked here, before anything of the file is used: a time no date can hold (1e+20) once crashed
  // the run after the file's earlier messages were committed (issue 13).
  const beyond = (field: string, value: unknown) =>
    new InputError(ctx.file, location, `${field}: expected ${field === 'timestamp' ? 'epoch milliseconds' : 'epoch seconds'}, found ${describe(value)}, which no date can hold`);
  const seconds = epoch(data.timestamp);
  if (seconds !== undefined) {
    if (seconds * 1000 > MAX_DATE_MS) throw beyond('data.timestamp', data.timestamp);
    return Math.round(seconds * 1000);
  }
  const ms = epoch(message.timestamp);
  if (ms !== undefined) {
    if (ms > MAX_DATE_MS) throw beyond('timestamp', message.timestamp);
    return Math.round(ms);
  }
  if (data.timestamp !== undefined || message.timestamp !== undefined) {
    throw new InputError(ctx.file, location, `data.timestamp: expected epoch seconds, found ${describe(data.timestamp ?? message.timestamp)}`);
  }
  if (ctx.at !== undefined) return ctx.at;
  throw new InputError(ctx.file, location, 'carries no time (data.timestamp); give one with --at');
}

function epoch(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

function pageOf(data: Record<string, unknown>, fail: (detail: string) => Error): { number: number; of?: number } | undefined {
  if (data.page === undefined) return undefined;
  const number = Number(data.page);
  const of = data.pages === undefined ? undefined : Number(data.pages);
  if (!Number.isInteger(number) || number < 1) throw fail(`data.page: expected a page number from 1, found ${describe(data.page)}`);
  if (of !== undefined && (!Number.isInteger(of) || of < number)) {
    throw fail(`data.pages: expected the page count (at least ${number}), found ${describe(data.pages)}`);
  }
  return { number, of };
}
