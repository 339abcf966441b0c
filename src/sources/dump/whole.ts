// Dump files read whole, for `validate`: every snapshot they hold (a ledger file as one), every file
// that fails, and what was skipped on purpose. Nothing is applied anywhere.
import { InputError } from '../../errors.ts';
import type { Reject, Snapshot } from '../../snapshot.ts';
import { bySnapshotOrder, Gatherer } from './gather.ts';
import type { DumpOptions } from './parts.ts';
import { readDump } from './read.ts';
import { sniff } from './sniff.ts';

/** A file of notifications, read. */
export interface NotificationFile {
  readonly file: string;
  readonly source: string;
  /** Messages read (used by the fold or not). */
  readonly messages: number;
  readonly rejects: readonly Reject[];
}

export interface WholeDumps {
  /** Oldest first. */
  readonly snapshots: Snapshot[];
  readonly notifications: NotificationFile[];
  readonly failures: InputError[];
  readonly skipped: Map<string, number>;
}

export async function readWhole(files: readonly string[], options: DumpOptions): Promise<WholeDumps> {
  // One gatherer for all files: pages of one scan may sit in several files.
  const gatherer = new Gatherer(options.privacy, new Set());
  const streams: Snapshot[] = [];
  const failures: InputError[] = [];
  const notifications: NotificationFile[] = [];
  for (const file of files) {
    gatherer.beginFile();
    try {
      for await (const delivery of readDump({ ...options, file, batchSize: Number.POSITIVE_INFINITY }, await sniff(file), gatherer)) {
        if (delivery.kind === 'batch') streams.push(delivery.batch);
        else if (delivery.kind === 'events') {
          const { batch } = delivery;
          notifications.push({ file, source: batch.source, messages: batch.events.length, rejects: batch.rejects });
        }
        else if (delivery.kind === 'stream-end') for (const [reason, count] of delivery.skipped) gatherer.skipped.set(reason, (gatherer.skipped.get(reason) ?? 0) + count);
      }
      gatherer.endFile();
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      gatherer.endFile();
      failures.push(err);
    }
  }
  return { snapshots: [...gatherer.snapshots(), ...streams].sort(bySnapshotOrder), notifications, failures, skipped: gatherer.skipped };
}
