// `sacct --json` dumps (SPEC §4.1.4): a document whose `jobs` list is read element by element into a
// ledger stream, whether the document was parsed whole or is streamed.
import { isObject } from '../../types/type.ts';
import type { Delivery } from '../delivery.ts';
import { LedgerFeed } from '../hpc/feed.ts';
import { parseSacctJson } from '../slurm/json.ts';
import { type ObjectEvent, parseValue } from './json.ts';
import { type DumpContext, sourceOf } from './parts.ts';

/** A whole `sacct --json` document: an object with a `jobs` list (and `meta`, `errors`), no `resource_type`. */
export function isSacctJson(value: unknown): value is { jobs: unknown[] } {
  return isObject(value) && Array.isArray(value.jobs) && !('resource_type' in value) && !('schema' in value);
}

function feedOf(ctx: DumpContext): LedgerFeed {
  // SPEC §3: a dump names no source; its folder (or --source) does, and stands in for the cluster.
  const source = sourceOf(ctx, undefined, undefined, 'source');
  return new LedgerFeed(ctx.file, source, ctx.privacy(source), ctx.batchSize);
}

/** `sacct --json` held in memory: its `jobs`, one by one. */
export function* sacctJsonDocument(ctx: DumpContext, jobs: unknown[], at?: string): Generator<Delivery> {
  const feed = feedOf(ctx);
  for (let index = 0; index < jobs.length; index++) {
    feed.take(parseSacctJson(jobs[index], { cluster: feed.source }), `${at ? `${at}: ` : ''}jobs[${index}]`);
    // Let each job go once read: peak memory is then one form of the list, not two.
    jobs[index] = undefined;
    if (feed.hasReady) yield* feed.ready();
  }
  yield* feed.end();
}

/**
 * A streamed document (too large to parse whole) that is `sacct --json`: decided by its first
 * nested member (`jobs`, after any `meta`, `errors`, `warnings`). When it is some other document,
 * `replay` yields every event, none lost.
 */
export async function sacctJsonStream(
  ctx: DumpContext,
  events: AsyncIterable<ObjectEvent>,
): Promise<{ readonly jobs: AsyncGenerator<Delivery> } | { readonly replay: AsyncIterable<ObjectEvent> }> {
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
  const rest = async function* () {
    yield* seen;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  if (!decided) return { replay: rest() };
  return {
    jobs: (async function* () {
      const feed = feedOf(ctx);
      for await (const event of rest()) {
        if ((event.kind !== 'element' && event.kind !== 'text') || event.member !== 'jobs') continue;
        const where = `jobs[${String(event.index)}]`;
        const job = event.kind === 'text' ? parseValue(ctx.file, where, event.text) : event.value;
        feed.take(parseSacctJson(job, { cluster: feed.source }), where);
        if (feed.hasReady) yield* feed.ready();
      }
      yield* feed.end();
    })(),
  };
}
