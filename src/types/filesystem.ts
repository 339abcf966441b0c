// File systems and their capacity: reporting-unified `hnas.filesystems` (an HNAS's file systems)
// and `filesystem.usage` (statvfs of one file system of a host).
import { f, type ResourceType } from './type.ts';
import { times } from './units.ts';

export const filesystem: ResourceType = {
  name: 'filesystem',
  mode: 'state',
  key: [f.string('host'), f.string('name')],
  fields: [
    f.int('capacity_bytes'),
    f.int('free_bytes'),
    f.int('live_usage_bytes'),
    f.int('snapshot_usage_bytes'),
    // statvfs(3), as the host gave it: sizes in bytes, block counts in `frsize` units.
    f.int('bsize'),
    f.int('frsize'),
    f.int('blocks'),
    f.int('bfree'),
    f.int('bavail'),
    f.int('files'),
    f.int('ffree'),
    f.int('favail'),
  ],
  readers: {
    // One entry of `data.filesystems` (name -> details), with the host and its name; numbers as text, in bytes.
    'hnas.filesystems': (d) => ({
      host: d.host,
      name: d.name,
      capacity_bytes: d.capacity,
      free_bytes: d.free,
      live_usage_bytes: d['live-fs-used'],
      snapshot_usage_bytes: d['snapshot-used'],
    }),
    // `data.fs` of one message: statvfs fields, from which capacity and free space follow.
    'filesystem.usage': (fs) => ({
      host: fs.host,
      name: fs.name,
      capacity_bytes: times(fs.blocks, fs.frsize),
      free_bytes: times(fs.bfree, fs.frsize),
      bsize: fs.bsize,
      frsize: fs.frsize,
      blocks: fs.blocks,
      bfree: fs.bfree,
      bavail: fs.bavail,
      files: fs.files,
      ffree: fs.ffree,
      favail: fs.favail,
    }),
  },
};
