// `usage-etl export`: CSV reports for a range of UTC days.
import { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { BillingPolicy } from '../lifecycles/policy.ts';
import { directoryOutput, type Output, stdoutOutput, zipOutput } from '../export/output.ts';
import { planExport, type Report, REPORTS, writeExport } from '../export/run.ts';
import { withStore } from '../store/open.ts';
import { formatDay, parseMonth, parseRangeDay } from '../time.ts';
import { collect, Context, type GlobalOptions } from './context.ts';

interface ExportOptions {
  readonly from?: string;
  readonly to?: string;
  readonly month?: string;
  readonly report?: string[];
  readonly type?: string[];
  readonly source?: string[];
  readonly out?: string;
  readonly zip?: string;
  readonly stdout?: boolean;
  readonly excel?: boolean;
}

export function exportCommand(): Command {
  return new Command('export')
    // Not requiredOption: commander would report a missing --from before an unknown --frm.
    .option('--from <day>', 'first day, YYYY-MM-DD, today or yesterday (UTC)')
    .option('--to <day>', 'last day, YYYY-MM-DD, today or yesterday (UTC), inclusive')
    .option('--month <month>', 'a whole UTC month, YYYY-MM, instead of --from and --to')
    .option('--report <name>', `report to write: ${REPORTS.join(' or ')} (repeatable; default inventory)`, collect)
    .option('--type <type>', 'only this resource type (repeatable)', collect)
    .option('--source <name>', 'only this source (repeatable)', collect)
    .option('--out <dir>', 'directory for the CSV files (default ./export-<from>-<to>/)')
    .option('--zip <file>', 'write every CSV into one zip file instead')
    .option('--stdout', 'write the one CSV to standard output')
    .option('--excel', 'start each CSV with a UTF-8 byte-order mark, so Excel shows accented names right')
    .addHelpText(
      'after',
      `
Examples:
  usage-etl export --from 2026-11-01 --to 2026-11-30                  inventory of every type, November
  usage-etl -q export --from yesterday --to yesterday --out /srv/reports/daily    for cron
  usage-etl export --from 2026-11-01 --to 2026-11-30 --report inventory --report changes --zip nov.zip
  usage-etl export --from 2026-11-21 --to 2026-11-21 --type vm --source nectar-sa --stdout
  usage-etl export --from 2026-11-01 --to 2026-11-30 --report usage --zip usage-2026-11.zip
  usage-etl export --from 2026-11-01 --to 2026-11-30 --report usage --type vm --stdout
  usage-etl export --month 2026-11 --report usage --excel --zip usage-2026-11.zip     to open in Excel
  usage-etl export --from 2026-11-01 --to 2026-11-30 --report reconcile --stdout   events against snapshots`,
    )
    .action(async function (this: Command, options: ExportOptions) {
      process.exitCode = await exportReports(await Context.of(this.optsWithGlobals<GlobalOptions>()), options);
    });
}

async function exportReports(ctx: Context, options: ExportOptions): Promise<number> {
  const { fromDay, toDay } = range(options);
  const reports = options.report ?? ['inventory'];
  for (const report of reports) {
    if (!(REPORTS as readonly string[]).includes(report)) throw new UsageError(`unknown report ${report} (available: ${REPORTS.join(', ')})`);
  }
  if ([options.out, options.zip, options.stdout].filter(Boolean).length > 1) {
    throw new UsageError('choose one of --out, --zip and --stdout');
  }
  return withStore(ctx.dbPath(), { readonly: true }, async (store) => {
    try {
      const planned = await planExport(store.reads, {
        fromDay,
        toDay,
        reports: [...new Set(reports)] as Report[],
        types: options.type ?? [],
        sources: options.source ?? [],
        policy: new BillingPolicy(ctx.config().usage.billableStates),
        warn: (message) => ctx.logger.warn(message),
      });
      // The one CSV asked for on stdout is written even without rows: a header, not nothing.
      const files = options.stdout ? planned.map((file) => ({ ...file, unlessEmpty: false })) : planned;
      if (options.stdout && files.length !== 1) {
        throw new UsageError(
          `--stdout writes one CSV, but this export makes ${files.length} (${files.map((f) => f.name).join(', ') || 'none'}); ` +
            'narrow it with --report and --type, or use --out',
        );
      }
      const output: Output = options.stdout
        ? stdoutOutput()
        : options.zip
          ? zipOutput(options.zip)
          : directoryOutput(options.out ?? `export-${formatDay(fromDay)}-${formatDay(toDay)}`);
      const { files: count, written } = await writeExport(files, output, {
        excel: options.excel,
        // SPEC §2: on a terminal only (the logger decides), and not over a CSV shown on that terminal.
        progress:
          ctx.logger.showsProgress && !(options.stdout && process.stdout.isTTY)
            ? (file, rows) => ctx.logger.progress(`${file}: ${rows.toLocaleString('en-US')} rows written`)
            : undefined,
      });
      ctx.logger.done();
      for (const file of written) ctx.logger.result(`wrote ${file}`, { event: 'export', file });
      if (!files.length) ctx.logger.warn('nothing to export: the database holds no history for this selection');
      else if (!count) ctx.logger.warn('nothing to export: no type has rows in this range (name one with --type to get its header)');
      return 0;
    } finally {
      ctx.logger.done();
    }
  });
}

/** SPEC §7: the range's first and last UTC day, both inclusive, from --from/--to or --month. */
function range(options: ExportOptions): { fromDay: number; toDay: number } {
  if (options.month !== undefined) {
    if (options.from !== undefined || options.to !== undefined) throw new UsageError('--month is a whole month: give it without --from and --to');
    const month = parseMonth(options.month);
    if (!month) throw new UsageError(`--month: expected a month as YYYY-MM, found ${options.month}`);
    return { fromDay: month.first, toDay: month.last };
  }
  if (options.from === undefined || options.to === undefined) {
    throw new UsageError(`missing ${options.from === undefined ? '--from' : '--to'}: give --from DAY --to DAY, or --month YYYY-MM`);
  }
  const fromDay = day('--from', options.from);
  const toDay = day('--to', options.to);
  if (fromDay > toDay) throw new UsageError(`--from ${options.from} is after --to ${options.to}`);
  return { fromDay, toDay };
}

function day(flag: string, text: string): number {
  const ms = parseRangeDay(text);
  if (ms === undefined) throw new UsageError(`${flag}: expected a day as YYYY-MM-DD, today or yesterday, found ${text}`);
  return ms;
}
