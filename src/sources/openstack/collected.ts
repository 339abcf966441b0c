// The types of `kind: openstack`, in the order they are listed and collected. Kept apart from the
// scans so the config check does not load the HTTP client.
export const OPENSTACK_TYPES = ['vm', 'flavor', 'volume', 'volume_snapshot', 'image', 'tenant', 'keystone_user', 'membership', 'swift_account'];
