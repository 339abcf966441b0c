// `kind: pbs` (SPEC §4.2): a PBS/Torque accounting directory, read every run. Logs unchanged in size
// and modification time since a run that read them without failure are not read again; today's
// growing log is, and jobs already stored are recognised by key, so none is duplicated.
import { defineSourceKind, optional, required } from '../kind.ts';

export const pbsKind = defineSourceKind({
  name: 'pbs',
  settings: { path: required('path'), timezone: optional('timezone') },
  types: ['job'],
  async plan(source) {
    // Readers load when a source is planned, not when a config is read (start-up, issue 12).
    const [{ changedFiles }, { listDumpFiles }, { readPbsLog }] = await Promise.all([import('../files/changed.ts'), import('../files/list.ts'), import('./log.ts')]);
    const files = await listDumpFiles([source.settings.path]);
    return {
      deliveries(context) {
        const options = { source: source.name, timezone: source.settings.timezone, privacy: context.privacy(source.name) };
        return changedFiles(source.name, 'accounting', files, { source: source.name, type: 'job' }, context, (file) => readPbsLog(file, options));
      },
    };
  },
});


