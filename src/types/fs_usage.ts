// Usage per owner and project (user and group) of one file system of a host: reporting-unified
// `filesystem.usage` messages.
import { f, type ResourceType } from './type.ts';

export const fsUsage: ResourceType = {
  name: 'fs_usage',
  mode: 'state',
  // Owners and projects without a name on the host come as numeric ids, and are kept so.
  key: [f.string('host'), f.string('filesystem'), f.string('owner'), f.string('project')],
  fields: [f.int('blocks'), f.int('bytes'), f.int('files')],
  readers: {
    // One member of `data.usage`, keyed `owner/project`, with the host and file system it is on.
    'filesystem.usage': (u) => {
      const who = typeof u.owner_project === 'string' ? u.owner_project : '';
      const slash = who.indexOf('/');
      return {
        host: u.host,
        filesystem: u.filesystem,
        owner: slash < 0 ? who : who.slice(0, slash),
        project: slash < 0 ? undefined : who.slice(slash + 1),
        blocks: u.blocks,
        bytes: u.bytes,
        files: u.files,
      };
    },
  },
};
