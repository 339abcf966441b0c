// `hcp.chargeback`: every list in `data` is one tenant's chargeback report (HCP management API
// entries: `namespaceName`, `ingestedVolume`, `storageCapacityUsed`, `startTime`, ...); the entry
// without `namespaceName` is the tenant's total.
import { hcpNamespace } from '../../../types/hcp_namespace.ts';
import { MESSAGE_MEMBERS, unread, within } from './nested.ts';
import { type EnvelopeList, type EnvelopeSchema, notA } from './schema.ts';

const SHAPE = 'hcp.chargeback';

/** One message covers the whole HCP: a complete snapshot of its tenants' namespaces. */
export const hcp: EnvelopeSchema = (data) => {
  const lists = Object.entries(data)
    .filter(([tenant]) => !MESSAGE_MEMBERS.has(tenant))
    .map(([tenant, entries]): EnvelopeList =>
      Array.isArray(entries)
        ? { type: hcpNamespace, shape: SHAPE, path: `data.${tenant}`, items: entries.map((entry) => within(entry, { tenant })) }
        : notA('list of namespace reports', hcpNamespace, SHAPE, `data.${tenant}`, entries),
    );
  return lists.length ? lists : [unread(hcpNamespace, 'hcp.chargeback messages without a tenant list')];
};
