// The worker of off-thread.ts: reads one capture with read.ts, each message in its stored form, and
// posts them a chunk at a time, never more than AHEAD chunks beyond those the main thread has taken.
import { parentPort } from 'node:worker_threads';
import { InputError } from '../../errors.ts';
import { StoredChunks } from './feed.ts';
import { AHEAD, CHUNK, type ReadJob, type ReadMessage } from './off-thread.ts';
import { storedPayload } from './private.ts';
import { readMessages } from './read.ts';

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
    for await (const chunk of readMessages(file, new StoredChunks(file, storedPayload(options.privacy), CHUNK))) {
      while (credits === 0) await new Promise<void>((resolve) => (waiting = resolve));
      credits--;
      send({ kind: 'chunk', chunk });
    }
    send({ kind: 'end' });
  } catch (err) {
    const input = err instanceof InputError ? { file: err.file, location: err.location, detail: err.detail } : undefined;
    send({ kind: 'failed', input, message: (err as Error).message });
  }
}
