// `kind: pbs` (SPEC §4.2): a PBS/Torque accounting directory, read every run. Logs unchanged in size
// and modification time since a run that read them without failure are not read again; today's
// growing log is, and jobs already stored are recognised by key, so none is duplicated.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../../errors.ts';
import type { SourceFile } from '../../store/index.ts';
import type { Delivery } from '../delivery.ts';
import { listDumpFiles } from '../files/list.ts';
import { defineSourceKind, optional, required } from '../kind.ts';
import { readPbsLog } from './log.ts';

export const pbsKind = defineSourceKind({
  name: 'pbs',
  settings: { path: required('text'), timezone: optional('timezone') },
  types: ['job'],
  async plan(source) {
    const files = await listDumpFiles([source.settings.path]);
    return {
      async *deliveries(context): AsyncGenerator<Delivery> {
        const listed = await Promise.all(files.map(describeFile));
        const unchanged = await context.history.unchangedFiles(source.name, listed);
        if (unchanged.size) yield { kind: 'note', message: `${source.name}: ${unchanged.size} accounting file(s) unchanged since they were read; not read again` };
        const options = { source: source.name, timezone: source.settings.timezone, privacy: context.privacy(source.name) };
        const series = { source: source.name, type: 'job' };
        for (const file of files.filter((f) => !unchanged.has(resolve(f)))) {
          yield { kind: 'file', file, series, read: () => readLog(file, options, series) };
        }
        yield { kind: 'files-read', source: source.name, files: listed };
      },
    };
  },
});

async function* readLog(file: string, options: Parameters<typeof readPbsLog>[1], series: { source: string; type: string }): AsyncGenerator<Delivery> {
  try {
    yield* readPbsLog(file, options);
  } catch (err) {
    // Batches applied before the failure stay: reading the log again finds them by key.
    if (!(err instanceof InputError)) throw err;
    yield { kind: 'failed', message: err.message, series };
  }
}

async function describeFile(path: string): Promise<SourceFile> {
  const info = await stat(path);
  // Kept by absolute path: cron and a person may run from different folders with a relative `path`.
  return { path: resolve(path), size: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
}
