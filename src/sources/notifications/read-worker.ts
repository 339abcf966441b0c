// The worker of off-thread.ts: reads one capture with read.ts and posts each delivery, never more
// than AHEAD beyond the ones the main thread has taken.
import { parentPort } from 'node:worker_threads';
import { InputError } from '../../errors.ts';
import { AHEAD, type ReadJob, type ReadMessage } from './off-thread.ts';
import { readNotifications } from './read.ts';

const port = parentPort!;
let credits = AHEAD;
let waiting: (() => void) | undefined;

port.once('message', (job: ReadJob) => {
  port.on('message', () => {
    credits++;
    waiting?.();
    waiting = undefined;
  });
  void read(job);
});

async function read({ file, options }: ReadJob): Promise<void> {
  const send = (message: ReadMessage) => port.postMessage(message);
  try {
    for await (const delivery of readNotifications(file, options)) {
      while (credits === 0) await new Promise<void>((resolve) => (waiting = resolve));
      credits--;
      send({ kind: 'delivery', delivery });
    }
    send({ kind: 'end' });
  } catch (err) {
    const input = err instanceof InputError ? { file: err.file, location: err.location, detail: err.detail } : undefined;
    send({ kind: 'failed', input, message: (err as Error).message });
  }
}
