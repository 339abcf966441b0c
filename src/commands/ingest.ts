// `usage-etl ingest`: collect configured sources, or load dumps (`--dump`), into the history.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { UsageError } from '../errors.ts';
import { type DumpRequest, ingestDumps, type IngestReporter } from '../ingest/dumps.ts';
import type { LivePlan } from '../ingest/live.ts';
import { listDumpFiles } from '../sources/dump/files.ts';
import type { Snapshot } from '../snapshot.ts';
import type { ApplyOutcome } from '../ingest/apply.ts';
import { NO_TOTALS, Store } from '../store/store.ts';
import { formatInstant, parseInstant } from '../time.ts';
import type { Privacy } from '../types/normalise.ts';
import { Context, type GlobalOptions } from './context.ts';

interface IngestOptions {
  readonly dump?: string[];
  readonly source?: string;
  readonly at?: string;
  readonly dryRun?: boolean;
  readonly allowMassRemoval?: boolean;
  readonly wait: string;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('collect every (or the named) configured source, or load dump files, into the history')
    .argument('[source...]', 'configured sources to collect (default: all)')
    .option('--dump <path...>', 'load dump files or directories (read recursively) instead of collecting')
    .option('--source <name>', 'source name for the dumps (overrides any name they carry)')
    .option('--at <time>', 'snapshot time for dumps that carry none (ISO-8601 with a zone)')
    .option('--dry-run', 'read and diff, print the counts, write nothing')
    .option('--allow-mass-removal', 'accept a snapshot that removes more than half of a type at once')
    .addOption(new Option('--wait <seconds>', 'how long to wait for another ingest to finish').default('60'))
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
      process.exitCode = await ingest(new Context(this.optsWithGlobals<GlobalOptions>()), sources, options);
    });
}

async function ingest(ctx: Context, names: string[], options: IngestOptions): Promise<number> {
  const at = options.at === undefined ? undefined : parseAt(options.at);
  if (options.source !== undefined && !options.source.trim()) throw new UsageError('--source: expected a source name, found nothing');
  const wait = Number(options.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`--wait: expected seconds, found ${options.wait}`);
  // Everything that can be refused is checked before the database is opened or created.
  const requests = options.dump ? [await dumpRequest(ctx, options.dump, options, at)] : await configuredRequests(ctx, names, options);

  const dbPath = ctx.dbPath();
  const dryRun = !!options.dryRun;
  // A dry run writes nothing, not even a new database file.
  const store = dryRun ? (existsSync(dbPath) ? Store.open(dbPath, { readonly: true }) : undefined) : Store.open(dbPath);
  const command = process.argv.slice(2).join(' ');
  let runId = 0;
  let locked = false;
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // Signals are handled between statements, so no transaction is cut in half.
    interrupted = signal;
    if (store && runId) store.finishRun(runId, 'failed', `interrupted by ${signal}`, NO_TOTALS);
    if (store && locked) store.releaseIngestLock();
    ctx.logger.done();
    ctx.logger.error(`interrupted by ${signal}; snapshots already committed are kept`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (store && !dryRun) {
      ctx.logger.progress('waiting for the ingest lock');
      await store.acquireIngestLock(command, wait * 1000);
      locked = true;
      runId = store.startRun(command);
    }
    // A dry run hashes with the database's key, so hashed private fields compare as the real run would.
    const hashKey = (dryRun ? store?.existingHashKey() : store?.hashKey()) ?? randomBytes(32).toString('hex');
    let failures = 0;
    const totals = { ...NO_TOTALS };
    const errors: string[] = [];
    for (const request of requests) {
      const report = reporter(ctx, dryRun, errors);
      const result =
        request.kind === 'dump'
          ? await ingestDumps(store, runId, { ...request.dumps, privacy: privacyOf(ctx, hashKey) }, report)
          : await request.plan.ingest(store, { runId, dryRun, allowMassRemoval: !!options.allowMassRemoval || request.plan.source.allowMassRemoval, privacy: privacyOf(ctx, hashKey)(request.plan.source.name) }, report);
      failures += result.failures;
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result.totals[key];
    }
    if (store && !dryRun) store.finishRun(runId, failures ? 'failed' : 'ok', errors.join('\n') || undefined, totals);
    return failures ? 1 : 0;
  } catch (err) {
    if (store && runId && !interrupted) store.finishRun(runId, 'failed', (err as Error).message, NO_TOTALS);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    ctx.logger.done();
    if (store && locked) store.releaseIngestLock();
    store?.close();
  }
}

/** What one part of the run does: load dump files named on the command line, or collect a configured source. */
type Request = { readonly kind: 'dump'; readonly dumps: Omit<DumpRequest, 'privacy'> } | { readonly kind: 'source'; readonly plan: LivePlan };

/** Dumps of a configured source follow its settings (private_fields, allow_mass_removal, timezone). */
async function dumpRequest(ctx: Context, paths: string[], options: IngestOptions, at: number | undefined): Promise<Request> {
  const configured = (source: string) => ctx.config().sources.get(source);
  const dumps = {
    files: await listDumpFiles(paths),
    source: options.source,
    at,
    dryRun: !!options.dryRun,
    allowMassRemoval: (source: string) => !!options.allowMassRemoval || !!configured(source)?.allowMassRemoval,
    timezone: (source: string) => {
      const zone = configured(source)?.settings.timezone;
      return zone === undefined ? undefined : String(zone);
    },
  };
  return { kind: 'dump', dumps };
}

/** Without --dump: the configured sources, all checked (paths, credentials) before anything is done. */
async function configuredRequests(ctx: Context, names: string[], options: IngestOptions): Promise<Request[]> {
  if (options.source || options.at) throw new UsageError('--source and --at go with --dump');
  const config = ctx.config();
  if (!config.path) {
    throw new UsageError('no configuration found (usage-etl.yaml, ~/.config/usage-etl/config.yaml, /etc/usage-etl/config.yaml); use --dump to load files');
  }
  const chosen = names.length ? names : [...config.sources.keys()];
  if (!chosen.length) throw new UsageError(`${config.path} configures no sources`);
  // Loaded only here: `ingest --dump`, export and the rest never need the HTTP client.
  const { planSource } = await import('../ingest/live.ts');
  const requests: Request[] = [];
  for (const name of chosen) {
    const source = config.sources.get(name);
    if (!source) throw new UsageError(`unknown source ${name} (configured: ${[...config.sources.keys()].join(', ')})`);
    requests.push({ kind: 'source', plan: await planSource(source) });
  }
  return requests;
}

function privacyOf(ctx: Context, hashKey: string): (source: string) => Privacy {
  return (source) => ({ mode: ctx.config().sources.get(source)?.privateFields ?? 'drop', hashKey });
}

function parseAt(text: string): number {
  const ms = parseInstant(text);
  if (typeof ms === 'string') throw new UsageError(`--at: ${ms}: ${text} (for example 2026-11-21T02:00:00Z)`);
  return ms;
}

function reporter(ctx: Context, dryRun: boolean, errors: string[]): IngestReporter {
  const { logger } = ctx;
  return {
    progress: (text) => logger.progress(text),
    failed: (message) => {
      errors.push(message);
      logger.error(message);
    },
    warn: (message) => logger.warn(message),
    note: (message) => logger.info(message),
    applied: (snapshot: Snapshot, outcome: ApplyOutcome, elapsedMs: number) => {
      const c = outcome.counts;
      const when = formatInstant(snapshot.takenAt);
      const head = `${snapshot.source} ${snapshot.type.name} ${when}`;
      const fields = {
        event: 'snapshot',
        source: snapshot.source,
        resource_type: snapshot.type.name,
        taken_at: when,
        status: dryRun ? `${outcome.status} (dry run)` : outcome.status,
        complete: snapshot.complete,
        ...c,
        elapsed_s: Number((elapsedMs / 1000).toFixed(3)),
      };
      if (outcome.status === 'already ingested') {
        logger.result(`${head}: already ingested`, fields);
        return;
      }
      const note = snapshot.complete ? '' : ` [incomplete, nothing removed: ${snapshot.incompleteBecause.join('; ')}]`;
      logger.result(
        `${head}: added ${c.added}, modified ${c.modified}, removed ${c.removed}, unchanged ${c.unchanged}, ` +
          `rejected ${c.rejected} (${(elapsedMs / 1000).toFixed(2)}s)${dryRun ? ' [dry run]' : ''}${note}`,
        fields,
      );
      for (const reject of snapshot.rejects.slice(0, 5)) {
        logger.warn(`quarantined ${reject.file}: ${reject.location}: ${reject.field ? `${reject.field}: ` : ''}${reject.reason}`);
      }
      if (snapshot.rejects.length > 5) logger.warn(`... and ${snapshot.rejects.length - 5} more quarantined records (see usage-etl status)`);
    },
  };
}
