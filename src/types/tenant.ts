// Keystone v3 projects and v2 tenants (reporting-unified `keystone` tenants).
import { f, type ResourceType } from './type.ts';

export const tenant: ResourceType = {
  name: 'tenant',
  mode: 'state',
  key: [f.string('id')],
  fields: [
    f.string('domain_id'),
    f.string('parent_id'),
    f.bool('enabled'),
    f.string('allocation_id'),
    f.string('name', { private: true }),
    f.string('description', { private: true }),
  ],
  readers: {
    openstack: (p) => ({
      id: p.id,
      domain_id: p.domain_id,
      parent_id: p.parent_id,
      enabled: p.enabled,
      // A site-specific project property (Nectar allocations); absent elsewhere.
      allocation_id: p.allocation_id,
      name: p.name,
      description: p.description,
    }),
  },
};
