// Object documents (canonical snapshots, raw OpenStack responses) read as one stream of events, so a
// document parsed whole and one too large to parse whole go through the same code.
import { InputError } from '../../errors.ts';
import { canonicalHeader, isCanonical } from './canonical.ts';
import { type ObjectEvent, parseValue } from './json.ts';
import { WorkerBatches } from './normalise-pool.ts';
import { openstackHeader, openstackType, pageSignal, wrapperSignals } from './openstack.ts';
import { type DumpContext, type PartSink, type PartWriter } from './parts.ts';
import { isObject } from '../../types/type.ts';

/** The events of a document already in memory: scalars first, then each list's elements. */
export function* objectEvents(document: Record<string, unknown>): Generator<ObjectEvent> {
  for (const [key, value] of Object.entries(document)) {
    if (value === null || typeof value !== 'object') yield { kind: 'scalar', key, value };
  }
  for (const [member, value] of Object.entries(document)) {
    if (Array.isArray(value)) {
      yield { kind: 'member', member, isList: true };
      for (let index = 0; index < value.length; index++) {
        yield { kind: 'element', member, index, value: value[index] };
        // Let the raw record go as soon as it is normalised: peak memory is then one form, not two.
        value[index] = undefined;
      }
    } else if (isObject(value)) {
      yield { kind: 'member', member, isList: false };
      for (const [index, item] of Object.entries(value)) yield { kind: 'element', member, index, value: item };
    }
  }
}

export async function readObjectDocument(
  ctx: DumpContext,
  sink: PartSink,
  events: Iterable<ObjectEvent> | AsyncIterable<ObjectEvent>,
  at?: string,
): Promise<number> {
  const scalars: Record<string, unknown> = {};
  const writers = new Map<string, { writer: PartWriter; shape: string }>();
  const decided = new Set<string>();
  const signals: string[] = [];
  const where = (member: string, index: number | string) =>
    `${at ? `${at}: ` : ''}${member}${typeof index === 'number' ? `[${index}]` : `.${index}`}`;

  const writerFor = (member: string, isList: boolean) => {
    if (decided.has(member)) return writers.get(member);
    decided.add(member);
    let writer: PartWriter;
    let shape: string;
    if (isCanonical(scalars)) {
      if (member !== 'resources') return undefined;
      if (!isList) throw new InputError(ctx.file, at, 'resources: expected a list');
      writer = sink.part(ctx.file, canonicalHeader(ctx, scalars, at));
      shape = 'canonical';
    } else {
      const type = openstackType(member);
      if (!type) return undefined;
      if (!isList) throw new InputError(ctx.file, at, `${member}: expected a list`);
      writer = sink.part(ctx.file, openstackHeader(ctx, type, scalars, at));
      shape = 'openstack';
    }
    const entry = { writer, shape };
    writers.set(member, entry);
    return entry;
  };

  const element = (member: string, index: number | string, value: unknown) => {
    const target = writerFor(member, typeof index === 'number');
    if (target) target.writer.add(value, target.shape, where(member, index));
    else {
      const signal = pageSignal(member, index, value);
      if (signal) signals.push(signal);
    }
  };
  const handle = (event: ObjectEvent, batches?: WorkerBatches) => {
    if (event.kind === 'scalar') {
      scalars[event.key] = event.value;
    } else if (event.kind === 'member') {
      writerFor(event.member, event.isList);
    } else if (event.kind === 'element') {
      element(event.member, event.index, event.value);
    } else {
      // A streamed record is parsed and normalised by the worker; anything else here.
      const target = writerFor(event.member, true);
      const location = where(event.member, event.index);
      if (target && batches) return batches.add(target.writer, target.shape, event.text, location);
      element(event.member, event.index, parseValue(ctx.file, location, event.text));
    }
    return undefined;
  };
  // A document in memory is walked synchronously: `for await` would cost a promise per record.
  if (Symbol.asyncIterator in events) {
    const batches = new WorkerBatches(ctx.file);
    try {
      for await (const event of events) {
        const behind = handle(event, batches);
        if (behind) await behind;
      }
    } catch (err) {
      // What an earlier element was is told first, as reading alone would have told it.
      await batches.finish();
      throw err;
    }
    await batches.finish();
  } else for (const event of events) handle(event);
  if (writers.size === 0) {
    const found = [...Object.keys(scalars), ...decided].join(', ') || 'nothing';
    const what = isCanonical(scalars)
      ? 'a canonical snapshot without a resources list'
      : 'not a recognised dump: expected a canonical snapshot (resource_type), an OpenStack list response ' +
        '(servers, flavors, volumes, snapshots, images, projects, users, role_assignments) or reporting-unified ' +
        `messages (schema, data); found keys: ${found}`;
    throw new InputError(ctx.file, at, what);
  }
  if (!isCanonical(scalars)) signals.push(...wrapperSignals(scalars));
  for (const { writer } of writers.values()) for (const signal of signals) writer.incomplete(signal);
  return writers.size;
}
