// Hitachi Content Platform chargeback per tenant and namespace: reporting-unified `hcp.chargeback`.
import { f, type ResourceType } from './type.ts';

/** The namespace of a tenant's own total (an entry without `namespaceName`). */
export const TENANT_TOTAL = '__total__';

export const hcpNamespace: ResourceType = {
  name: 'hcp_namespace',
  mode: 'state',
  key: [f.string('tenant'), f.string('namespace')],
  fields: [
    f.int('ingested_bytes'),
    f.int('raw_bytes'),
    f.int('reads'),
    f.int('writes'),
    f.int('deletes'),
    f.int('objects'),
    f.int('bytes_in'),
    f.int('bytes_out'),
    f.int('metadata_only_objects'),
    f.int('metadata_only_bytes'),
    f.int('tiered_objects'),
    f.int('tiered_bytes'),
    f.time('period_start'),
    f.time('period_end'),
  ],
  readers: {
    // One chargeback entry (HCP management API names), with `tenant`: the list it was found in.
    'hcp.chargeback': (entry) => ({
      // The entry names its tenant; the list it came in is named after the tenant too.
      tenant: entry.tenantName ?? entry.tenant,
      namespace: entry.namespaceName ?? TENANT_TOTAL,
      ingested_bytes: entry.ingestedVolume,
      raw_bytes: entry.storageCapacityUsed,
      reads: entry.reads,
      writes: entry.writes,
      deletes: entry.deletes,
      objects: entry.objectCount,
      bytes_in: entry.bytesIn,
      bytes_out: entry.bytesOut,
      // Older HCP releases do not report these; none is zero.
      metadata_only_objects: entry.metadataOnlyObjects ?? 0,
      metadata_only_bytes: entry.metadataOnlyBytes ?? 0,
      tiered_objects: entry.tieredObjects ?? 0,
      tiered_bytes: entry.tieredBytes ?? 0,
      // Each time carries its own offset (+1030 in summer, +0930 in winter in Adelaide): to UTC.
      period_start: entry.startTime,
      period_end: entry.endTime,
    }),
  },
};
