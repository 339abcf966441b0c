// `ingest --dump`: read every file, order the snapshots by taken_at, apply each in its own
// transaction. A failed file or snapshot is reported and skipped; the rest still lands (SPEC §2 exit 1).
import pLimit from 'p-limit';
import { InputError, RefusedError } from '../errors.ts';
import { byText } from '../order.ts';
import type { DumpContext, LedgerHeader } from '../sources/dump/parts.ts';
import { readDump } from '../sources/dump/read.ts';
import { readSchedulerText, type SchedulerText } from '../sources/dump/scheduler.ts';
import { surveyDump } from '../sources/dump/survey.ts';
import type { Snapshot } from '../snapshot.ts';
import { NO_TOTALS, type RunTotals, type Store } from '../store/store.ts';
import type { Privacy } from '../types/normalise.ts';
import { addToTotals, type ApplyOutcome, applySnapshot, DryRun } from './apply.ts';
import { Collector } from './collect.ts';
import { LedgerBatches, type LedgerFile } from './ledger.ts';

export interface DumpRequest {
  /** The files to read (see listDumpFiles), listed before anything is opened. */
  readonly files: readonly string[];
  readonly source?: string;
  readonly at?: number;
  readonly dryRun: boolean;
  readonly allowMassRemoval: (source: string) => boolean;
  readonly privacy: (source: string) => Privacy;
  /** The IANA time zone of a source's PBS logs (the config's `timezone`); UTC when undefined. */
  readonly timezone?: (source: string) => string | undefined;
}

export interface IngestReporter {
  progress(text: string): void;
  applied(snapshot: Snapshot, outcome: ApplyOutcome, elapsedMs: number): void;
  failed(message: string): void;
  warn(message: string): void;
  /** Routine information (skipped messages of other schemas): not shown with --quiet. */
  note(message: string): void;
}

export interface IngestResult {
  readonly failures: number;
  readonly totals: RunTotals;
}

/** One entry of the apply order: snapshots already read, or a file read in its turn. */
type Planned =
  | { readonly kind: 'read'; readonly snapshot: Snapshot }
  | { readonly kind: 'file'; readonly file: string; readonly takenAt: number; readonly source: string; readonly type: string };

export async function ingestDumps(
  store: Store | undefined,
  runId: number,
  request: DumpRequest,
  report: IngestReporter,
): Promise<IngestResult> {
  const { files } = request;
  const messageIds = new Set<string>();
  const eager = new Collector(request.privacy, messageIds);
  const totals = { ...NO_TOTALS };
  let failures = 0;
  const blocked = new Set<string>();
  const fail = (message: string, series?: { source: string; type: string }) => {
    failures++;
    // SPEC §6 order: after a failure, later snapshots of that series wait for the next run.
    if (series) blocked.add(seriesKey(series.source, series.type));
    report.failed(message);
  };
  const warnConflicts = (snapshot: Snapshot) => {
    for (const key of snapshot.conflicts.slice(0, 3)) {
      report.warn(`${snapshot.origins.join(' ')}: ${snapshot.type.name} ${key} appears twice with different content; the later copy is kept`);
    }
    if (snapshot.conflicts.length > 3) report.warn(`... and ${snapshot.conflicts.length - 3} more such duplicates`);
  };
  const context = (file: string): DumpContext => ({ file, source: request.source, at: request.at, timezone: request.timezone });
  const dryRun = request.dryRun || !store ? new DryRun(store) : undefined;

  report.progress(`surveying ${files.length} file(s)`);
  const limit = pLimit(4);
  const surveys = await Promise.all(files.map((file) => limit(() => surveyDump(context(file)))));
  const plan: Planned[] = [];
  for (const [index, file] of files.entries()) {
    const survey = surveys[index]!;
    if (survey.kind === 'single') {
      const { header } = survey;
      plan.push({ kind: 'file', file, takenAt: header.takenAt, source: header.source, type: header.type.name });
      continue;
    }
    if (survey.kind === 'ledger') {
      // Read in its turn and applied batch by batch as it is read; its time is known only then.
      plan.push({ kind: 'file', file, takenAt: survey.firstAt ?? 0, source: survey.source, type: survey.type.name });
      continue;
    }
    report.progress(`reading ${file}`);
    eager.beginFile();
    try {
      await readDump(context(file), eager);
      eager.endFile();
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      // Messages read before the broken one are taken back: a failed file writes nothing.
      eager.discardFile();
      fail(err.message);
    }
  }
  for (const snapshot of eager.snapshots()) plan.push({ kind: 'read', snapshot });
  // Ties are broken by source, type and file name.
  plan.sort((a, b) => planTime(a) - planTime(b) || byText(planKey(a), planKey(b)));

  const apply = (snapshot: Snapshot) => {
    const series = { source: snapshot.source, type: snapshot.type.name };
    if (blocked.has(seriesKey(series.source, series.type))) {
      return fail(`${snapshot.source} ${snapshot.type.name}: skipped a later snapshot because an earlier one failed`);
    }
    warnConflicts(snapshot);
    const started = performance.now();
    try {
      const allowMassRemoval = request.allowMassRemoval(snapshot.source);
      const outcome = dryRun ? dryRun.preview(snapshot, allowMassRemoval) : applySnapshot(store!, snapshot, { runId, allowMassRemoval });
      addToTotals(totals, outcome);
      report.applied(snapshot, outcome, performance.now() - started);
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      fail(err.message, series);
    }
  };

  const ledgerStream = ledgerStreams({ store, runId, dryRun, privacy: request.privacy, report, totals, warnConflicts });

  for (const entry of plan) {
    if (entry.kind === 'read') {
      apply(entry.snapshot);
      continue;
    }
    if (blocked.has(seriesKey(entry.source, entry.type))) {
      fail(`${entry.file}: skipped because an earlier snapshot of ${entry.source} ${entry.type} failed`);
      continue;
    }
    report.progress(`reading ${entry.file}`);
    const collector = new Collector(request.privacy, messageIds, ledgerStream);
    try {
      await readDump(context(entry.file), collector);
    } catch (err) {
      // A ledger stream's batches applied before the failure stay: reading the file again dedupes them.
      if (!(err instanceof InputError) && !(err instanceof RefusedError)) throw err;
      fail(err.message, entry);
      continue;
    }
    for (const snapshot of collector.snapshots()) apply(snapshot);
  }
  for (const [reason, count] of eager.skipped) {
    totals.skipped += count;
    report.note(`skipped ${count} ${reason}`);
  }
  return { failures, totals };
}

interface LedgerDeps {
  readonly store: Store | undefined;
  readonly runId: number;
  readonly dryRun: DryRun | undefined;
  readonly privacy: (source: string) => Privacy;
  readonly report: IngestReporter;
  /** The run's totals, added to as each stream ends. */
  readonly totals: { -readonly [K in keyof RunTotals]: RunTotals[K] };
  readonly warnConflicts: (snapshot: Snapshot) => void;
}

/** Ledger streams (PBS log, sacct dump): batches applied as read, one summary line per stream. */
function ledgerStreams(deps: LedgerDeps): (file: string, header: LedgerHeader) => LedgerBatches {
  const { store, runId, dryRun, report, totals } = deps;
  return (file, header) => {
    const started = performance.now();
    let batches = 0;
    return new LedgerBatches(file, header, deps.privacy(header.source), {
      apply: (batch) => {
        if (++batches > 1) report.progress(`reading ${file}: ${batches} batches`);
        return dryRun ? dryRun.preview(batch, false) : applySnapshot(store!, batch, { runId, allowMassRemoval: false });
      },
      conflicts: deps.warnConflicts,
      finished: (done: LedgerFile | undefined, skipped) => {
        if (done) {
          addToTotals(totals, done.outcome, done.stored, false);
          report.applied(done.summary, done.outcome, performance.now() - started);
        } else {
          report.note(`${file}: no finished jobs in it`);
        }
        // SPEC §9: lines skipped on purpose are counted, by reason.
        for (const [reason, count] of skipped) {
          totals.skipped += count;
          report.note(`${file}: skipped ${count} ${reason}`);
        }
      },
    });
  };
}

interface SchedulerLines {
  /** What the lines are called in messages and quarantine records (`sacct -S 2026-11-19`). */
  readonly label: string;
  /** The configured source name (also the cluster of PBS jobs and of sacct rows that name none). */
  readonly source: string;
  readonly format: SchedulerText;
  /** PBS only: the IANA time zone of the server's log times (default UTC). */
  readonly timezone?: string;
  readonly dryRun: boolean;
  readonly privacy: Privacy;
}

/**
 * For live collectors (`kind: pbs` reading today's log, `kind: slurm` running sacct): scheduler
 * output line by line, applied exactly as a dump file of it would be (batches, one summary line).
 */
export async function ingestSchedulerLines(
  store: Store | undefined,
  runId: number,
  input: SchedulerLines,
  lines: AsyncIterable<string> | Iterable<string>,
  report: IngestReporter,
): Promise<IngestResult> {
  const totals = { ...NO_TOTALS };
  const dryRun = input.dryRun || !store ? new DryRun(store) : undefined;
  const warnConflicts = (snapshot: Snapshot) => {
    if (snapshot.conflicts.length) report.warn(`${input.label}: ${snapshot.conflicts.length} job(s) appear twice with different content; the later copy is kept`);
  };
  const stream = ledgerStreams({ store, runId, dryRun, privacy: () => input.privacy, report, totals, warnConflicts });
  const collector = new Collector(() => input.privacy, new Set(), stream);
  try {
    await readSchedulerText({ file: input.label, source: input.source, timezone: () => input.timezone }, collector, input.format, lines);
  } catch (err) {
    if (!(err instanceof InputError) && !(err instanceof RefusedError)) throw err;
    report.failed(err.message);
    return { failures: 1, totals };
  }
  return { failures: 0, totals };
}

function planTime(entry: Planned): number {
  return entry.kind === 'read' ? entry.snapshot.takenAt : entry.takenAt;
}

function planKey(entry: Planned): string {
  return entry.kind === 'read' ? seriesKey(entry.snapshot.source, entry.snapshot.type.name) : `${seriesKey(entry.source, entry.type)}\0${entry.file}`;
}

function seriesKey(source: string, type: string): string {
  return `${source}\0${type}`;
}
