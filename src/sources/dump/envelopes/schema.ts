// A reporting-unified schema: which lists of a message's `data` hold which resource type.
import { describe } from '../../../errors.ts';
import type { Scope } from '../../../snapshot.ts';
import type { ResourceType } from '../../../types/type.ts';

export interface EnvelopeList {
  readonly type: ResourceType;
  /** The input shape of the items (`openstack` for raw API objects). */
  readonly shape: string;
  /** Where the items sit in `data`, for error locations. */
  readonly path: string;
  readonly items: readonly unknown[];
  /** The items' names when they are the members of a map (`data.<project>`), for error locations. */
  readonly keys?: readonly string[];
  /** Why this list is known not to be whole, when it is not. */
  readonly incomplete?: string;
  /** The part of the series the message describes (its host), when it is not the whole source. */
  readonly scope?: Scope;
  /** The message holds nothing of this type on purpose (a job not yet ended): counted by this reason. */
  readonly skipped?: string;
  /** What sits at `path` is not what the schema says (a number for a list): quarantined there. */
  readonly rejected?: string;
}

/**
 * Reads one message's `data`; a list that is absent yields nothing (absent is not empty). `source`
 * is the name the message's records will be stored under (a cluster name where the data has none).
 */
export type EnvelopeSchema = (data: Record<string, unknown>, source?: string) => EnvelopeList[];

/** A schema whose `data` lists hold raw OpenStack objects, one list per type. */
export function openstackLists(lists: Readonly<Record<string, ResourceType>>): EnvelopeSchema {
  return (data) => Object.entries(lists).flatMap(([key, type]) => listAt(data, key, type, 'openstack'));
}

/**
 * The list at `data[key]`: none when absent (absent is not empty), quarantined when it is something
 * else — a list that is a number is neither dropped unseen nor read as empty (SPEC §9, issue 13).
 */
export function listAt(data: Record<string, unknown>, key: string, type: ResourceType, shape: string): EnvelopeList[] {
  const items = data[key];
  const path = `data.${key}`;
  if (items === undefined || items === null) return [];
  if (Array.isArray(items)) return [{ type, shape, path, items }];
  return [notA('list', type, shape, path, items)];
}

/** A member of the wrong type where records sit: quarantined at its path; its snapshot removes nothing. */
export function notA(what: string, type: ResourceType, shape: string, path: string, value: unknown): EnvelopeList {
  return { type, shape, path, items: [], rejected: `expected a ${what}, found ${describe(value)}` };
}
