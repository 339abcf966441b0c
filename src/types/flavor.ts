// Nova flavors (`flavors/detail?is_public=None`, reporting-unified `nova` flavors).
import { f, type ResourceType } from './type.ts';

export const flavor: ResourceType = {
  name: 'flavor',
  mode: 'state',
  key: [f.string('id')],
  fields: [
    f.string('name'),
    f.int('vcpus'),
    f.int('ram_mb'),
    f.int('disk_gb'),
    f.int('ephemeral_gb'),
    f.int('swap_mb'),
    f.bool('is_public'),
  ],
  readers: {
    openstack: (r) => ({
      id: r.id,
      name: r.name,
      vcpus: r.vcpus,
      ram_mb: r.ram,
      disk_gb: r.disk,
      ephemeral_gb: r['OS-FLV-EXT-DATA:ephemeral'] ?? r.ephemeral,
      // Nova's "no swap" is "" before microversion 2.75 and 0 from it: both are 0, or a change of
      // microversion would record every flavor as modified (issue 13).
      swap_mb: r.swap === '' ? 0 : r.swap,
      is_public: r['os-flavor-access:is_public'] ?? r.is_public,
    }),
  },
};
