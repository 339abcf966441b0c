// `kind: openstack` (SPEC §4.2): Nova, Cinder, Glance, Keystone and Swift over their APIs, with the
// credentials the `openstack` CLI uses. Checked before the database is opened (clouds.yaml, the
// password); the HTTP client is loaded only when a run collects.
import { defineSourceKind, optional } from '../kind.ts';
import { resolveCloud } from './clouds.ts';

/** The types of `kind: openstack`, in the order they are listed and collected. */
export const OPENSTACK_TYPES = ['vm', 'flavor', 'volume', 'volume_snapshot', 'image', 'tenant', 'keystone_user', 'membership', 'swift_account'];

export const openstackKind = defineSourceKind({
  name: 'openstack',
  settings: { cloud: optional('text'), region: optional('text'), max_requests_per_host: optional('count'), timeout: optional('seconds') },
  types: OPENSTACK_TYPES,
  async plan(source) {
    const cloud = resolveCloud(source.settings.cloud);
    return {
      async *deliveries(context) {
        const { openstackDeliveries } = await import('./collect.ts');
        yield* openstackDeliveries(source, source.types ?? OPENSTACK_TYPES, cloud, context);
      },
    };
  },
});
