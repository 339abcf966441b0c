// The other side of read.ts: one capture read and parsed on a worker thread, its deliveries posted to
// the thread that stores them, never more than `ahead` of them unacknowledged (memory stays a few batches).
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../../errors.ts';
import { readCapture } from './capture.ts';
import type { FromWorker, WorkerData } from './read.ts';

const { file, options, ahead } = workerData as WorkerData;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
let credit = ahead;
let wake: (() => void) | undefined;
port.on('message', () => {
  credit++;
  wake?.();
  wake = undefined;
});

try {
  for await (const delivery of readCapture(file, options)) {
    if (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
    credit--;
    post({ kind: 'delivery', delivery });
  }
  post({ kind: 'end' });
} catch (err) {
  // A bad file is told as the same InputError; anything else is a bug, thrown as the worker's error.
  if (!(err instanceof InputError)) throw err;
  post({ kind: 'input-error', file: err.file, location: err.location, detail: err.detail });
}
