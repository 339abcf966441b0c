// A large capture is read on a second core (SPEC §11): a worker (read-worker.ts) reads the messages
// with read.ts and makes each into its stored form (feed.ts storedForm: the payload's JSON, the
// hashes), a chunk at a time; the main thread batches them with the same EventFeed and stores one
// batch while the worker reads on. The batches, rejects and skip counts are those of reading the
// file here, in the same order; the worker holds a chunk, never a batch (its heap stays small).
import { stat } from 'node:fs/promises';
import { InputError } from '../../errors.ts';
import type { Delivery } from '../delivery.ts';
import { startWorker } from '../worker.ts';
import { EventFeed, type Taken } from './feed.ts';
import { storedPayload } from './private.ts';
import { type NotificationFileOptions, readNotifications } from './read.ts';

/** Captures smaller than this as they lie on disk are read on the main thread: a worker's start costs more. */
const OFF_THREAD_BYTES = 8 << 20;
/** Messages per chunk handed over. */
export const CHUNK = 1000;
/** Chunks the worker may make beyond those the main thread has taken: a batch and a little more (EVENT_BATCH). */
export const AHEAD = 24;

/** What the worker is given, once. */
export interface ReadJob {
  readonly file: string;
  readonly options: NotificationFileOptions;
}

/** What it sends back: chunks of messages in their stored form, then the end or the reader's failure. */
export type ReadMessage =
  | { readonly kind: 'chunk'; readonly chunk: readonly Taken[] }
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
  const feed = new EventFeed(file, options.source, storedPayload(options.privacy), options.batchSize);
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
      if (message.kind === 'end') {
        yield* feed.end();
        return;
      }
      if (message.kind === 'failed') {
        const { input } = message;
        // A broken file is refused as reading it here would refuse it: the same InputError.
        throw input ? new InputError(input.file, input.location, input.detail) : new Error(message.message);
      }
      // One chunk taken: the worker may make one more.
      worker.postMessage('next');
      for (const taken of message.chunk) feed.accept(taken);
      if (feed.hasReady) yield* feed.ready();
    }
  } finally {
    worker.removeAllListeners();
    void worker.terminate();
  }
}
