// One run of a `kind: openstack` source: every type scanned at once, each delivered as one snapshot
// as soon as its scan is whole. A scan that fails delivers nothing for its type (SPEC §6: no removal
// from a half-read list), while the other types still land.
import { HttpClient, HttpError } from '../../http.ts';
import { SnapshotBuilder } from '../../snapshot.ts';
import type { CollectContext, Delivery } from '../delivery.ts';
import type { SourceConfig } from '../kind.ts';
import type { Cloud } from './clouds.ts';
import { KeystoneSession, OpenStackError } from './keystone.ts';
import { type LiveScan, openstackScans } from './scans.ts';

interface Settings {
  readonly region?: string;
  readonly max_requests_per_host?: number;
  readonly timeout?: number;
}

export async function* openstackDeliveries(
  source: SourceConfig<Settings>,
  types: readonly string[],
  cloud: Cloud,
  context: CollectContext,
): AsyncGenerator<Delivery> {
  const { name } = source;
  const { region, max_requests_per_host: maxPerHost, timeout } = source.settings;
  // Deliveries wait here until the run loop takes them; scans go on meanwhile.
  const queue: Delivery[] = [];
  let wake: (() => void) | undefined;
  const push = (delivery: Delivery) => {
    queue.push(delivery);
    wake?.();
    wake = undefined;
  };
  const http = new HttpClient({
    verify: cloud.verify,
    cacert: cloud.cacert,
    ...(maxPerHost === undefined ? {} : { maxPerHost }),
    ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
    onRetry: (what) => push({ kind: 'note', message: `${name}: ${what}`, detail: true }),
  });
  const session = new KeystoneSession(http, cloud, region);
  const privacy = context.privacy(name);
  const progress = new Map<string, { pages: number; records: number }>();
  const showProgress = () =>
    push({ kind: 'progress', text: `${name}: ${[...progress].map(([type, p]) => `${type} ${p.pages} page(s), ${p.records} record(s)`).join('; ')}` });

  const collect = async (scan: LiveScan) => {
    const type = scan.type.name;
    const counter = { pages: 0, records: 0 };
    progress.set(type, counter);
    // The snapshot is taken when its scan starts; to the millisecond, so two runs never share an instant.
    const takenAt = Date.now();
    const startedAt = performance.now();
    const builder = new SnapshotBuilder(scan.type, privacy);
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
      push({ kind: 'failed', message: `${name} ${type}: ${err.message}; nothing was written for ${type}` });
      return;
    } finally {
      progress.delete(type);
    }
    push({ kind: 'snapshot', snapshot: builder.build({ source: name, takenAt, complete: true }), startedAt });
  };

  // One login serves every type: when it fails, that is one line for the source, not one per type.
  const scanAll = async (): Promise<PromiseSettledResult<void>[]> => {
    try {
      await session.login();
    } catch (err) {
      if (!(err instanceof OpenStackError || err instanceof HttpError)) throw err;
      push({ kind: 'failed', message: `${name}: ${err.message}; nothing was written` });
      return [];
    }
    // The HTTP client bounds the requests in flight per host; the scans themselves all start at once.
    return Promise.allSettled(openstackScans(session, types).map(collect));
  };
  let done = false;
  const scans = scanAll().finally(() => {
    done = true;
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (done) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const broken = (await scans).find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (broken) throw broken.reason;
  } finally {
    // Every scan ends before the client closes, even when one of them hits a bug.
    await scans;
    await http.close();
  }
}
