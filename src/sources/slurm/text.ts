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
  /**
   * A live run's output: a line is placed by its job id, not its number. Each run's window shifts the
   * lines, and a quarantined row is recognised as already stored by its place (README: warned once).
   */
  readonly byJob?: boolean;
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
  }, options.byJob ? placeByJob : undefined);
}

/** `job 5014` from the row's first field (jobid), else its line number. */
function placeByJob(line: string, number: number): string {
  const bar = line.indexOf('|');
  const jobId = (bar < 0 ? line : line.slice(0, bar)).trim();
  return /^\d/.test(jobId) ? `job ${jobId}` : `line ${number}`;
}
