// Collection of a configured source (SPEC §4.2), one plan per kind: OpenStack scans each type at
// once into one snapshot, applied as soon as its scan is whole, and a scan that fails writes nothing
// for its type (SPEC §6: no removal from a half-read list) while the other types still commit; PBS
// reads its accounting directory, Slurm runs sacct, `kind: dump` loads its files.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SourceConfig } from '../config.ts';
import { RefusedError } from '../errors.ts';
import { HttpClient, HttpError } from '../http.ts';
import { listDumpFiles } from '../sources/dump/files.ts';
import { resolveCloud } from '../sources/openstack/clouds.ts';
import { KeystoneSession, OpenStackError } from '../sources/openstack/keystone.ts';
import { OPENSTACK_TYPES } from '../sources/openstack/collected.ts';
import { type LiveScan, openstackScans } from '../sources/openstack/scans.ts';
import { runSacct } from '../sources/slurm/sacct.ts';
import { SnapshotBuilder } from '../snapshot.ts';
import { NO_TOTALS, type SourceFile, type Store } from '../store/store.ts';
import type { Privacy } from '../types/normalise.ts';
import { addToTotals, applySnapshot, DryRun } from './apply.ts';
import { type DumpRequest, type IngestReporter, type IngestResult, ingestDumps, ingestSchedulerLines } from './dumps.ts';

export interface LiveOptions {
  readonly runId: number;
  readonly dryRun: boolean;
  readonly allowMassRemoval: boolean;
  readonly privacy: Privacy;
}

/** A configured source, checked (paths, credentials, types) before the database is opened. */
export interface LivePlan {
  readonly source: SourceConfig;
  ingest(store: Store | undefined, options: LiveOptions, report: IngestReporter): Promise<IngestResult>;
}

/** Throws a UsageError naming the file or setting when a source cannot be collected as configured. */
export async function planSource(source: SourceConfig): Promise<LivePlan> {
  switch (source.kind) {
    case 'openstack':
      return planOpenStack(source);
    case 'slurm':
      return planSlurm(source);
    case 'pbs':
    case 'dump':
      return planFiles(source);
  }
}

function planOpenStack(source: SourceConfig): LivePlan {
  const { cloud: cloudName, region, max_requests_per_host: maxPerHost, timeout } = source.settings;
  const cloud = resolveCloud(cloudName === undefined ? undefined : String(cloudName));
  const types = source.types ?? OPENSTACK_TYPES;
  return {
    source,
    ingest: (store, options, report) => {
      const http = new HttpClient({
        verify: cloud.verify,
        cacert: cloud.cacert,
        ...(typeof maxPerHost === 'number' ? { maxPerHost } : {}),
        ...(typeof timeout === 'number' ? { timeoutMs: timeout * 1000 } : {}),
        onRetry: (what) => report.note(`${source.name}: ${what}`),
      });
      const session = new KeystoneSession(http, cloud, region === undefined ? undefined : String(region));
      return ingestScans(store, source.name, openstackScans(session, types), options, report).finally(() => http.close());
    },
  };
}

/**
 * `kind: pbs` and `kind: dump`: the files under `path`. Snapshots already applied are no-ops and
 * jobs already stored are recognised by key, so today's growing PBS log is read again without
 * duplicating a job. A PBS source also skips logs unchanged (size and modification time) since a
 * run that read them without failure; dump folders are read whole every run, because the pages of
 * one envelope scan may sit in an old file and a new one.
 */
async function planFiles(source: SourceConfig): Promise<LivePlan> {
  const files = await listDumpFiles([String(source.settings.path)]);
  const timezone = source.settings.timezone === undefined ? undefined : String(source.settings.timezone);
  return {
    source,
    ingest: async (store, options, report) => {
      const listed = source.kind === 'pbs' ? await Promise.all(files.map(describeFile)) : [];
      const unchanged = store && listed.length ? store.unchangedFiles(source.name, listed) : new Set<string>();
      if (unchanged.size) report.note(`${source.name}: ${unchanged.size} accounting file(s) unchanged since they were read; not read again`);
      const request: DumpRequest = {
        files: files.filter((file) => !unchanged.has(resolve(file))),
        source: source.name,
        dryRun: options.dryRun,
        allowMassRemoval: () => options.allowMassRemoval,
        privacy: () => options.privacy,
        timezone: () => timezone,
      };
      const result = await ingestDumps(store, options.runId, request, report);
      // Only a run without failures vouches for every file it read.
      if (store && listed.length && !options.dryRun && !result.failures) store.recordFilesRead(source.name, listed, Date.now());
      return result;
    },
  };
}

async function describeFile(path: string): Promise<SourceFile> {
  const info = await stat(path);
  // Kept by absolute path: cron and a person may run from different folders with a relative `path`.
  return { path: resolve(path), size: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
}

/** SPEC §4.2: two days of overlap unless the source says otherwise. */
const DEFAULT_LOOKBACK_S = 2 * 86_400;

/**
 * `kind: slurm`: `sacct` over a window reaching `lookback` before the newest job already stored (or
 * before now, if that is earlier), so a run after days without cron misses nothing; the overlap is
 * de-duplicated by key. (XDMoD's "newer than the newest job" watermark skipped back-filled days.)
 */
function planSlurm(source: SourceConfig): LivePlan {
  const lookbackMs = Number(source.settings.lookback ?? DEFAULT_LOOKBACK_S) * 1000;
  const command = String(source.settings.command ?? 'sacct');
  const cluster = source.settings.cluster === undefined ? undefined : String(source.settings.cluster);
  return {
    source,
    ingest: (store, options, report) => {
      const newest = store?.listSeries().find((s) => s.source === source.name && s.type === 'job')?.lastAt;
      const since = Math.min(Date.now(), newest ?? Infinity) - lookbackMs;
      const run = runSacct({ command, cluster, since });
      report.progress(`${source.name}: ${run.label}`);
      const input = { label: run.label, source: source.name, format: 'sacct' as const, dryRun: options.dryRun, privacy: options.privacy };
      return ingestSchedulerLines(store, options.runId, input, run.lines, report);
    },
  };
}

/** OpenStack: every type scanned at once, each applied as soon as its scan is whole. */
async function ingestScans(
  store: Store | undefined,
  name: string,
  scans: readonly LiveScan[],
  options: LiveOptions,
  report: IngestReporter,
): Promise<IngestResult> {
  const dryRun = options.dryRun || !store ? new DryRun(store) : undefined;
  const totals = { ...NO_TOTALS };
  let failures = 0;
  const progress = new Map<string, { pages: number; records: number }>();
  const showProgress = () =>
    report.progress(`${name}: ${[...progress].map(([type, p]) => `${type} ${p.pages} page(s), ${p.records} record(s)`).join('; ')}`);

  const collect = async (scan: LiveScan) => {
    const type = scan.type.name;
    const counter = { pages: 0, records: 0 };
    progress.set(type, counter);
    // The snapshot is taken when its scan starts; to the millisecond, so two runs never share an instant.
    const takenAt = Date.now();
    const started = performance.now();
    const builder = new SnapshotBuilder(scan.type, options.privacy);
    try {
      await scan.run({
        add: (item, file, location) => {
          counter.records++;
          builder.add(item, 'openstack', file, location);
        },
        incomplete: (reason) => builder.markIncomplete(reason),
        page: () => {
          counter.pages++;
          showProgress();
        },
      });
    } catch (err) {
      if (!(err instanceof OpenStackError || err instanceof HttpError)) throw err;
      failures++;
      report.failed(`${name} ${type}: ${err.message}; nothing was written for ${type}`);
      return;
    } finally {
      progress.delete(type);
    }
    const snapshot = builder.build({ source: name, takenAt, complete: true });
    try {
      const outcome = dryRun ? dryRun.preview(snapshot, options.allowMassRemoval) : applySnapshot(store!, snapshot, { ...options, startedAt: started });
      addToTotals(totals, outcome);
      report.applied(snapshot, outcome, performance.now() - started);
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      failures++;
      report.failed(err.message);
    }
  };

  // The HTTP client bounds the requests in flight per host; the scans themselves all start at once.
  // Every scan ends before this returns (and the client closes), even when one of them hits a bug.
  const outcomes = await Promise.allSettled(scans.map(collect));
  const broken = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (broken) throw broken.reason;
  return { failures, totals };
}
