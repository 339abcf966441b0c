// Reads one dump file of any supported format, as sniffed (SPEC §4.1). Object documents and
// envelopes go into the gatherer as parts of snapshots; scheduler output (PBS logs, sacct text and
// JSON) comes out as ledger-stream deliveries, batch by batch, as it is read.
import { InputError } from '../../errors.ts';
import { isObject } from '../../types/type.ts';
import type { Delivery } from '../delivery.ts';
import { readLines } from '../files/bytes.ts';
import { readNotifications } from '../notifications/read.ts';
import { readPbsLog } from '../pbs/log.ts';
import { readSacctText } from '../slurm/text.ts';
import { CANONICAL_KEYS, canonicalHeader, isCanonicalHeaderLine } from './canonical.ts';
import { objectEvents, readObjectDocument } from './document.ts';
import { isEnvelope, readEnvelope } from './envelopes/index.ts';
import { readJson } from './json.ts';
import { OPENSTACK_KEYS } from './openstack.ts';
import { openstackCliListing } from './openstack-cli.ts';
import { type DumpContext, type PartSink, type PartWriter, sourceOf } from './parts.ts';
import { isSacctJson, sacctJsonDocument, sacctJsonStream } from './sacct-json.ts';
import type { Sniffed } from './sniff.ts';

const HEADER_KEYS = [...new Set([...CANONICAL_KEYS, ...OPENSTACK_KEYS])];

/** Reads every record of `ctx.file`; a broken file throws InputError naming the place. */
export async function* readDump(ctx: DumpContext, sniffed: Sniffed, sink: PartSink): AsyncGenerator<Delivery> {
  if (sniffed.kind === 'pbs' || sniffed.kind === 'sacct') {
    // SPEC §3: a log names no source; its folder (or --source) does, and stands in for the cluster.
    const source = sourceOf(ctx, undefined, undefined, 'source');
    const options = { source, privacy: ctx.privacy(source), batchSize: ctx.batchSize };
    if (sniffed.kind === 'pbs') yield* readPbsLog(ctx.file, { ...options, timezone: ctx.timezone?.(source) });
    else yield* readSacctText(ctx.file, readLines(ctx.file), options);
    return;
  }
  if (sniffed.kind === 'notifications') {
    // SPEC §4.4: a notification names its publisher's host, which is not a source.
    if (!ctx.source) {
      throw new InputError(ctx.file, undefined, 'holds OpenStack notifications, which name no source: give --source with the name of the cloud they come from');
    }
    yield* readNotifications(ctx.file, { source: ctx.source, privacy: ctx.privacy(ctx.source), batchSize: ctx.batchSize });
    return;
  }
  const input = await readJson(ctx.file, HEADER_KEYS, ctx.wholeJsonLimit);
  if (input.kind === 'object-stream') {
    const sacct = await sacctJsonStream(ctx, input.events);
    if ('jobs' in sacct) yield* sacct.jobs;
    else await readObjectDocument(ctx, sink, sacct.replay);
    return;
  }
  if (input.kind === 'array-stream') {
    for await (const { index, value } of input.elements) {
      if (index === 0) refuseCliListing(ctx, value);
      readEnvelope(ctx, sink, value, `[${index}]`);
    }
    return;
  }
  // A whole document, or JSONL: each line is a document, except after a canonical header line.
  let resources: PartWriter | undefined;
  let count = 0;
  for await (const { value, line } of input.values) {
    count++;
    const at = line === undefined ? undefined : `line ${line}`;
    if (resources) {
      resources.add(value, 'canonical', at!);
    } else if (line === 1 && isCanonicalHeaderLine(value)) {
      resources = sink.part(ctx.file, canonicalHeader(ctx, value, at));
    } else if (isSacctJson(value)) {
      yield* sacctJsonDocument(ctx, value.jobs, at);
    } else if (isEnvelope(value)) {
      readEnvelope(ctx, sink, value, at ?? '$');
    } else if (Array.isArray(value)) {
      refuseCliListing(ctx, value[0], at);
      value.forEach((message, index) => readEnvelope(ctx, sink, message, `${at ? `${at} ` : ''}[${index}]`));
    } else if (isObject(value)) {
      await readObjectDocument(ctx, sink, objectEvents(value), at);
    } else {
      throw new InputError(ctx.file, at, 'not a recognised dump: expected a JSON object or list');
    }
  }
  if (count === 0) throw new InputError(ctx.file, undefined, 'is empty');
}

/** A list is read as reporting-unified messages; `openstack … list -f json` output is named for what it is. */
function refuseCliListing(ctx: DumpContext, first: unknown, at?: string): void {
  const refusal = openstackCliListing(first);
  if (refusal) throw new InputError(ctx.file, at, refusal);
}
