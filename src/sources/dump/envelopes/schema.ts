// A reporting-unified schema: which lists of a message's `data` hold which resource type.
import type { Scope } from '../../../snapshot.ts';
import type { ResourceType } from '../../../types/type.ts';

export interface EnvelopeList {
  readonly type: ResourceType;
  /** The input shape of the items (`openstack` for raw API objects). */
  readonly shape: string;
  /** Where the items sit in `data`, for error locations. */
  readonly path: string;
  readonly items: readonly unknown[];
  /** Why this list is known not to be whole, when it is not. */
  readonly incomplete?: string;
  /** The part of the series the message describes (its host), when it is not the whole source. */
  readonly scope?: Scope;
  /** The message holds nothing of this type on purpose (a job not yet ended): counted by this reason. */
  readonly skipped?: string;
}

/**
 * Reads one message's `data`; a list that is absent yields nothing (absent is not empty). `source`
 * is the name the message's records will be stored under (a cluster name where the data has none).
 */
export type EnvelopeSchema = (data: Record<string, unknown>, source?: string) => EnvelopeList[];

/** A schema whose `data` lists hold raw OpenStack objects, one list per type. */
export function openstackLists(lists: Readonly<Record<string, ResourceType>>): EnvelopeSchema {
  return (data) =>
    Object.entries(lists).flatMap(([key, type]) => {
      const items = data[key];
      return Array.isArray(items) ? [{ type, shape: 'openstack', path: `data.${key}`, items }] : [];
    });
}
