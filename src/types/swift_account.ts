// Swift account usage, one per project account (`AUTH_<project id>`): live from an account HEAD,
// or from reporting-unified `swift` / `swift.usage` messages.
import { f, type ResourceType } from './type.ts';

export const swiftAccount: ResourceType = {
  name: 'swift_account',
  mode: 'state',
  key: [f.string('account')],
  fields: [f.int('bytes'), f.int('containers'), f.int('objects'), f.int('quota_bytes')],
  readers: {
    // The live collector hands the account name and the HEAD response's headers (lower case).
    openstack: (h) => ({
      account: h.account,
      bytes: h['x-account-bytes-used'],
      containers: h['x-account-container-count'],
      objects: h['x-account-object-count'],
      // Set by the account_quotas middleware; absent when the account has no quota.
      quota_bytes: h['x-account-meta-quota-bytes'],
    }),
  },
};
