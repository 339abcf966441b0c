// A PBS/Torque accounting log (a file, or today's growing one) read line by line into a ledger
// stream of finished jobs (SPEC §4.1.4, §4.2).
import { InputError, describe } from '../../errors.ts';
import { isTimeZone } from '../../time.ts';
import type { Privacy } from '../../types/normalise.ts';
import type { Delivery } from '../delivery.ts';
import { readLines } from '../files/bytes.ts';
import { LedgerFeed, ledgerLines } from '../hpc/feed.ts';
import { parsePbsLine } from './line.ts';

export interface PbsLogOptions {
  /** The source: PBS logs do not name their cluster, so its name stands in (SPEC §3). */
  readonly source: string;
  /** The IANA time zone of the server's log times (the source's `timezone`; UTC when undefined). */
  readonly timezone?: string;
  readonly privacy: Privacy;
  /** Jobs per batch (the default suits ingest; `validate` reads a file as one). */
  readonly batchSize?: number;
}

export async function* readPbsLog(file: string, options: PbsLogOptions): AsyncGenerator<Delivery> {
  const { source, timezone } = options;
  if (timezone !== undefined && !isTimeZone(timezone)) {
    throw new InputError(file, undefined, `timezone of source ${source}: unknown time zone ${describe(timezone)} (expected an IANA name such as Australia/Adelaide)`);
  }
  const parse = { cluster: source, timezone };
  yield* ledgerLines(new LedgerFeed(file, source, options.privacy, options.batchSize), readLines(file), (line) => parsePbsLine(line, parse));
}
