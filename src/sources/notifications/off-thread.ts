// A large capture is read on a second core (SPEC §11): a worker (read-worker.ts) runs the very reader
// of read.ts and hands its deliveries over one by one, so the main thread stores one batch of events
// while the next is parsed. Only the deliveries cross: the same batches, rejects and skip counts, in
// the same order, as reading on the main thread gives.
import { stat } from 'node:fs/promises';
import { InputError } from '../../errors.ts';
import type { Delivery } from '../delivery.ts';
import { startWorker } from '../worker.ts';
import { type NotificationFileOptions, readNotifications } from './read.ts';

/** Captures smaller than this as they lie on disk are read on the main thread: a worker's start costs more. */
const OFF_THREAD_BYTES = 8 << 20;
/** Deliveries the worker may read ahead of the one being stored: bounds memory to a few batches. */
export const AHEAD = 1;

/** What the worker is given, once. */
export interface ReadJob {
  readonly file: string;
  readonly options: NotificationFileOptions;
}

/** What it sends back: each delivery, then the end or the reader's failure. */
export type ReadMessage =
  | { readonly kind: 'delivery'; readonly delivery: Delivery }
  | { readonly kind: 'end' }
  | { readonly kind: 'failed'; readonly input?: { readonly file: string; readonly location?: string; readonly detail: string }; readonly message: string };

/**
 * The deliveries of one capture file, read where it is cheaper: see OFF_THREAD_BYTES. A file read as
 * one batch (`validate`) stays here: nothing overlaps, and the batch would be held twice.
 */
export async function* readNotificationFile(file: string, options: NotificationFileOptions, offThreadBytes = OFF_THREAD_BYTES): AsyncGenerator<Delivery> {
  const size = await stat(file).then((s) => s.size, () => 0); // unreadable: the reader says why
  const batched = Number.isFinite(options.batchSize ?? 0);
  yield* size >= offThreadBytes && batched ? readOffThread(file, options) : readNotifications(file, options);
}

async function* readOffThread(file: string, options: NotificationFileOptions): AsyncGenerator<Delivery> {
  // The stream's elapsed time is the main thread's: the worker's clock starts elsewhere.
  const startedAt = performance.now();
  const worker = startWorker(import.meta.url, 'read-worker');
  const inbox: ReadMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const arrived = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (message: ReadMessage) => {
    inbox.push(message);
    arrived();
  });
  worker.on('error', (err) => {
    failure ??= new Error(`${file}: ${err.message}`, { cause: err });
    arrived();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`${file}: the reading worker stopped (exit code ${code})`);
    arrived();
  });
  worker.postMessage({ file, options } satisfies ReadJob);
  try {
    for (;;) {
      while (!inbox.length && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const message = inbox.shift();
      if (!message) throw failure!;
      if (message.kind === 'end') return;
      if (message.kind === 'failed') {
        const { input } = message;
        // A broken file is refused as reading it here would refuse it: the same InputError.
        throw input ? new InputError(input.file, input.location, input.detail) : new Error(message.message);
      }
      const { delivery } = message;
      yield 'stream' in delivery ? ({ ...delivery, stream: { ...delivery.stream, startedAt } } as Delivery) : delivery;
      // This one is stored: the worker, which read the next meanwhile, may hand it over.
      worker.postMessage('next');
    }
  } finally {
    worker.removeAllListeners();
    void worker.terminate();
  }
}
