// Reads one dump file of any supported format, recognised by content (SPEC §4.1).
import { InputError } from '../../errors.ts';
import { CANONICAL_KEYS, canonicalHeader, isCanonicalHeaderLine } from './canonical.ts';
import { objectEvents, readObjectDocument } from './document.ts';
import { isEnvelope, readEnvelope } from './envelopes/index.ts';
import { readJson } from './json.ts';
import { OPENSTACK_KEYS } from './openstack.ts';
import { type DumpContext, isObject, type PartSink, type PartWriter } from './parts.ts';
import { isSacctJson, readSacctJsonDocument, readSacctJsonStream, readSchedulerText, schedulerText } from './scheduler.ts';

const HEADER_KEYS = [...new Set([...CANONICAL_KEYS, ...OPENSTACK_KEYS])];

/** Streams every record of `ctx.file` into `sink`; a broken file throws InputError naming the place. */
export async function readDump(ctx: DumpContext, sink: PartSink): Promise<void> {
  // PBS logs and sacct dumps are text, told by their first line (SPEC §4.1.4).
  const text = await schedulerText(ctx.file);
  if (text) return readSchedulerText(ctx, sink, text.format);
  const input = await readJson(ctx.file, HEADER_KEYS);
  if (input.kind === 'object-stream') {
    const sacct = await readSacctJsonStream(ctx, sink, input.events);
    if (!sacct.sacct) await readObjectDocument(ctx, sink, sacct.replay);
    return;
  }
  if (input.kind === 'array-stream') {
    for await (const { index, value } of input.elements) readEnvelope(ctx, sink, value, `[${index}]`);
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
      readSacctJsonDocument(ctx, sink, value.jobs, at);
    } else if (isEnvelope(value)) {
      readEnvelope(ctx, sink, value, at ?? '$');
    } else if (Array.isArray(value)) {
      value.forEach((message, index) => readEnvelope(ctx, sink, message, `${at ? `${at} ` : ''}[${index}]`));
    } else if (isObject(value)) {
      await readObjectDocument(ctx, sink, objectEvents(value), at);
    } else {
      throw new InputError(ctx.file, at, 'not a recognised dump: expected a JSON object or list');
    }
  }
  if (count === 0) throw new InputError(ctx.file, undefined, 'is empty');
}
