// `keystone` / `keystone.list`: `data.tenants` (each may list its member `users`) and `data.users`.
import { keystoneUser } from '../../../types/keystone_user.ts';
import { membership } from '../../../types/membership.ts';
import { tenant } from '../../../types/tenant.ts';
import { isObject } from '../parts.ts';
import { type EnvelopeList, type EnvelopeSchema, listAt } from './schema.ts';

export const keystone: EnvelopeSchema = (data) => {
  const lists: EnvelopeList[] = [];
  const tenants = listAt(data, 'tenants');
  if (tenants) {
    lists.push({ type: tenant, shape: 'openstack', path: 'data.tenants', items: tenants });
    // Memberships are known only when the producer listed each tenant's users.
    if (tenants.some((t) => isObject(t) && Array.isArray(t.users))) {
      const members = tenants.flatMap((t) =>
        isObject(t) && Array.isArray(t.users)
          ? t.users.map((u) => ({ tenant_id: t.id, user_id: isObject(u) ? u.id : u }))
          : [],
      );
      const without = tenants.filter((t) => !(isObject(t) && Array.isArray(t.users))).length;
      lists.push({
        type: membership,
        shape: 'canonical',
        path: 'data.tenants[].users',
        items: members,
        incomplete: without ? `${without} tenant(s) came without their users list` : undefined,
      });
    }
  }
  const users = listAt(data, 'users');
  if (users) lists.push({ type: keystoneUser, shape: 'openstack', path: 'data.users', items: users });
  return lists;
};
