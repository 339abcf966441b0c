// `kind: pbs` (SPEC §4.2): a PBS/Torque accounting directory, read every run. Logs unchanged in size
// and modification time since a run that read them without failure are not read again; today's
// growing log is, and jobs already stored are recognised by key, so none is duplicated.
import { changedFiles } from '../files/changed.ts';
import { listDumpFiles } from '../files/list.ts';
import { defineSourceKind, optional, required } from '../kind.ts';
import { readPbsLog } from './log.ts';

export const pbsKind = defineSourceKind({
  name: 'pbs',
  settings: { path: required('path'), timezone: optional('timezone') },
  types: ['job'],
  async plan(source) {
    const files = await listDumpFiles([source.settings.path]);
    return {
      deliveries(context) {
        const options = { source: source.name, timezone: source.settings.timezone, privacy: context.privacy(source.name) };
        return changedFiles(source.name, 'accounting', files, { source: source.name, type: 'job' }, context, (file) => readPbsLog(file, options));
      },
    };
  },
});


