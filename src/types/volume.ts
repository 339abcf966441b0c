// Cinder volumes (`volumes/detail?all_tenants=1`, reporting-unified `cinder` volumes).
import { f, objectAt, type ResourceType } from './type.ts';

export const volume: ResourceType = {
  name: 'volume',
  mode: 'state',
  key: [f.string('id')],
  fields: [
    f.string('status'),
    f.string('tenant_id'),
    f.string('user_id'),
    f.string('availability_zone'),
    f.int('size_gb'),
    f.string('volume_type'),
    f.bool('bootable'),
    f.bool('encrypted'),
    f.string('snapshot_id'),
    f.list('attached_to'),
    f.time('created_at'),
    f.string('name', { private: true }),
    f.string('description', { private: true }),
  ],
  readers: {
    openstack: (v) => ({
      id: v.id,
      status: v.status,
      tenant_id: v['os-vol-tenant-attr:tenant_id'] ?? v.project_id,
      user_id: v.user_id,
      availability_zone: v.availability_zone,
      size_gb: v.size,
      volume_type: v.volume_type,
      // Cinder sends bootable as the strings "true"/"false".
      bootable: v.bootable,
      encrypted: v.encrypted,
      snapshot_id: v.snapshot_id,
      attached_to: Array.isArray(v.attachments)
        ? v.attachments.map((a) => objectAt(a)?.server_id)
        : undefined,
      created_at: v.created_at,
      name: v.name,
      description: v.description,
    }),
  },
};
