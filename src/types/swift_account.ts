// Swift account usage, one per project account (`AUTH_<project id>`): live from an account HEAD,
// or from reporting-unified `swift` / `swift.usage` messages.
import { RecordError, describe } from '../errors.ts';
import { f, objectAt, type ResourceType } from './type.ts';

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
    // A reporting-unified message's project id and its usage: `null` when the producer's HEAD got a
    // 404 (the project has no account), skipped as the live collector skips a 404.
    swift: (a) => {
      if (a.usage === null) return null;
      const usage = objectAt(a.usage);
      if (!usage) throw new RecordError(undefined, `expected the account's usage or null, found ${describe(a.usage)}`);
      const project = String(a.project);
      return {
        // The producer asked for `AUTH_<project id>`, as the live collector does.
        account: project.startsWith('AUTH_') ? project : `AUTH_${project}`,
        bytes: usage.bytes,
        containers: usage.containers,
        objects: usage.objects,
        quota_bytes: usage.quota,
      };
    },
  },
};
