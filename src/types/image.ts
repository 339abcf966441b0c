// Glance v2 images (all visibilities, hidden ones included).
import { f, type ResourceType } from './type.ts';

export const image: ResourceType = {
  name: 'image',
  mode: 'state',
  key: [f.string('id')],
  fields: [
    f.string('owner'),
    f.string('visibility'),
    f.string('status'),
    f.int('size_bytes'),
    f.int('min_disk_gb'),
    f.int('min_ram_mb'),
    f.string('disk_format'),
    f.time('created_at'),
    f.time('updated_at'),
    f.string('name', { private: true }),
  ],
  readers: {
    openstack: (i) => ({
      id: i.id,
      owner: i.owner,
      visibility: i.visibility,
      status: i.status,
      size_bytes: i.size,
      min_disk_gb: i.min_disk,
      min_ram_mb: i.min_ram,
      disk_format: i.disk_format,
      created_at: i.created_at,
      updated_at: i.updated_at,
      name: i.name,
    }),
  },
};
