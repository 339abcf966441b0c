// What a dump holds, learnt from its sniffed head: files that are one snapshot whose time is in their
// header can be read when their turn comes, so a directory of big dumps is never all in memory.
import { job } from '../../types/job.ts';
import type { ResourceType } from '../../types/type.ts';
import { pbsLineTime } from '../pbs/line.ts';
import { canonicalHeader, isCanonical } from './canonical.ts';
import { openstackHeader, openstackType } from './openstack.ts';
import { type DumpContext, type PartHeader, sourceOf } from './parts.ts';
import type { Sniffed } from './sniff.ts';

export type Survey =
  /** One snapshot, read later, in its turn. */
  | { readonly kind: 'single'; readonly header: PartHeader }
  /** Several snapshots, or a header we could not read from the head: read now. */
  | { readonly kind: 'many' }
  /**
   * A ledger stream (PBS log, sacct dump), read in its turn and applied in batches as it is read.
   * Ordered by its first record's time when the head gives one.
   */
  | { readonly kind: 'ledger'; readonly source: string; readonly type: ResourceType; readonly firstAt?: number }
  /** Notifications (SPEC §4.4): folded by event time, so read in any order; their source is --source's. */
  | { readonly kind: 'notifications'; readonly source?: string };

const MANY: Survey = { kind: 'many' };

export function survey(ctx: DumpContext, sniffed: Sniffed): Survey {
  try {
    switch (sniffed.kind) {
      case 'pbs':
        return ledger(ctx, (source) => pbsLineTime(sniffed.firstLine, ctx.timezone?.(source)));
      case 'sacct':
        return ledger(ctx);
      case 'notifications':
        return { kind: 'notifications', source: ctx.source };
      case 'json-line':
        return isCanonical(sniffed.value) ? { kind: 'single', header: canonicalHeader(ctx, sniffed.value) } : MANY;
      case 'json-object': {
        const { scalars, firstNested } = sniffed;
        if (firstNested === undefined) return MANY;
        if (isCanonical(scalars)) return { kind: 'single', header: canonicalHeader(ctx, scalars) };
        const type = openstackType(firstNested);
        if (type) return { kind: 'single', header: openstackHeader(ctx, type, scalars) };
        // `sacct --json`: {"jobs": [...], "meta": ...} in either order.
        if (firstNested === 'jobs' || firstNested === 'meta') return ledger(ctx);
        return MANY;
      }
      default:
        return MANY;
    }
  } catch {
    // Whatever is wrong (an unknown time zone, a bad header) is reported, with its place, when the file is read.
    return MANY;
  }
}

/** A scheduler stream is always read in its turn; `firstAt` orders it when its head gives a time. */
function ledger(ctx: DumpContext, firstAt?: (source: string) => number | undefined): Survey {
  const source = sourceOf(ctx, undefined, undefined, 'source');
  let at: number | undefined;
  try {
    at = firstAt?.(source);
  } catch {
    // An unknown time zone is reported when the log is read.
  }
  return { kind: 'ledger', source, type: job, firstAt: at };
}
