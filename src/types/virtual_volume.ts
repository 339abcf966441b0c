// HNAS virtual volumes (quota trees) of a file system: reporting-unified `hnas.filesystems`.
import { f, type ResourceType } from './type.ts';
import { MIB, times } from './units.ts';

export const virtualVolume: ResourceType = {
  name: 'virtual_volume',
  mode: 'state',
  key: [f.string('filesystem'), f.string('name')],
  fields: [f.string('owner'), f.int('files'), f.int('usage_bytes'), f.int('quota_bytes')],
  readers: {
    // One entry of a file system's `virtual_volumes`, handed with the file system's name.
    'hnas.filesystems': (volume) => {
      const name = volume['volume-name'];
      return {
        filesystem: volume.filesystem,
        // The SMU lists some names as paths (`/proj-12`); the volume is the same either way.
        name: typeof name === 'string' ? name.replace(/^\//, '') : name,
        // The account the quota is charged to; an empty one means none. `contacts` (e-mail
        // addresses) and `path` are not stored.
        owner: volume['user-group-account'],
        files: volume['file-count'],
        // The producer divides the SMU's bytes by 2^20: MiB as floats, back to whole bytes here.
        usage_bytes: times(volume.usage, MIB),
        quota_bytes: times(volume['usage-limit'], MIB),
      };
    },
  },
};
