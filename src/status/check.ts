// `status --check` (issue 12): is every source collected, fresh and sound? One problem per line, for
// Nagios/Icinga and cron. CRITICAL: a source never collected, whose last run failed, or whose last
// snapshot is older than the max age. WARNING: records quarantined since the last check, and the
// `event_gap` days (SPEC §8.5) of the last max age (issue 11).
import type { Config } from '../config.ts';
import { BillingPolicy } from '../lifecycles/policy.ts';
import { byText } from '../order.ts';
import type { EventStatus, QuarantinedSince, SeriesStatus, SourceRun, Store } from '../store/index.ts';
import { formatDay, formatInstant, startOfDay } from '../time.ts';
import { resourceType } from '../types/index.ts';

export type Severity = 'CRITICAL' | 'WARNING';

export type ProblemKind = 'no_sources' | 'never_collected' | 'last_run_failed' | 'stale' | 'quarantined' | 'event_gap';

export interface Problem {
  readonly severity: Severity;
  readonly kind: ProblemKind;
  /** Empty for a problem of the whole database (no source at all). */
  readonly source: string;
  readonly type?: string;
  /** The line printed, after the severity. */
  readonly message: string;
  /** Times (epoch ms) and counts behind the message, for JSON. */
  readonly at?: number;
  readonly runId?: number;
  readonly count?: number;
  readonly days?: readonly number[];
}

export interface CheckRequest {
  readonly now: number;
  readonly maxAgeMs: number;
  /** The max age as the user wrote it (`26h`), for messages. */
  readonly maxAgeText: string;
}

export interface CheckResult {
  /** The sources checked, by the name they are configured (or stored) under. */
  readonly sources: readonly string[];
  /** CRITICAL first (sources in the configuration's order), then WARNING (by source). */
  readonly problems: readonly Problem[];
  /** When the check before this one ran (undefined: this is the first). */
  readonly previousCheckAt?: number;
}

/** A source to check: its configured name, and the name its history is stored under. */
interface Watched {
  readonly name: string;
  readonly stored: string;
  /** A `kind: notifications` source: what it collects is events, not snapshots. */
  readonly events: boolean;
}

const HOUR_MS = 3_600_000;

/** Checks the configured sources (with no configuration, every source the database knows), and records the check. */
export async function runCheck(store: Store, config: Config, request: CheckRequest): Promise<CheckResult> {
  const { reads } = store;
  const watched = await watchedSources(store, config);
  const facts: Facts = {
    series: await reads.seriesStatus(),
    events: await reads.eventStatus(),
    runs: new Map((await reads.sourceRuns()).map((run) => [run.source, run])),
  };
  const critical = watched.flatMap((source) => collectionProblems(source, facts, request));
  if (!watched.length) critical.push({ severity: 'CRITICAL', kind: 'no_sources', source: '', message: 'no source configured, and none collected' });
  // Recorded whatever else is found: the next check reports only what is quarantined after this one.
  const { previousAt, quarantined } = await store.checks.record(request.now);
  const warnings = [...quarantineProblems(quarantined, previousAt), ...(await eventGaps(store, config, watched, request))];
  return {
    sources: watched.map((s) => s.name),
    problems: [...critical, ...warnings.sort((a, b) => byText(a.source, b.source))],
    previousCheckAt: previousAt,
  };
}

interface Facts {
  readonly series: readonly SeriesStatus[];
  readonly events: readonly EventStatus[];
  /** Each source's last finished run, by the name it ran under. */
  readonly runs: ReadonlyMap<string, SourceRun>;
}

/** Its last run failed; nothing of it was ever collected; or what was is older than the max age. */
function collectionProblems(source: Watched, facts: Facts, request: CheckRequest): Problem[] {
  const problems: Problem[] = [];
  const run = facts.runs.get(source.name);
  if (run?.status === 'failed') {
    const error = (run.error ?? 'no error recorded').split('\n')[0];
    problems.push({
      severity: 'CRITICAL',
      kind: 'last_run_failed',
      source: source.name,
      at: run.finishedAt,
      runId: run.runId,
      message: `last run #${run.runId} at ${formatInstant(run.finishedAt)} failed: ${error}`,
    });
  }
  if (!collected(source, facts.series, facts.events, run)) {
    problems.push({ severity: 'CRITICAL', kind: 'never_collected', source: source.name, message: 'never collected' });
    return problems;
  }
  const lastEvent = facts.events.find((e) => e.source === source.stored)?.lastAt ?? null;
  const own = source.events ? [] : facts.series.filter((s) => s.source === source.stored && s.lastAt !== null);
  const states = own.filter((s) => resourceType(s.type)?.mode !== 'ledger');
  // A polled source is as fresh as its last snapshot. Jobs and notifications carry the times of
  // their own events (a quiet cluster ends no job): those are fresh when a run last read them.
  const [what, at] = states.length
    ? ['last snapshot', Math.max(...states.map((s) => s.lastAt!))]
    : ['last collected', Math.max(run?.lastOkAt ?? -Infinity, lastEvent ?? -Infinity, ...own.map((s) => s.lastAt!))];
  const age = request.now - at;
  if (age > request.maxAgeMs) {
    const message = `${what} ${formatInstant(at)} is ${Math.floor(age / HOUR_MS)}h old (max ${request.maxAgeText})`;
    problems.push({ severity: 'CRITICAL', kind: 'stale', source: source.name, at, message });
  }
  return problems;
}

/** One WARNING per source with records quarantined since the last check (SPEC §9). */
function quarantineProblems(quarantined: readonly QuarantinedSince[], previousAt: number | undefined): Problem[] {
  const since = previousAt === undefined ? 'before this first check' : `since the last check at ${formatInstant(previousAt)}`;
  return [...new Set(quarantined.map((q) => q.source))].map((source) => {
    const own = quarantined.filter((q) => q.source === source);
    const count = own.reduce((sum, q) => sum + q.count, 0);
    const types = own.map((q) => `${q.type} ${q.count}`).join(', ');
    return { severity: 'WARNING', kind: 'quarantined', source, count, message: `${count} record(s) quarantined ${since} (${types}); see usage-etl status` };
  });
}

/** The configured sources nothing was ever collected of, for plain `status` (none without a configuration). */
export async function neverCollected(store: Store, config: Config): Promise<string[]> {
  if (!config.sources.size) return [];
  const [series, events, runs] = [await store.reads.seriesStatus(), await store.reads.eventStatus(), await store.reads.sourceRuns()];
  return (await watchedSources(store, config))
    .filter((source) => !collected(source, series, events, runs.find((run) => run.source === source.name)))
    .map((source) => source.name);
}

/** Something of it is stored (snapshots, or events for a notifications source), or a run collected it without failure. */
function collected(source: Watched, series: readonly SeriesStatus[], events: readonly EventStatus[], run: SourceRun | undefined): boolean {
  if ((run?.lastOkAt ?? null) !== null) return true;
  return source.events
    ? events.some((e) => e.source === source.stored && e.lastAt !== null)
    : series.some((s) => s.source === source.stored && s.lastAt !== null);
}

async function watchedSources(store: Store, config: Config): Promise<Watched[]> {
  if (config.sources.size) {
    return [...config.sources.values()].map((source) => {
      const events = source.kind === 'notifications';
      // SPEC §4.3: a notifications source's events join the history of its `source`.
      const stored = events && typeof source.settings.source === 'string' ? source.settings.source : source.name;
      return { name: source.name, stored, events };
    });
  }
  // Without a configuration: every source stored, or named by a run (one whose runs all failed stores nothing).
  const withSnapshots = new Set((await store.reads.seriesStatus()).map((s) => s.source));
  const names = new Set([...(await store.reads.sourceNames()), ...(await store.reads.sourceRuns()).map((run) => run.source)]);
  return [...names].sort().map((name) => ({ name, stored: name, events: !withSnapshots.has(name) }));
}

/**
 * The `event_gap` days (SPEC §8.5) among the UTC days that overlap the last max age, for each checked
 * source with both notifications and polled snapshots of its instances or volumes. Recomputed at
 * every check: a gap filled since (a capture loaded late) is no longer reported.
 */
async function eventGaps(store: Store, config: Config, watched: readonly Watched[], request: CheckRequest): Promise<Problem[]> {
  const { reads } = store;
  // Loaded here: plain `status` shares this module and should not pay for the fold (start-up, issue 12).
  const { eventGapDays } = await import('../reconcile/index.ts');
  const stored = new Set(watched.map((s) => s.stored));
  const all = await reads.listSeries();
  const heard = await reads.eventSeries();
  const policy = new BillingPolicy(config.usage.billableStates);
  const fromMs = startOfDay(request.now - request.maxAgeMs);
  const problems: Problem[] = [];
  for (const series of all) {
    if ((series.type !== 'vm' && series.type !== 'volume') || !stored.has(series.source)) continue;
    const events = heard.find((e) => e.source === series.source && e.type === series.type);
    if (!events) continue;
    const days = await eventGapDays(reads, policy, { type: series.type, series, events, fromMs, toMs: request.now });
    if (!days.length) continue;
    problems.push({
      severity: 'WARNING',
      kind: 'event_gap',
      source: series.source,
      type: series.type,
      count: days.length,
      days,
      message: `${days.length} day(s) without notifications while the snapshots changed (event_gap: ${days.map(formatDay).join(', ')}); see export --report reconcile`,
    });
  }
  return problems;
}
