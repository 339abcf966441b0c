// `sacct --parsable2 --noheader` output in our field order (a dump file, or a live run's lines) read
// line by line into a ledger stream of finished jobs (SPEC §4.1.4, §4.2).
import { InputError } from '../../errors.ts';
import type { Privacy } from '../../types/normalise.ts';
import type { Delivery } from '../delivery.ts';
import { LedgerFeed, ledgerLines } from '../hpc/feed.ts';
import { parseSacctParsable, sacctHeaderProblem } from './parsable.ts';

export interface SacctTextOptions {
  /** The source; also the cluster of rows that name none. */
  readonly source: string;
  readonly privacy: Privacy;
  /** Jobs per batch (the default suits ingest; `validate` reads a file as one). */
  readonly batchSize?: number;
}

/** `file` names where the lines came from: a dump's path, or the sacct command that printed them. */
export async function* readSacctText(file: string, lines: AsyncIterable<string> | Iterable<string>, options: SacctTextOptions): AsyncGenerator<Delivery> {
  const parse = { cluster: options.source };
  yield* ledgerLines(new LedgerFeed(file, options.source, options.privacy, options.batchSize), lines, (line, number) => {
    // Only a first line can be a header (in another column order: refused, naming both).
    if (number === 1) {
      const problem = sacctHeaderProblem(line);
      if (problem) throw new InputError(file, `line ${number}`, problem);
    }
    return parseSacctParsable(line, parse);
  });
}
