// Cinder volume snapshots (`snapshots/detail?all_tenants=1`, reporting-unified `cinder` volume_snapshots).
import { f, type ResourceType } from './type.ts';

export const volumeSnapshot: ResourceType = {
  name: 'volume_snapshot',
  mode: 'state',
  key: [f.string('id')],
  fields: [
    f.string('volume_id'),
    f.string('tenant_id'),
    f.int('size_gb'),
    f.string('status'),
    f.time('created_at'),
    f.string('name', { private: true }),
    f.string('description', { private: true }),
  ],
  readers: {
    openstack: (s) => ({
      id: s.id,
      volume_id: s.volume_id,
      tenant_id: s['os-extended-snapshot-attributes:project_id'] ?? s.project_id,
      size_gb: s.size,
      status: s.status,
      created_at: s.created_at,
      name: s.name,
      description: s.description,
    }),
  },
};
