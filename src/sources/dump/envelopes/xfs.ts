// `xfs.quota.report`: `data.filesystems[]`, each `{filesystem, device, quota: [{username, used, soft,
// hard}]}` from `xfs_quota -x -c 'report -u'` on `data.hostname` (1 KiB blocks).
import { xfsQuota } from '../../../types/xfs_quota.ts';
import { isObject } from '../../../types/type.ts';
import { emptyList, hostScope, unread, within } from './nested.ts';
import { type EnvelopeList, type EnvelopeSchema, notA } from './schema.ts';

const SHAPE = 'xfs.quota.report';

/**
 * One message is the host's whole report: a complete snapshot of its quotas on every file system,
 * scoped to the host, so other hosts' quotas in the same source stay.
 */
export const xfs: EnvelopeSchema = (data) => {
  const { filesystems } = data;
  if (!Array.isArray(filesystems)) return [unread(xfsQuota, 'xfs.quota.report messages without a filesystems list')];
  const scope = hostScope(data);
  if (!filesystems.length) return [{ ...emptyList(xfsQuota, SHAPE, 'data.filesystems'), scope }];
  return filesystems.map((entry, i): EnvelopeList => {
    const path = `data.filesystems[${i}].quota`;
    if (!isObject(entry)) return { ...notA('file system report', xfsQuota, SHAPE, `data.filesystems[${i}]`, entry), scope };
    if (entry.quota === undefined || entry.quota === null) return { ...emptyList(xfsQuota, SHAPE, path), incomplete: `${path} is missing`, scope };
    if (!Array.isArray(entry.quota)) return { ...notA('list', xfsQuota, SHAPE, path, entry.quota), scope };
    const where = { host: data.hostname, filesystem: entry.filesystem };
    return { type: xfsQuota, shape: SHAPE, path, items: entry.quota.map((line) => within(line, where)), scope };
  });
};
