// `filesystem.usage`: one file system of `data.hostname`: `data.fs` (its name and statvfs fields)
// and `data.usage` (`owner/project -> {blocks, bytes, files}`).
import { filesystem } from '../../../types/filesystem.ts';
import { fsUsage } from '../../../types/fs_usage.ts';
import { isObject } from '../parts.ts';
import { unread, within } from './nested.ts';
import type { EnvelopeList, EnvelopeSchema } from './schema.ts';

const SHAPE = 'filesystem.usage';

/**
 * One message covers one file system, not the host: its records add and modify, but removing the
 * host's other file systems (or their owners' usage) would be wrong, so nothing is removed.
 */
export const filesystemUsage: EnvelopeSchema = (data) => {
  const { fs, usage } = data;
  if (!isObject(fs)) return [unread(filesystem, 'filesystem.usage messages without their fs')];
  const host = data.hostname;
  const covers = `a filesystem.usage message covers one file system (${String(fs.name)}), not the whole host`;
  const lists: EnvelopeList[] = [{ type: filesystem, shape: SHAPE, path: 'data.fs', items: [within(fs, { host })], incomplete: covers }];
  if (isObject(usage)) {
    const items = Object.entries(usage).map(([who, entry]) => within(entry, { host, filesystem: fs.name, owner_project: who }));
    lists.push({ type: fsUsage, shape: SHAPE, path: 'data.usage', items, incomplete: covers });
  }
  return lists;
};
