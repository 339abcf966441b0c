// `keystone` / `keystone.list`: `data.tenants` (each may list its member `users`) and `data.users`.
import { keystoneUser } from '../../../types/keystone_user.ts';
import { membership } from '../../../types/membership.ts';
import { tenant } from '../../../types/tenant.ts';
import { isObject } from '../../../types/type.ts';
import { type EnvelopeList, type EnvelopeSchema, openstackLists } from './schema.ts';

const lists = openstackLists({ tenants: tenant, users: keystoneUser });

export const keystone: EnvelopeSchema = (data) => [...lists(data), ...memberships(data.tenants)];

/** Memberships are known only when the producer listed each tenant's users. */
function memberships(tenants: unknown): EnvelopeList[] {
  if (!Array.isArray(tenants) || !tenants.some((t) => isObject(t) && Array.isArray(t.users))) return [];
  const items = tenants.flatMap((t) =>
    isObject(t) && Array.isArray(t.users) ? t.users.map((u) => ({ tenant_id: t.id, user_id: isObject(u) ? u.id : u })) : [],
  );
  const without = tenants.filter((t) => !(isObject(t) && Array.isArray(t.users))).length;
  return [
    {
      type: membership,
      shape: 'canonical',
      path: 'data.tenants[].users',
      items,
      incomplete: without ? `${without} tenant(s) came without their users list` : undefined,
    },
  ];
}
