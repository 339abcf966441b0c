// `usage-etl prune --keep 14d`: drop old run logs, quarantined records and raw notification payloads,
// never the history (SPEC §10), then shrink the file.
import { Command, Option } from 'commander';
import { UsageError } from '../errors.ts';
import type { Pruned } from '../store/index.ts';
import { openStore } from '../store/open.ts';
import { formatInstant, parseDuration } from '../time.ts';
import { Context, type GlobalOptions } from './context.ts';

interface PruneOptions {
  readonly keep?: string;
  readonly dryRun?: boolean;
  readonly wait: string;
}

export function pruneCommand(): Command {
  return new Command('prune')
    .option('--keep <duration>', 'keep what was stored this recently: 90m, 36h, 14d, 2w (required)')
    .option('--dry-run', 'say what would be removed, change nothing')
    .addOption(new Option('--wait <seconds>', 'how long to wait for an ingest to finish').default('60'))
    .addHelpText(
      'after',
      `
Examples:
  usage-etl prune --keep 14d --dry-run               what would go, nothing changes
  usage-etl -q prune --keep 14d                      nightly, after the ingest (cron)`,
    )
    .action(async function (this: Command, options: PruneOptions) {
      await prune(new Context(this.optsWithGlobals<GlobalOptions>()), options);
    });
}

async function prune(ctx: Context, options: PruneOptions): Promise<void> {
  if (options.keep === undefined) throw new UsageError('--keep is required (for example --keep 14d)');
  const keepMs = parseDuration(options.keep);
  if (keepMs === undefined) throw new UsageError(`--keep: expected a duration such as 90m, 36h, 14d or 2w, found ${options.keep}`);
  const wait = Number(options.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`--wait: expected seconds, found ${options.wait}`);
  const cutoff = Date.now() - keepMs;
  const dryRun = !!options.dryRun;

  // A dry run reads only: the file is not touched. A real one never creates a database.
  const store = await openStore(ctx.dbPath(), dryRun ? { readonly: true } : { existing: true });
  try {
    const before = await store.retention.size();
    let removed: Pruned;
    let after = before;
    if (dryRun) {
      removed = await store.retention.expired(cutoff);
    } else {
      // SPEC §10: the ingest lock, so prune never runs while an ingest writes.
      await store.lock.acquire(process.argv.slice(2).join(' '), wait * 1000, () => ctx.logger.progress('waiting for an ingest to finish'));
      try {
        removed = await store.retention.prune(cutoff);
        await store.retention.compact();
      } finally {
        await store.lock.release();
        ctx.logger.done();
      }
      after = await store.retention.size();
    }
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
  } finally {
    await store.close();
  }
}

function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}
