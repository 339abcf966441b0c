// Live collection of a configured source (SPEC §4.2): its types are scanned concurrently, each into
// one snapshot, applied as soon as its scan is whole. A scan that fails writes nothing for its type
// (SPEC §6: no removal from a half-read list); the other types of the run still commit.
import type { SourceConfig } from '../config.ts';
import { RefusedError } from '../errors.ts';
import { HttpClient, HttpError } from '../http.ts';
import { resolveCloud } from '../sources/openstack/clouds.ts';
import { KeystoneSession, OpenStackError } from '../sources/openstack/keystone.ts';
import { type LiveScan, OPENSTACK_TYPES, openstackScans } from '../sources/openstack/scans.ts';
import { SnapshotBuilder } from '../snapshot.ts';
import { NO_TOTALS, type Store } from '../store/store.ts';
import type { Privacy } from '../types/normalise.ts';
import { applySnapshot, DryRun } from './apply.ts';
import type { IngestReporter, IngestResult } from './dumps.ts';

/** A configured live source, checked (credentials found, types known) before anything is opened. */
export interface LivePlan {
  readonly source: SourceConfig;
  /** Opens the connections and lists the scans; called once the run has started. */
  open(onRetry: (what: string) => void): { scans: LiveScan[]; close(): Promise<void> };
}

export function planOpenStack(source: SourceConfig): LivePlan {
  const { cloud: cloudName, region, max_requests_per_host: maxPerHost, timeout } = source.settings;
  // Throws a UsageError naming clouds.yaml or the OS_* variable when something is missing.
  const cloud = resolveCloud(cloudName === undefined ? undefined : String(cloudName));
  const types = source.types ?? OPENSTACK_TYPES;
  return {
    source,
    open(onRetry) {
      const http = new HttpClient({
        verify: cloud.verify,
        cacert: cloud.cacert,
        ...(typeof maxPerHost === 'number' ? { maxPerHost } : {}),
        ...(typeof timeout === 'number' ? { timeoutMs: timeout * 1000 } : {}),
        onRetry,
      });
      const session = new KeystoneSession(http, cloud, region === undefined ? undefined : String(region));
      return { scans: openstackScans(session, types), close: () => http.close() };
    },
  };
}

export interface LiveOptions {
  readonly runId: number;
  readonly dryRun: boolean;
  readonly allowMassRemoval: boolean;
  readonly privacy: Privacy;
}

export async function ingestLive(store: Store | undefined, plan: LivePlan, options: LiveOptions, report: IngestReporter): Promise<IngestResult> {
  const name = plan.source.name;
  const { scans, close } = plan.open((what) => report.note(`${name}: ${what}`));
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
      const outcome = dryRun ? dryRun.preview(snapshot, options.allowMassRemoval) : applySnapshot(store!, snapshot, options);
      if (outcome.status === 'applied') {
        totals.snapshots++;
        for (const key of ['examined', 'added', 'modified', 'removed', 'unchanged', 'rejected', 'skipped'] as const) totals[key] += outcome.counts[key];
      }
      report.applied(snapshot, outcome, performance.now() - started);
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      failures++;
      report.failed(err.message);
    }
  };

  try {
    // The HTTP client bounds the requests in flight per host; the scans themselves all start at once.
    await Promise.all(scans.map(collect));
  } finally {
    await close();
  }
  return { failures, totals };
}
