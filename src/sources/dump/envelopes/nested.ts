// Helpers for schemas whose records sit in nested lists and maps (the storage producers' messages).
import type { Scope } from '../../../snapshot.ts';
import type { ResourceType } from '../../../types/type.ts';
import { isObject } from '../../../types/type.ts';
import type { EnvelopeList } from './schema.ts';

/**
 * A nested item with the names of what it sits in (its host, file system, tenant...), for the
 * type's reader. Anything but an object is handed on as it is, for the normaliser to refuse.
 */
export function within(item: unknown, context: Record<string, unknown>): unknown {
  return isObject(item) ? { ...item, ...context } : item;
}

/** The members of a message's `data` that describe the message, not a record (swift, hcp). */
export const MESSAGE_MEMBERS: ReadonlySet<string> = new Set(['hostname', 'timestamp', 'query_id', 'snapshot', 'page', 'pages']);

/** A message without the member its records are read from: counted by `reason`, never dropped unseen (SPEC §9). */
export function unread(type: ResourceType, reason: string): EnvelopeList {
  return { type, shape: 'canonical', path: 'data', items: [], skipped: reason };
}

/** A list known to be present and empty: a complete snapshot of nothing. */
export function emptyList(type: ResourceType, shape: string, path: string): EnvelopeList {
  return { type, shape, path, items: [] };
}

/** A message about one producer host covers that host's part of its series (see Scope). */
export function hostScope(data: Record<string, unknown>, more: Record<string, unknown> = {}): Scope | undefined {
  const parts = { host: data.hostname, ...more };
  if (!Object.values(parts).every((v) => typeof v === 'string' && v !== '')) return undefined;
  return parts as Scope;
}
