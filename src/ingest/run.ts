// The one ingest run loop, for every source kind (SPEC §2, §6, §10): the lock and the run log, signals,
// the hash key, applying each delivery in order, and the summary lines. A failed part writes nothing
// and is reported; the rest still lands (exit 1).
import { NO_TOTALS } from '../counts.ts';
import { InputError, RefusedError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { CollectContext, Delivery, EventBatch, SeriesRef, StreamRef } from '../sources/delivery.ts';
import type { Snapshot } from '../snapshot.ts';
import { openStore, openToPreview } from '../store/open.ts';
import type { PrivacyMode } from '../types/normalise.ts';
import { DryRunWriter } from './dry-run.ts';
import { type ApplyOptions, quarantineFutureEvents } from './rules.ts';
import { SourceOutcomes } from './outcomes.ts';
import { RunReport } from './report.ts';
import { StoreWriter } from './store-writer.ts';
import { StreamSummary } from './streams.ts';
import type { HistoryWriter } from './writer.ts';

/** One part of a run: the dumps named on the command line, or one configured source. */
export interface IngestPart {
  /** The configured source (or `--source`) it collects: its outcome in the run log, whatever it delivers. */
  readonly source?: string;
  deliveries(context: CollectContext): AsyncIterable<Delivery>;
  /** SPEC §6: `--allow-mass-removal`, or the source's own setting. */
  allowMassRemoval(source: string): boolean;
}

export interface IngestRequest {
  readonly db: string;
  readonly dryRun: boolean;
  /** The command line, for the run log and the lock. */
  readonly command: string;
  /** How long to wait for another ingest's lock. */
  readonly waitMs: number;
  readonly parts: readonly IngestPart[];
  readonly privateFields: (source: string) => PrivacyMode;
  /** How far after now a snapshot may be taken (`--max-future`), in ms and as written. */
  readonly maxFuture: { readonly ms: number; readonly text: string };
}

/** Runs the ingest; returns the exit code (SPEC §2). Errors of the run itself are thrown. */
export async function runIngest(request: IngestRequest, logger: Logger): Promise<number> {
  // The one place the dry-run choice is made. A dry run writes nothing, not even a new database file.
  const writer: HistoryWriter = request.dryRun
    ? new DryRunWriter(await openToPreview(request.db))
    : new StoreWriter(await openStore(request.db));
  const report = new RunReport(logger, request.dryRun);
  const outcomes = new SourceOutcomes();
  let current: PartRun | undefined;
  let interrupted: NodeJS.Signals | undefined;
  let stopping = false;
  /** A write under way: a signal waits for its commit point, which rolls it back (Writes.beforeCommit). */
  let writing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    current?.failedWhole(`interrupted by ${signal}`);
    void writer.finish('failed', `interrupted by ${signal}`, NO_TOTALS, outcomes.list()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  /** Stops the run and never returns: the process exits once the run is logged failed. */
  const halt = (signal: NodeJS.Signals): Promise<never> => {
    stop(signal);
    return new Promise<never>(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
    logger.done();
    logger.error(`interrupted by ${signal}; snapshots already committed are kept`);
    if (!writing) stop(signal);
  };
  const writes: Writes = {
    // Issue 13: a run logged failed keeps nothing of the snapshot it was writing when the signal came.
    beforeCommit: async () => {
      await signalsHeard();
      if (interrupted) throw new Error(`interrupted by ${interrupted}`);
    },
    async guard(write) {
      if (interrupted) return halt(interrupted);
      writing = true;
      let result: Awaited<ReturnType<typeof write>>;
      try {
        result = await write();
      } catch (err) {
        if (interrupted) return halt(interrupted);
        throw err;
      } finally {
        writing = false;
      }
      // A signal that came after the commit point (or during a write that had none to reach) stops here.
      await signalsHeard();
      if (interrupted) return halt(interrupted);
      return result;
    },
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await writer.begin(request.command, request.waitMs, () => report.progress('waiting for another ingest to finish'));
    const hashKey = await writer.hashKey();
    const context: CollectContext = { history: writer, privacy: (source) => ({ mode: request.privateFields(source), hashKey }) };
    const future = { notAfter: Date.now() + request.maxFuture.ms, margin: request.maxFuture.text };
    for (const part of request.parts) {
      current = new PartRun(writer, report, outcomes, part, future, writes);
      await current.run(context);
    }
    await signalsHeard();
    if (interrupted) await halt(interrupted);
    await writer.finish(report.failures ? 'failed' : 'ok', report.errors.join('\n') || undefined, report.totals, outcomes.list());
    return report.failures ? 1 : 0;
  } catch (err) {
    if (!interrupted) {
      current?.failedWhole((err as Error).message);
      // On a full disk the run log cannot be written either: the first error is the one to report.
      await writer.finish('failed', (err as Error).message, NO_TOTALS, outcomes.list()).catch(() => undefined);
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    logger.done();
    await writer.close();
  }
}

/**
 * Every write of a run, and its safe points (issue 13: a SIGTERM during a one-file ingest was lost,
 * the run logged ok). A signal during a write is heard at its commit point and rolls it back; one
 * heard between writes stops the run there. Either way nothing more is written, the run is logged
 * failed, and the exit is 143 (130 for SIGINT).
 */
interface Writes {
  /** Awaited in a snapshot's open transaction, before it commits: throws once a signal came. */
  readonly beforeCommit: () => Promise<void>;
  /** Runs one write; after a signal, never returns (the process exits). */
  guard<T>(write: () => Promise<T>): Promise<T>;
}

/**
 * A snapshot's write is one synchronous transaction (SQLite), so a signal arriving during it waits in
 * the event loop. Two turns of it: a write that ran from an I/O callback would reach its first
 * setImmediate without polling again, and the signal is read in the poll.
 */
function signalsHeard(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** One part's deliveries, applied in order. */
class PartRun {
  /** SPEC §6 order: after a failure, later snapshots of that series wait for the next run. */
  private readonly blocked = new Set<string>();
  private readonly streams = new Map<string, StreamSummary>();
  private failures = 0;
  /** The sources delivered, when the part names none. */
  private readonly touched = new Set<string>();

  constructor(
    private readonly writer: HistoryWriter,
    private readonly report: RunReport,
    private readonly outcomes: SourceOutcomes,
    private readonly part: IngestPart,
    private readonly future: ApplyOptions['future'],
    private readonly writes: Writes,
  ) {}

  async run(context: CollectContext): Promise<void> {
    if (this.part.source !== undefined) this.outcomes.collected(this.part.source);
    await this.consume(this.part.deliveries(context));
  }

  /** The run stopped in this part (an unexpected error, a signal): its sources failed. */
  failedWhole(message: string): void {
    for (const source of this.part.source === undefined ? this.touched : [this.part.source]) this.outcomes.failed(source, message);
  }

  /** Something of `source` was delivered (a part naming its source counts under that name). */
  private collected(source: string): void {
    this.touched.add(source);
    this.outcomes.collected(this.part.source ?? source);
  }

  private fail(message: string, series?: SeriesRef): void {
    this.failures++;
    if (series) this.blocked.add(seriesKey(series));
    const source = this.part.source ?? series?.source;
    if (source !== undefined) this.outcomes.failed(source, message);
    this.report.failed(message);
  }

  /** Applies deliveries until they end, or until one of a file's ledger batches is refused. */
  private async consume(deliveries: AsyncIterable<Delivery>): Promise<void> {
    for await (const delivery of deliveries) {
      switch (delivery.kind) {
        case 'snapshot':
          await this.snapshot(delivery.snapshot, delivery.startedAt);
          break;
        case 'file':
          if (this.blocked.has(seriesKey(delivery.series))) {
            this.fail(`${delivery.file}: skipped because an earlier snapshot of ${delivery.series.source} ${delivery.series.type} failed`);
          } else {
            this.report.progress(`reading ${delivery.file}`);
            await this.consume(delivery.read());
          }
          break;
        case 'batch':
          if (!(await this.batch(delivery.stream, delivery.batch))) return;
          break;
        case 'events':
          await this.events(delivery.stream, delivery.batch);
          break;
        case 'stream-end':
          this.streamEnd(delivery.stream, delivery.skipped);
          break;
        case 'failed':
          this.fail(delivery.message, delivery.series);
          break;
        case 'skipped':
          this.report.skipped(delivery.count, delivery.reason);
          break;
        case 'note':
          if (delivery.detail) this.report.detail(delivery.message);
          else this.report.note(delivery.message);
          break;
        case 'progress':
          this.report.progress(delivery.text);
          break;
        case 'files-read':
          // Only a source that failed nowhere vouches for every file it read.
          if (!this.failures) await this.writes.guard(() => this.writer.rememberFiles(delivery.source, delivery.files));
          break;
      }
    }
  }

  private async snapshot(snapshot: Snapshot, startedAt?: number): Promise<void> {
    const series = { source: snapshot.source, type: snapshot.type.name };
    this.collected(snapshot.source);
    if (this.blocked.has(seriesKey(series))) {
      this.fail(`${snapshot.source} ${snapshot.type.name}: skipped a later snapshot because an earlier one failed`);
      return;
    }
    this.report.conflicts(snapshot);
    const started = startedAt ?? performance.now();
    try {
      const options = { allowMassRemoval: this.part.allowMassRemoval(snapshot.source), startedAt: started, future: this.future, beforeCommit: this.writes.beforeCommit };
      const outcome = await this.writes.guard(() => this.writer.apply(snapshot, options));
      const summary = { ...snapshot, type: snapshot.type.name, status: outcome.status, counts: outcome.counts, elapsedMs: performance.now() - started };
      this.report.count(summary, 1, true);
      this.report.applied(summary);
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      this.fail(err.message, series);
    } finally {
      // Its records' texts may sit in a temporary file: given back now, not when collected.
      snapshot.records.release();
    }
  }

  /** One batch of a ledger stream; false when it was refused (the rest of its file is not read). */
  private async batch(stream: StreamRef, batch: Snapshot): Promise<boolean> {
    const key = streamKey(stream);
    const summary = this.summaryOf(stream);
    this.collected(stream.source);
    if (summary.batches) this.report.progress(`reading ${stream.file}: ${summary.batches + 1} batches`);
    this.report.conflicts(batch);
    try {
      const outcome = await this.writes.guard(() => this.writer.apply(batch, { allowMassRemoval: false, beforeCommit: this.writes.beforeCommit }));
      summary.add({ takenAt: batch.takenAt, examined: batch.examined, size: batch.records.size, rejects: batch.rejects }, outcome);
      return true;
    } catch (err) {
      // Batches applied before stay: reading the file again finds them by key.
      if (!(err instanceof RefusedError || err instanceof InputError)) throw err;
      this.streams.delete(key);
      this.fail(err.message, stream);
      return false;
    } finally {
      batch.records.release();
    }
  }

  /** One batch of notifications: stored in one transaction, summed into its file's line. */
  private async events(stream: StreamRef, read: EventBatch): Promise<void> {
    const summary = this.summaryOf(stream);
    this.collected(stream.source);
    const batch = quarantineFutureEvents(read, this.future);
    const outcome = await this.writes.guard(() => this.writer.applyEvents(batch));
    summary.add({ takenAt: batch.latestAt, examined: batch.events.length + batch.rejects.length, size: batch.events.length, rejects: batch.rejects }, outcome);
  }

  private summaryOf(stream: StreamRef): StreamSummary {
    const key = streamKey(stream);
    let summary = this.streams.get(key);
    if (!summary) this.streams.set(key, (summary = new StreamSummary(stream)));
    return summary;
  }

  private streamEnd(stream: StreamRef, skipped: ReadonlyMap<string, number>): void {
    const key = streamKey(stream);
    const summary = this.streams.get(key)?.summary(skipped);
    const stored = this.streams.get(key)?.stored ?? 0;
    this.streams.delete(key);
    if (summary) {
      this.report.count(summary, stored, false);
      this.report.applied(summary);
    } else {
      this.report.note(`${stream.file}: no finished jobs in it`);
    }
    // SPEC §9: lines skipped on purpose are counted, by reason.
    for (const [reason, count] of skipped) this.report.skipped(count, reason, stream.file);
  }
}

/** One file's stream of a series: its summary and its refusal are kept under this. */
function streamKey(stream: StreamRef): string {
  return `${seriesKey(stream)}\0${stream.file}`;
}

function seriesKey(series: SeriesRef): string {
  return `${series.source}\0${series.type}`;
}
