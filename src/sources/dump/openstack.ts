// SPEC §4.1.2: raw OpenStack list responses, as saved from curl, with or without a {taken_at, source} wrapper.
import { resourceType } from '../../types/index.ts';
import type { ResourceType } from '../../types/type.ts';
import { type DumpContext, type PartHeader, sourceOf, timeOf } from './parts.ts';
import { isObject } from '../../types/type.ts';

/** The list key of each API response and the resource type it holds. */
const LIST_KEYS: Readonly<Record<string, string>> = {
  servers: 'vm',
  flavors: 'flavor',
  volumes: 'volume',
  snapshots: 'volume_snapshot',
  images: 'image',
  projects: 'tenant',
  tenants: 'tenant',
  users: 'keystone_user',
  role_assignments: 'membership',
};

export const OPENSTACK_KEYS = ['taken_at', 'source', 'truncated', 'next'] as const;

export function openstackType(member: string): ResourceType | undefined {
  const name = LIST_KEYS[member];
  return name ? resourceType(name) : undefined;
}

export function openstackHeader(ctx: DumpContext, type: ResourceType, wrapper: Record<string, unknown>, location?: string): PartHeader {
  return {
    source: sourceOf(ctx, wrapper.source, location, 'source'),
    type,
    takenAt: timeOf(ctx, wrapper.taken_at, location, 'taken_at'),
    complete: true,
  };
}

/**
 * A saved response that is one page of several is not the whole list (SPEC §6): Nova/Cinder
 * `*_links` with rel=next, Keystone `links.next`, Glance `next`, Keystone `truncated: true`.
 */
export function pageSignal(member: string, index: number | string, value: unknown): string | undefined {
  if (member.endsWith('_links') && isObject(value) && value.rel === 'next') {
    return `${member} has a next link: the response is one page of several`;
  }
  if (member === 'links' && index === 'next' && typeof value === 'string' && value !== '') {
    return 'links.next is set: the response is one page of several';
  }
  return undefined;
}

export function wrapperSignals(scalars: Record<string, unknown>): string[] {
  const signals: string[] = [];
  if (scalars.truncated === true) signals.push('the list is truncated (truncated: true)');
  if (typeof scalars.next === 'string' && scalars.next !== '') signals.push('next is set: the response is one page of several');
  return signals;
}
