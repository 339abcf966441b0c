// `usage-etl ingest`: collect configured sources, or load dumps (`--dump`), into the history.
import { Command, Option } from 'commander';
import { UsageError } from '../errors.ts';
import { type IngestPart, runIngest } from '../ingest/run.ts';
import { dumpDeliveries } from '../sources/dump/collect.ts';
import { listDumpFiles } from '../sources/files/list.ts';
import { sourceKind } from '../sources/index.ts';
import { parseDuration, parseInstant } from '../time.ts';
import { maskPasswords } from '../store/url.ts';
import { Context, type GlobalOptions, waitOption } from './context.ts';

interface IngestOptions {
  readonly dump?: string[];
  readonly source?: string;
  readonly at?: string;
  readonly dryRun?: boolean;
  readonly allowMassRemoval?: boolean;
  readonly wait: string;
  readonly maxFuture: string;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .argument('[source...]', 'configured sources to collect (default: all); with --dump, more dump paths')
    .option('--dump <path...>', 'load dump files or directories (read recursively) instead of collecting')
    .option('--source <name>', 'source name for the dumps (overrides any name they carry)')
    .option('--at <time>', 'snapshot time for dumps that carry none (ISO-8601 with a zone)')
    .option('--dry-run', 'read and diff, print the counts, write nothing')
    .option('--allow-mass-removal', 'accept a snapshot that removes more than half of a type at once, or shares no resource with it')
    .addOption(new Option('--wait <seconds>', 'how long to wait for another ingest to finish').default('60'))
    .addOption(new Option('--max-future <duration>', 'refuse snapshots taken more than this after now (a wrong clock)').default('1d'))
    .addHelpText(
      'after',
      `
Examples:
  usage-etl ingest                                   collect every configured source (cron)
  usage-etl -q ingest                                the same, silent unless something fails
  usage-etl ingest --dump fixtures/sequence          load a directory of dumps, oldest first
  usage-etl ingest --dump servers.json --source nectar-sa --at 2026-11-21T02:00:00Z
  usage-etl ingest --dump archive/2026-11.json.xz --dry-run
  usage-etl ingest --dump /var/spool/pbs/server_priv/accounting --source emu`,
    )
    .action(async function (this: Command, sources: string[], options: IngestOptions) {
      process.exitCode = await ingest(await Context.of(this.optsWithGlobals<GlobalOptions>()), sources, options);
    });
}

async function ingest(ctx: Context, names: string[], options: IngestOptions): Promise<number> {
  const at = options.at === undefined ? undefined : parseAt(options.at);
  if (options.source !== undefined && !options.source.trim()) throw new UsageError('--source: expected a source name, found nothing');
  const waitMs = waitOption(options.wait);
  const maxFutureMs = parseDuration(options.maxFuture);
  if (maxFutureMs === undefined) throw new UsageError(`--max-future: expected a duration such as 1d, 36h or 90m, found ${options.maxFuture}`);
  // Everything that can be refused is checked before the database is opened or created.
  // `--dump a --source x b` leaves `b` as an operand: with --dump it can only be one more dump, so it
  // is read like the others rather than dropped without a word (issue 12).
  const parts = options.dump ? [await dumpPart(ctx, [...options.dump, ...names], options, at)] : await configuredParts(ctx, names, options);
  const configured = (source: string) => ctx.config().sources.get(source);
  return runIngest(
    {
      db: ctx.dbPath(),
      dryRun: !!options.dryRun,
      // The run log and the lock keep the command line: never a database password (SPEC §10).
      command: maskPasswords(process.argv.slice(2).join(' ')),
      waitMs,
      parts,
      privateFields: (source) => configured(source)?.privateFields ?? 'drop',
      maxFuture: { ms: maxFutureMs, text: options.maxFuture },
    },
    ctx.logger,
  );
}

/** Dumps of a configured source follow its settings (private_fields, allow_mass_removal, timezone). */
async function dumpPart(ctx: Context, paths: string[], options: IngestOptions, at: number | undefined): Promise<IngestPart> {
  const configured = (source: string) => ctx.config().sources.get(source);
  const files = await listDumpFiles(paths);
  // A configured notifications source folds its events into the history of its `source` (SPEC §4.3).
  const named = options.source === undefined ? undefined : configured(options.source);
  const source = named?.kind === 'notifications' ? (named.settings.source ?? options.source) : options.source;
  return {
    source: options.source,
    deliveries: (context) =>
      dumpDeliveries(files, {
        source: source === undefined ? undefined : String(source),
        at,
        privacy: context.privacy,
        timezone: (source) => {
          const zone = configured(source)?.settings.timezone;
          return typeof zone === 'string' ? zone : undefined;
        },
      }),
    allowMassRemoval: (source) => !!options.allowMassRemoval || !!configured(source)?.allowMassRemoval,
  };
}

/** Without --dump: the configured sources, all checked (paths, credentials) before anything is done. */
async function configuredParts(ctx: Context, names: string[], options: IngestOptions): Promise<IngestPart[]> {
  if (options.source || options.at) throw new UsageError('--source and --at go with --dump');
  const config = ctx.config();
  if (!config.path) {
    throw new UsageError('no configuration found (usage-etl.yaml, ~/.config/usage-etl/config.yaml, /etc/usage-etl/config.yaml); use --dump to load files');
  }
  const chosen = names.length ? names : [...config.sources.keys()];
  if (!chosen.length) throw new UsageError(`${config.path} configures no sources`);
  const parts: IngestPart[] = [];
  for (const name of chosen) {
    const source = config.sources.get(name);
    if (!source) throw new UsageError(`unknown source ${name} (configured: ${[...config.sources.keys()].join(', ')})`);
    const collection = await sourceKind(source.kind)!.plan(source);
    parts.push({
      source: name,
      deliveries: (context) => collection.deliveries(context),
      allowMassRemoval: () => !!options.allowMassRemoval || source.allowMassRemoval,
    });
  }
  return parts;
}

function parseAt(text: string): number {
  const ms = parseInstant(text);
  if (typeof ms === 'string') throw new UsageError(`--at: ${ms}: ${text} (for example 2026-11-21T02:00:00Z)`);
  return ms;
}
