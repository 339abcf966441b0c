// XFS user quotas per host and file system: reporting-unified `xfs.quota.report` messages, which
// carry `xfs_quota -x -c 'report -u'` in 1 KiB blocks.
import { f, type ResourceType } from './type.ts';
import { KIB, times } from './units.ts';

export const xfsQuota: ResourceType = {
  name: 'xfs_quota',
  mode: 'state',
  // A user without a name on the host is reported as `#<uid>`, and kept so.
  key: [f.string('host'), f.string('filesystem'), f.string('username')],
  fields: [f.int('used_bytes'), f.int('soft_bytes'), f.int('hard_bytes')],
  readers: {
    // One line of a file system's `quota` list, with the host and file system it was reported for.
    'xfs.quota.report': (q) => ({
      host: q.host,
      filesystem: q.filesystem,
      username: q.username,
      used_bytes: times(q.used, KIB),
      soft_bytes: times(q.soft, KIB),
      hard_bytes: times(q.hard, KIB),
    }),
  },
};
