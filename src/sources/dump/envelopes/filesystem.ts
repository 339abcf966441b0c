// `filesystem.usage`: one file system of `data.hostname`: `data.fs` (its name and statvfs fields)
// and `data.usage` (`owner/project -> {blocks, bytes, files}`).
import { filesystem } from '../../../types/filesystem.ts';
import { fsUsage } from '../../../types/fs_usage.ts';
import { isObject } from '../../../types/type.ts';
import { hostScope, unread, within } from './nested.ts';
import { type EnvelopeList, type EnvelopeSchema, notA } from './schema.ts';

const SHAPE = 'filesystem.usage';

/**
 * One message covers one file system of one host: a complete snapshot scoped to that file system, so
 * an owner gone from it is removed while the host's other file systems (and other hosts) stay.
 * Without a host or file system name to scope by, nothing is removed.
 */
export const filesystemUsage: EnvelopeSchema = (data) => {
  const { fs, usage } = data;
  if (!isObject(fs)) return [unread(filesystem, 'filesystem.usage messages without their fs')];
  const host = data.hostname;
  const fsScope = hostScope(data, { name: fs.name });
  const usageScope = hostScope(data, { filesystem: fs.name });
  const unscoped = 'a filesystem.usage message without a host and file system name cannot say what is gone';
  const lists: EnvelopeList[] = [
    { type: filesystem, shape: SHAPE, path: 'data.fs', items: [within(fs, { host })], scope: fsScope, incomplete: fsScope ? undefined : unscoped },
  ];
  if (isObject(usage)) {
    const entries = Object.entries(usage);
    const items = entries.map(([who, entry]) => within(entry, { host, filesystem: fs.name, owner_project: who }));
    lists.push({ type: fsUsage, shape: SHAPE, path: 'data.usage', items, keys: entries.map(([who]) => who), scope: usageScope, incomplete: usageScope ? undefined : unscoped });
  } else if (usage !== undefined && usage !== null) {
    lists.push({ ...notA('map of owner/project to usage', fsUsage, SHAPE, 'data.usage', usage), scope: usageScope });
  }
  return lists;
};
