// What a dump holds, learnt from its first megabyte: files that are one snapshot whose time is in
// their header can be read when their turn comes, so a directory of big dumps is never all in memory.
import { job } from '../../types/job.ts';
import type { ResourceType } from '../../types/type.ts';
import { canonicalHeader, isCanonical } from './canonical.ts';
import { peekJson } from './json.ts';
import { openstackHeader, openstackType } from './openstack.ts';
import { type DumpContext, type PartHeader, sourceOf } from './parts.ts';
import { firstRecordTime, schedulerText } from './scheduler.ts';

export type Survey =
  /** One snapshot, read later, in its turn. */
  | { readonly kind: 'single'; readonly header: PartHeader }
  /** Several snapshots, or a header we could not read from the head: read now. */
  | { readonly kind: 'many' }
  /**
   * A ledger stream (PBS log, sacct dump), read in its turn and applied in batches as it is read.
   * Ordered by its first record's time when the head gives one.
   */
  | { readonly kind: 'ledger'; readonly source: string; readonly type: ResourceType; readonly firstAt?: number };

const MANY: Survey = { kind: 'many' };

export async function surveyDump(ctx: DumpContext): Promise<Survey> {
  try {
    const text = await schedulerText(ctx.file);
    if (text) return ledger(ctx, firstRecordTime(ctx, text.format, text.line));
    const peek = await peekJson(ctx.file);
    if (peek.kind === 'line') {
      const value = peek.value;
      if (isCanonical(value)) return { kind: 'single', header: canonicalHeader(ctx, value) };
      return MANY;
    }
    if (peek.kind === 'object' && peek.firstNested !== undefined) {
      if (isCanonical(peek.scalars)) return { kind: 'single', header: canonicalHeader(ctx, peek.scalars) };
      const type = openstackType(peek.firstNested);
      if (type) return { kind: 'single', header: openstackHeader(ctx, type, peek.scalars) };
      // `sacct --json`: {"jobs": [...], "meta": ...} in either order.
      if (peek.firstNested === 'jobs' || peek.firstNested === 'meta') return ledger(ctx);
    }
    return MANY;
  } catch {
    // Whatever is wrong is reported, with its place, when the whole file is read.
    return MANY;
  }
}

function ledger(ctx: DumpContext, firstAt?: number): Survey {
  return { kind: 'ledger', source: sourceOf(ctx, undefined, undefined, 'source'), type: job, firstAt };
}
