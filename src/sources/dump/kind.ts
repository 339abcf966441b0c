// `kind: dump` (SPEC §4.2, §4.3): the files a site's existing producers write, under `path` (a file,
// a folder or a glob). Folders are read whole every run: snapshots already applied are no-ops, and
// the pages of one envelope scan may sit in an old file and a new one, so skipping by date is unsafe.
import { resourceTypes } from '../../types/index.ts';
import { defineSourceKind, required } from '../kind.ts';

export const dumpKind = defineSourceKind({
  name: 'dump',
  settings: { path: required('path') },
  types: resourceTypes().map((type) => type.name),
  async plan(source) {
    // Readers load when a source is planned, not when a config is read (start-up, issue 12).
    const [{ listDumpFiles }, { dumpDeliveries }] = await Promise.all([import('../files/list.ts'), import('./collect.ts')]);
    const files = await listDumpFiles([source.settings.path]);
    return {
      deliveries: (context) => dumpDeliveries(files, { source: source.name, privacy: context.privacy }),
    };
  },
});
