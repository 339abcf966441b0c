// SPEC §4.1.1: our own snapshot format, for any custom collector (JSON, or JSONL with a header line).
import { InputError, describe } from '../../errors.ts';
import { resourceType, resourceTypes } from '../../types/index.ts';
import { type DumpContext, type PartHeader, sourceOf, timeOf } from './parts.ts';
import { isObject } from '../../types/type.ts';

export const CANONICAL_KEYS = ['source', 'resource_type', 'taken_at', 'complete'] as const;

export function isCanonical(value: unknown): value is Record<string, unknown> {
  return isObject(value) && 'resource_type' in value;
}

/** A JSONL file's first line: the header without `resources`. */
export function isCanonicalHeaderLine(value: unknown): value is Record<string, unknown> {
  return isCanonical(value) && !('resources' in value);
}

export function canonicalHeader(ctx: DumpContext, header: Record<string, unknown>, location?: string): PartHeader {
  const name = header.resource_type;
  const type = typeof name === 'string' ? resourceType(name) : undefined;
  if (!type) {
    const known = resourceTypes().map((t) => t.name).join(', ');
    throw new InputError(ctx.file, location, `resource_type: unknown type ${describe(name)} (known: ${known})`);
  }
  const complete = header.complete ?? true;
  if (typeof complete !== 'boolean') {
    throw new InputError(ctx.file, location, `complete: expected true or false, found ${describe(complete)}`);
  }
  return {
    source: sourceOf(ctx, header.source, location, 'source'),
    type,
    takenAt: timeOf(ctx, header.taken_at, location, 'taken_at'),
    complete,
  };
}
