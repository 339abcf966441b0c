// Sources that read a folder every run (PBS accounting logs, notification captures): a file unchanged
// in size and modification time since a run read it without failure is not read again. A growing file
// is, and what it held before is recognised by key, so nothing is stored twice.
import { resolve } from 'node:path';
import { type CollectContext, type Delivery, failingSoftly, type SeriesRef } from '../delivery.ts';
import { describeFile } from './list.ts';

export async function* changedFiles(
  /** The configured source, whose files these are. */
  name: string,
  /** What the files are, for the note (`accounting`, `capture`). */
  what: string,
  files: readonly string[],
  series: SeriesRef,
  context: CollectContext,
  read: (file: string) => AsyncIterable<Delivery>,
): AsyncGenerator<Delivery> {
  const listed = await Promise.all(files.map(describeFile));
  const unchanged = await context.history.unchangedFiles(name, listed);
  if (unchanged.size) yield { kind: 'note', message: `${name}: ${unchanged.size} ${what} file(s) unchanged since they were read; not read again` };
  for (const file of files.filter((f) => !unchanged.has(resolve(f)))) {
    yield { kind: 'file', file, series, read: () => failingSoftly(series, read(file)) };
  }
  // Remembered only if the run loop saw no failure of this source.
  yield { kind: 'files-read', source: name, files: listed };
}
