// A worker of spread.ts: each job's lines read as read.ts reads them (takeLine), each message in its
// stored form (feed.ts storedForm), sent back in line order.
import { parentPort } from 'node:worker_threads';
import type { ParsedMessage } from './event.ts';
import { storedForm, type Taken } from './feed.ts';
import { storedPayload } from './private.ts';
import { takeLine } from './read.ts';
import type { Done, Job } from './spread.ts';

/** The stored form of the file being read (a worker reads one file). */
let made: { readonly file: string; readonly make: ReturnType<typeof storedForm> } | undefined;

parentPort!.on('message', (job: Job) => {
  if (made?.file !== job.file) made = { file: job.file, make: storedForm(job.file, storedPayload(job.privacy)) };
  const { make } = made;
  const taken: Taken[] = [];
  const feed = { take: (parsed: ParsedMessage, location: string) => void taken.push(make(parsed, location)) };
  job.lines.forEach((line, i) => takeLine(feed, line, job.first + i));
  parentPort!.postMessage({ id: job.id, taken } satisfies Done);
});
