// Reading dump files in this process, as `validate` does: every snapshot they hold, nothing applied.
import type { DumpOptions } from '../../src/sources/dump/parts.ts';
import { sniff } from '../../src/sources/dump/sniff.ts';
import { survey, type Survey } from '../../src/sources/dump/survey.ts';
import { readWhole, type WholeDumps } from '../../src/sources/dump/whole.ts';
import { listDumpFiles } from '../../src/sources/files/list.ts';
import type { Privacy } from '../../src/types/normalise.ts';

type Options = Omit<DumpOptions, 'privacy'> & { readonly privacy?: Privacy };

/** The files under `paths`, read whole; the first file that fails is thrown (an InputError). */
export async function readDumps(paths: readonly string[], options: Options = {}): Promise<WholeDumps> {
  const privacy = options.privacy ?? { mode: 'drop' };
  const read = await readWhole(await listDumpFiles(paths), { ...options, privacy: () => privacy });
  if (read.failures.length) throw read.failures[0];
  return read;
}

/** What ingest learns of a file before reading it. */
export async function surveyFile(file: string, options: Options = {}): Promise<Survey> {
  const privacy = options.privacy ?? { mode: 'drop' };
  return survey({ ...options, file, privacy: () => privacy }, await sniff(file));
}
