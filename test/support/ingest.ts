// The ingest run loop in this process, on a real SQLite file, for tests that must set what the CLI
// does not expose (ledger batch size, the whole-document limit) or hand over lines themselves.
import { type IngestPart, runIngest } from '../../src/ingest/run.ts';
import { Logger } from '../../src/log.ts';
import type { Delivery } from '../../src/sources/delivery.ts';
import { dumpDeliveries } from '../../src/sources/dump/collect.ts';
import type { DumpOptions } from '../../src/sources/dump/parts.ts';
import { listDumpFiles } from '../../src/sources/files/list.ts';
import type { CollectContext } from '../../src/sources/delivery.ts';

export interface InProcessRun {
  readonly code: number;
  /** What the CLI would have printed on stdout and stderr, line by line. */
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Runs the ingest of `parts` into `db`, as `usage-etl [--log-format json] ingest` would. */
export async function ingestParts(db: string, parts: IngestPart[], options: { dryRun?: boolean; json?: boolean } = {}): Promise<InProcessRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => ({ write: (text: string) => into.push(...text.replace(/\n$/, '').split('\n')) });
  const logger = new Logger({ format: options.json ? 'json' : 'text', quiet: false, out: collect(stdout), err: collect(stderr) });
  const code = await runIngest({ db, dryRun: !!options.dryRun, command: 'test', waitMs: 0, parts, privateFields: () => 'drop', maxFuture: { ms: 86_400_000, text: '1d' } }, logger);
  return { code, stdout, stderr };
}

/** `ingest --dump PATHS...` with reading options the CLI keeps to itself. */
export async function ingestDumps(
  db: string,
  paths: readonly string[],
  reading: Omit<DumpOptions, 'privacy'> = {},
  options: { dryRun?: boolean; json?: boolean } = {},
): Promise<InProcessRun> {
  const files = await listDumpFiles(paths);
  return ingestParts(db, [part((context) => dumpDeliveries(files, { ...reading, privacy: context.privacy }))], options);
}

export function part(deliveries: (context: CollectContext) => AsyncIterable<Delivery>): IngestPart {
  return { deliveries, allowMassRemoval: () => false };
}
