// Nova servers (`servers/detail?all_tenants=1`, reporting-unified `nova` instances).
import { f, objectAt, type RawObject, type ResourceType } from './type.ts';

export const vm: ResourceType = {
  name: 'vm',
  mode: 'state',
  key: [f.string('id')],
  fields: [
    f.string('status'),
    f.string('vm_state'),
    f.int('power_state'),
    f.string('tenant_id'),
    f.string('user_id'),
    f.string('host_id'),
    f.string('hypervisor'),
    f.string('availability_zone'),
    f.string('flavor_id'),
    f.string('flavor_name'),
    f.int('vcpus'),
    f.int('ram_mb'),
    f.int('disk_gb'),
    f.string('image_id'),
    f.time('created_at'),
    f.time('launched_at'),
    f.string('name', { private: true }),
    f.string('key_name', { private: true }),
    f.list('ip_addresses', { private: true }),
  ],
  readers: {
    openstack: (s) => {
      const flavor = objectAt(s.flavor);
      const image = s.image;
      return {
        id: s.id,
        status: s.status,
        vm_state: s['OS-EXT-STS:vm_state'],
        power_state: s['OS-EXT-STS:power_state'],
        tenant_id: s.tenant_id ?? s.project_id,
        user_id: s.user_id,
        host_id: s.hostId,
        hypervisor: s['OS-EXT-SRV-ATTR:hypervisor_hostname'],
        // Zone-less servers are kept (reporting-unified dropped them): the field is just empty.
        availability_zone: s['OS-EXT-AZ:availability_zone'],
        // Before microversion 2.47 the flavor is its id (and links); from 2.47 it is embedded, with
        // its name and sizes but no id. Ingest fills in the other half from the same source's
        // flavors (ingest/flavors.ts), so a change of microversion changes no record.
        flavor_id: flavor?.id,
        flavor_name: flavor?.original_name,
        vcpus: flavor?.vcpus,
        ram_mb: flavor?.ram,
        disk_gb: flavor?.disk,
        // Boot-from-volume servers have `image: ""`: kept, with an empty image_id.
        image_id: objectAt(image)?.id ?? image,
        created_at: s.created,
        launched_at: s['OS-SRV-USG:launched_at'],
        name: s.name,
        key_name: s.key_name,
        ip_addresses: ipAddresses(s.addresses),
      };
    },
  },
  // Servers in a down cell come back as `status: UNKNOWN` with little more than an id.
  isPartial: (s, shape) => shape === 'openstack' && s.status === 'UNKNOWN' && s.flavor === undefined,
};

function ipAddresses(addresses: unknown): string[] | undefined {
  const networks = objectAt(addresses);
  if (!networks) return undefined;
  const ips: string[] = [];
  for (const entries of Object.values(networks)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const addr = (entry as RawObject | null)?.addr;
      if (typeof addr === 'string') ips.push(addr);
    }
  }
  return ips;
}
