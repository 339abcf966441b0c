// `hcp.chargeback`: every list in `data` is one tenant's chargeback report (HCP management API
// entries: `namespaceName`, `ingestedVolume`, `storageCapacityUsed`, `startTime`, ...); the entry
// without `namespaceName` is the tenant's total.
import { hcpNamespace } from '../../../types/hcp_namespace.ts';
import { unread, within } from './nested.ts';
import type { EnvelopeList, EnvelopeSchema } from './schema.ts';

/** One message covers the whole HCP: a complete snapshot of its tenants' namespaces. */
export const hcp: EnvelopeSchema = (data) => {
  const lists = Object.entries(data).flatMap(([tenant, entries]): EnvelopeList[] =>
    Array.isArray(entries)
      ? [{ type: hcpNamespace, shape: 'hcp.chargeback', path: `data.${tenant}`, items: entries.map((entry) => within(entry, { tenant })) }]
      : [],
  );
  return lists.length ? lists : [unread(hcpNamespace, 'hcp.chargeback messages without a tenant list')];
};
