// What an ingest run tells people (SPEC §2): one summary line per snapshot (or ledger file), the
// quarantined records, failures, and the run's totals as they grow.
import { type Mutable, NO_TOTALS, type RunTotals, type SnapshotCounts } from '../counts.ts';
import type { Logger } from '../log.ts';
import type { Reject, Snapshot } from '../snapshot.ts';
import { formatInstant } from '../time.ts';

/** One summary line: a snapshot applied (or previewed), or a ledger file summed over its batches. */
export interface Summary {
  readonly source: string;
  readonly type: string;
  readonly takenAt: number;
  readonly complete: boolean;
  readonly incompleteBecause: readonly string[];
  readonly status: 'applied' | 'already ingested';
  readonly counts: SnapshotCounts;
  /** The quarantined records to warn about (stored for the first time). */
  readonly rejects: readonly Reject[];
  readonly elapsedMs: number;
}

export class RunReport {
  readonly totals: Mutable<RunTotals> = { ...NO_TOTALS };
  readonly errors: string[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly dryRun: boolean,
  ) {}

  get failures(): number {
    return this.errors.length;
  }

  progress(text: string): void {
    this.logger.progress(text);
  }

  note(message: string): void {
    this.logger.info(message);
  }

  /** Only with -v (HTTP retries: a retry that then succeeds is no news for cron). */
  detail(message: string): void {
    this.logger.detail(message);
  }

  warn(message: string): void {
    this.logger.warn(message);
  }

  failed(message: string): void {
    this.errors.push(message);
    this.logger.error(message);
  }

  /** Input skipped on purpose, counted (SPEC §9). */
  skipped(count: number, reason: string, file?: string): void {
    this.totals.skipped += count;
    this.note(`${file ? `${file}: ` : ''}skipped ${count} ${reason}`);
  }

  /** SPEC §6: differing copies of one key in one snapshot; the later one is kept. */
  conflicts(snapshot: Snapshot): void {
    for (const key of snapshot.conflicts.slice(0, 3)) {
      this.warn(`${snapshot.origins.join(' ')}: ${snapshot.type.name} ${key} appears twice with different content; the later copy is kept`);
    }
    if (snapshot.conflicts.length > 3) this.warn(`... and ${snapshot.conflicts.length - 3} more such duplicates`);
  }

  /** Adds what was applied to the run's totals (`snapshots` stored, and skipped lines when counted here). */
  count(summary: Summary, snapshots: number, withSkipped: boolean): void {
    if (summary.status !== 'applied') return;
    this.totals.snapshots += snapshots;
    for (const key of ['examined', 'added', 'modified', 'removed', 'unchanged', 'rejected'] as const) this.totals[key] += summary.counts[key];
    if (withSkipped) this.totals.skipped += summary.counts.skipped;
  }

  applied(summary: Summary): void {
    const c = summary.counts;
    const when = formatInstant(summary.takenAt);
    const head = `${summary.source} ${summary.type} ${when}`;
    const fields = {
      event: 'snapshot',
      source: summary.source,
      resource_type: summary.type,
      taken_at: when,
      status: this.dryRun ? `${summary.status} (dry run)` : summary.status,
      complete: summary.complete,
      ...c,
      elapsed_s: Number((summary.elapsedMs / 1000).toFixed(3)),
    };
    if (summary.status === 'already ingested') {
      this.logger.result(`${head}: already ingested`, fields);
      return;
    }
    const note = summary.complete ? '' : ` [incomplete, nothing removed: ${summary.incompleteBecause.join('; ')}]`;
    this.logger.result(
      `${head}: added ${c.added}, modified ${c.modified}, removed ${c.removed}, unchanged ${c.unchanged}, ` +
        `rejected ${c.rejected} (${(summary.elapsedMs / 1000).toFixed(2)}s)${this.dryRun ? ' [dry run]' : ''}${note}`,
      fields,
    );
    for (const reject of summary.rejects.slice(0, 5)) {
      this.warn(`quarantined ${reject.file}: ${reject.location}: ${reject.field ? `${reject.field}: ` : ''}${reject.reason}`);
    }
    if (summary.rejects.length > 5) this.warn(`... and ${summary.rejects.length - 5} more quarantined records (see usage-etl status)`);
  }
}
