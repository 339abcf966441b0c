// `usage-etl prune --keep 14d`: drop old run logs, quarantined records and raw notification payloads,
// never the history (SPEC §10), then shrink the file. `prune --series SOURCE/TYPE --after TIME`: the
// way out of a series poisoned by a snapshot from the future (issue 13), which does touch history.
import { Command, Option } from 'commander';
import { UsageError } from '../errors.ts';
import type { Pruned, Store } from '../store/index.ts';
import { withStore } from '../store/open.ts';
import { maskPasswords } from '../store/url.ts';
import { formatInstant, parseDuration, parseInstant } from '../time.ts';
import { resourceType } from '../types/index.ts';
import { Context, type GlobalOptions, waitOption } from './context.ts';

interface PruneOptions {
  readonly keep?: string;
  readonly series?: string;
  readonly after?: string;
  readonly dryRun?: boolean;
  readonly wait: string;
}

export function pruneCommand(): Command {
  return new Command('prune')
    .option('--keep <duration>', 'keep what was stored this recently: 90m, 36h, 14d, 2w (required)')
    .option('--series <source/type>', "with --after: remove that series' snapshots taken after a time (a poisoned series)")
    .option('--after <time>', 'with --series: the time after which its snapshots go (ISO-8601 with a zone)')
    .option('--dry-run', 'say what would be removed, change nothing')
    .addOption(new Option('--wait <seconds>', 'how long to wait for an ingest to finish').default('60'))
    .addHelpText(
      'after',
      `
Examples:
  usage-etl prune --keep 14d --dry-run               what would go, nothing changes
  usage-etl -q prune --keep 14d                      nightly, after the ingest (cron)
  usage-etl prune --series nectar-sa/vm --after 2026-12-01T00:00:00Z --dry-run
                                                     a series a snapshot from 9999 shut out: what would go`,
    )
    .action(async function (this: Command, options: PruneOptions) {
      await prune(await Context.of(this.optsWithGlobals<GlobalOptions>()), options);
    });
}

async function prune(ctx: Context, options: PruneOptions): Promise<void> {
  if (options.series !== undefined || options.after !== undefined) return undoSeries(ctx, options);
  if (options.keep === undefined) throw new UsageError('--keep is required (for example --keep 14d)');
  const keepMs = parseDuration(options.keep);
  if (keepMs === undefined) throw new UsageError(`--keep: expected a duration such as 90m, 36h, 14d or 2w, found ${options.keep}`);
  const cutoff = Date.now() - keepMs;
  const dryRun = !!options.dryRun;
  await onStore(ctx, options, async (store) => {
    const before = await store.retention.size();
    const removed: Pruned = dryRun ? await store.retention.expired(cutoff) : await store.retention.prune(cutoff);
    if (!dryRun) await store.retention.compact();
    const after = dryRun ? before : await store.retention.size();
    const what = `${removed.runs} run(s), ${removed.rejects} quarantined record(s), ${removed.payloads} notification payload(s) stored before ${formatInstant(cutoff)}`;
    const text = dryRun
      ? `would remove ${what}; nothing changed (--dry-run); ${store.path} is ${bytes(before)}`
      : `removed ${what}; ${store.path}: ${bytes(before)} -> ${bytes(after)}`;
    ctx.logger.result(text, {
      event: 'prune',
      dry_run: dryRun,
      before: formatInstant(cutoff),
      runs: removed.runs,
      rejects: removed.rejects,
      payloads: removed.payloads,
      bytes_before: before,
      bytes_after: after,
    });
  });
}

/**
 * Runs `work` on the database: a dry run reads only (the file is not touched); a real one never
 * creates a database and holds the ingest lock (SPEC §10: prune never runs while an ingest writes).
 */
async function onStore(ctx: Context, options: PruneOptions, work: (store: Store) => Promise<void>): Promise<void> {
  const waitMs = waitOption(options.wait);
  const dryRun = !!options.dryRun;
  await withStore(ctx.dbPath(), dryRun ? { readonly: true } : { existing: true }, async (store) => {
    if (dryRun) return work(store);
    await store.lock.acquire(maskPasswords(process.argv.slice(2).join(' ')), waitMs, () => ctx.logger.progress('waiting for an ingest to finish'), true);
    try {
      await work(store);
    } finally {
      await store.lock.release();
      ctx.logger.done();
    }
  });
}

/** `--series SOURCE/TYPE --after TIME`: that series' later snapshots, their changes and rejects go. */
async function undoSeries(ctx: Context, options: PruneOptions): Promise<void> {
  if (options.keep !== undefined) throw new UsageError('--keep and --series go in separate runs');
  if (options.series === undefined || options.after === undefined) throw new UsageError('--series and --after go together (for example --series nectar-sa/vm --after 2026-12-01T00:00:00Z)');
  const slash = options.series.lastIndexOf('/');
  const series = { source: options.series.slice(0, slash), type: options.series.slice(slash + 1) };
  const type = resourceType(series.type);
  if (slash <= 0 || !type) throw new UsageError(`--series: expected SOURCE/TYPE such as nectar-sa/vm, found ${options.series}`);
  if (type.mode === 'ledger') throw new UsageError(`--series: ${series.type} is a ledger: its records are not ordered by snapshot, there is nothing to undo`);
  const after = parseInstant(options.after);
  if (typeof after === 'string') throw new UsageError(`--after: ${after}: ${options.after} (for example 2026-12-01T00:00:00Z)`);
  const dryRun = !!options.dryRun;
  await onStore(ctx, options, async (store) => {
    const undone = await store.retention.undoAfter(series, after, dryRun);
    if (!undone) throw new UsageError(`--series: no series ${options.series} in ${store.path} (status lists them)`);
    const what = `${undone.snapshots} snapshot(s) of ${series.source} ${series.type} taken after ${formatInstant(after)}, with ${undone.changes} change(s)`;
    const now = undone.latestLeft === undefined ? 'it has no snapshot left' : `its present state is as of ${formatInstant(undone.latestLeft)}`;
    ctx.logger.result(dryRun ? `would remove ${what}; nothing changed (--dry-run)` : `removed ${what}; ${now}`, {
      event: 'prune-series',
      dry_run: dryRun,
      source: series.source,
      type: series.type,
      after: formatInstant(after),
      snapshots: undone.snapshots,
      changes: undone.changes,
    });
  });
}

function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}
