// A worker of off-thread.ts: each job's lines read as read.ts reads them (takeLine), each message in
// its stored form (feed.ts storedForm), sent back in line order.
import { parentPort } from 'node:worker_threads';
import type { ParsedMessage } from './event.ts';
import { storedForm, type Taken } from './feed.ts';
import type { Done, Job } from './off-thread.ts';
import { storedPayload } from './private.ts';
import { takeLine } from './read.ts';

const port = parentPort!;
/** How the file's messages are stored: set by its first job. */
let stored: ReturnType<typeof storedForm> | undefined;

port.on('message', (job: Job) => {
  if (job.kind === 'file') {
    stored = storedForm(job.file, storedPayload(job.privacy));
    return;
  }
  const make = stored!;
  const taken: Taken[] = [];
  const sink = { take: (parsed: ParsedMessage, location: string) => void taken.push(make(parsed, location)) };
  job.lines.forEach((line, i) => takeLine(sink, line, job.first + i));
  port.postMessage({ id: job.id, taken } satisfies Done);
});
