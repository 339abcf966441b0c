// `usage-etl validate`: read dumps exactly as ingest would, report every problem, write nothing.
import { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { readWhole } from '../sources/dump/whole.ts';
import { listDumpFiles } from '../sources/files/list.ts';
import { formatInstant, parseInstant } from '../time.ts';
import { Context, type GlobalOptions } from './context.ts';

export function validateCommand(): Command {
  return new Command('validate')
    .argument('<path...>', 'dump files or directories')
    .option('--source <name>', 'source name for dumps that carry none')
    .option('--at <time>', 'snapshot time for dumps that carry none (ISO-8601 with a zone)')
    .addHelpText('after', '\nExamples:\n  usage-etl validate fixtures/\n  usage-etl validate servers.json --at 2026-11-21T02:00:00Z')
    .action(async function (this: Command, paths: string[], options: { source?: string; at?: string }) {
      process.exitCode = await validate(await Context.of(this.optsWithGlobals<GlobalOptions>()), paths, options);
    });
}

async function validate(ctx: Context, paths: string[], options: { source?: string; at?: string }): Promise<number> {
  let at: number | undefined;
  if (options.at !== undefined) {
    const ms = parseInstant(options.at);
    if (typeof ms === 'string') throw new UsageError(`--at: ${ms}: ${options.at}`);
    at = ms;
  }
  const { logger } = ctx;
  const read = await readWhole(await listDumpFiles(paths), { source: options.source, at, privacy: () => ({ mode: 'drop' }) });
  let problems = read.failures.length;
  for (const failure of read.failures) logger.error(failure.message);
  for (const snapshot of read.snapshots) {
    for (const reject of snapshot.rejects) {
      problems++;
      logger.error(`${reject.file}: ${reject.location}: ${reject.field ? `${reject.field}: ` : ''}${reject.reason}`);
    }
    const files = snapshot.origins.join(' ');
    for (const key of snapshot.conflicts) logger.warn(`${files}: ${snapshot.type.name} ${key} appears twice with different content`);
    const state = snapshot.complete ? 'complete' : `incomplete (${snapshot.incompleteBecause.join('; ')})`;
    logger.result(
      `${files}: ${snapshot.source} ${snapshot.type.name} ${formatInstant(snapshot.takenAt)}: ${snapshot.records.size} record(s), ${state}`,
      { event: 'snapshot', files: snapshot.origins, source: snapshot.source, resource_type: snapshot.type.name, records: snapshot.records.size, complete: snapshot.complete },
    );
    snapshot.records.release();
  }
  for (const n of read.notifications) {
    for (const reject of n.rejects) {
      problems++;
      logger.error(`${reject.file}: ${reject.location}: ${reject.field ? `${reject.field}: ` : ''}${reject.reason}`);
    }
    logger.result(`${n.file}: ${n.source} notifications: ${n.messages} message(s)`, { event: 'notifications', file: n.file, source: n.source, messages: n.messages });
  }
  for (const [reason, count] of read.skipped) logger.info(`skipped ${count} ${reason}`);
  if (problems) logger.error(`${problems} problem(s) found`);
  return problems ? 1 : 0;
}
