// What a dump holds, learnt from its first megabyte: files that are one snapshot whose time is in
// their header can be read when their turn comes, so a directory of big dumps is never all in memory.
import { canonicalHeader, isCanonical } from './canonical.ts';
import { peekJson } from './json.ts';
import { openstackHeader, openstackType } from './openstack.ts';
import type { DumpContext, PartHeader } from './parts.ts';

export type Survey =
  /** One snapshot, read later, in its turn. */
  | { readonly kind: 'single'; readonly header: PartHeader }
  /** Several snapshots, or a header we could not read from the head: read now. */
  | { readonly kind: 'many' };

const MANY: Survey = { kind: 'many' };

export async function surveyDump(ctx: DumpContext): Promise<Survey> {
  try {
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
    }
    return MANY;
  } catch {
    // Whatever is wrong is reported, with its place, when the whole file is read.
    return MANY;
  }
}
