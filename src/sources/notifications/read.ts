// A file of captured notifications (SPEC §4.1.5) read into deliveries. A large one is read and parsed
// on a worker thread (worker.ts) while this thread stores the batches before it: parsing is most of
// an ingest's work (issue 10's bench), so the two overlap on two cores. A small one is read here: a
// worker's start costs more than it saves.
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../errors.ts';
import { NOTIFICATION } from '../../store/index.ts';
import type { Delivery, StreamRef } from '../delivery.ts';
import { readCapture, type NotificationFileOptions } from './capture.ts';

export type { NotificationFileOptions } from './capture.ts';

/** Files at least this large (as stored: compressed ones hold more) are parsed on a worker thread. */
const WORKER_BYTES = 2 << 20;
/** Batches the worker may post before this thread has applied them. */
const AHEAD = 2;
// dist/ runs worker.js; the tests and the bench run src/ through tsx, whose loader the worker inherits.
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

export interface WorkerData {
  readonly file: string;
  readonly options: NotificationFileOptions;
  readonly ahead: number;
}

export type FromWorker =
  | { readonly kind: 'delivery'; readonly delivery: Delivery }
  | { readonly kind: 'end' }
  | { readonly kind: 'input-error'; readonly file: string; readonly location: string | undefined; readonly detail: string };

export async function* readNotifications(file: string, options: NotificationFileOptions): AsyncGenerator<Delivery> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size < WORKER_BYTES) yield* readCapture(file, options);
  else yield* onWorker(file, options);
}

async function* onWorker(file: string, options: NotificationFileOptions): AsyncGenerator<Delivery> {
  // The stream as this thread knows it: its start on this thread's clock.
  const stream: StreamRef = { file, source: options.source, type: NOTIFICATION, startedAt: performance.now() };
  const worker = new Worker(WORKER, { workerData: { file, options, ahead: AHEAD } satisfies WorkerData });
  const inbox: (FromWorker | { kind: 'crash'; error: Error } | { kind: 'exit'; code: number })[] = [];
  let wake: (() => void) | undefined;
  const receive = (message: (typeof inbox)[number]) => {
    inbox.push(message);
    wake?.();
    wake = undefined;
  };
  worker.on('message', (message: FromWorker) => receive(message));
  worker.on('error', (error) => receive({ kind: 'crash', error }));
  worker.on('exit', (code) => receive({ kind: 'exit', code }));
  try {
    for (;;) {
      if (!inbox.length) await new Promise<void>((resolve) => (wake = resolve));
      const message = inbox.shift()!;
      switch (message.kind) {
        case 'delivery':
          yield 'stream' in message.delivery ? ({ ...message.delivery, stream } as Delivery) : message.delivery;
          worker.postMessage('applied');
          break;
        case 'end':
          return;
        case 'input-error':
          throw new InputError(message.file, message.location, message.detail);
        case 'crash':
          throw message.error;
        case 'exit':
          throw new Error(`the worker reading ${file} stopped (exit code ${message.code}) before the file's end`);
      }
    }
  } finally {
    await worker.terminate();
  }
}
