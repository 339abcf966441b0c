// `kind: notifications` (SPEC §4.3, §4.4): captured OpenStack notifications under `path` (a folder or
// a glob), folded into the history of `source` (default: this source's own name). Files unchanged in
// size and modification time since a run read them without failure are not read again; a growing
// capture is, and the messages already stored are recognised and not stored twice.
import { NOTIFICATION } from '../../store/index.ts';
import { defineSourceKind, optional, required } from '../kind.ts';

export const notificationsKind = defineSourceKind({
  name: 'notifications',
  settings: { path: required('path'), source: optional('text') },
  types: ['vm', 'volume'],
  async plan(config) {
    // Readers load when a source is planned, not when a config is read (start-up, issue 12).
    const [{ changedFiles }, { listDumpFiles }, { readNotifications }] = await Promise.all([
      import('../files/changed.ts'),
      import('../files/list.ts'),
      import('./read.ts'),
    ]);
    const files = await listDumpFiles([config.settings.path]);
    // The history the events join: the cloud's source, whose snapshots they complete.
    const source = config.settings.source ?? config.name;
    return {
      deliveries: (context) => {
        const privacy = context.privacy(config.name);
        return changedFiles(config.name, 'capture', files, { source, type: NOTIFICATION }, context, (file) => readNotifications(file, { source, privacy }));
      },
    };
  },
});


