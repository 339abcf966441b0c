// A large line capture is read with the other cores (SPEC §11): the main thread reads the lines and
// hands them out a thousand at a time to two workers in turn (read-worker.ts), which parse each
// message and make it into its stored form (feed.ts storedForm: the payload's JSON without private
// fields, the hashes, the facts); the main thread takes their work back in line order, puts it into
// batches with the same EventFeed, and stores one batch while the workers go on. The batches,
// rejects and skip counts are those of reading the file on the main thread, in the same order.
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { Privacy } from '../../types/normalise.ts';
import type { Delivery } from '../delivery.ts';
import { readLines } from '../files/bytes.ts';
import { startWorker } from '../worker.ts';
import { EventFeed, type Taken } from './feed.ts';
import { storedPayload } from './private.ts';
import { firstCharacter, type NotificationFileOptions, readNotifications } from './read.ts';

/** Captures smaller than this as they lie on disk are read on the main thread: a worker's start costs more. */
const OFF_THREAD_BYTES = 8 << 20;
/** Lines per job. */
const LINES = 1000;
/** Jobs out and not yet taken back: a batch's worth and more (EVENT_BATCH), so the workers go on while one is stored. */
const IN_FLIGHT = 24;
/** Workers: two keep two cores busy beside a main thread that mostly waits for SQLite. */
const WORKERS = 2;

/** What a worker is given: first where its messages are placed and how they are stored, then jobs. */
export type Job =
  | { readonly kind: 'file'; readonly file: string; readonly privacy: Privacy }
  | { readonly kind: 'lines'; readonly id: number; readonly first: number; readonly lines: readonly string[] };

/** What it sends back for a job: its lines' messages in their stored form, in line order. */
export interface Done {
  readonly id: number;
  readonly taken: readonly Taken[];
}

/**
 * The deliveries of one capture file, read where it is cheaper: see OFF_THREAD_BYTES. A JSON list
 * (parsed as one document), a file read as one batch (`validate`: nothing would overlap) and a
 * machine of one core are read on the main thread.
 */
export async function* readNotificationFile(file: string, options: NotificationFileOptions, offThreadBytes = OFF_THREAD_BYTES): AsyncGenerator<Delivery> {
  const size = await stat(file).then((s) => s.size, () => 0); // unreadable: the reader says why
  const batched = Number.isFinite(options.batchSize ?? 0);
  const spread = size >= offThreadBytes && batched && availableParallelism() > 1 && (await firstCharacter(file)) !== '[';
  yield* spread ? readSpread(file, options) : readNotifications(file, options);
}

async function* readSpread(file: string, options: NotificationFileOptions): AsyncGenerator<Delivery> {
  const feed = new EventFeed(file, options.source, storedPayload(options.privacy), options.batchSize);
  const workers = new LineWorkers(file, options.privacy);
  /** The jobs' work, taken back in order into the batches; what is ready is handed on. */
  const takeOldest = async function* () {
    for (const taken of await workers.oldest()) feed.accept(taken);
    if (feed.hasReady) yield* feed.ready();
  };
  try {
    let lines: string[] = [];
    let number = 0;
    try {
      for await (const line of readLines(file)) {
        lines.push(line);
        if (lines.length < LINES) continue;
        workers.send(number + 1, lines);
        number += lines.length;
        lines = [];
        while (workers.busy) yield* takeOldest();
      }
    } catch (err) {
      // A file that breaks part-way (a cut gzip) has the batches before the break stored, as here.
      if (lines.length) workers.send(number + 1, lines);
      while (workers.pending) yield* takeOldest();
      throw err;
    }
    if (lines.length) workers.send(number + 1, lines);
    while (workers.pending) yield* takeOldest();
    yield* feed.end();
  } finally {
    workers.stop();
  }
}

/** The workers of one file, given jobs in turn; their work is taken back in the order sent. */
class LineWorkers {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (taken: readonly Taken[]) => void; reject: (err: Error) => void }>();
  private readonly sent: Promise<readonly Taken[]>[] = [];
  private nextId = 0;
  /** Once a worker failed, every job fails with it: none is left waiting for a worker that is gone. */
  private failure: Error | undefined;

  constructor(
    private readonly file: string,
    privacy: Privacy,
  ) {
    for (let k = 0; k < WORKERS; k++) {
      const worker = startWorker(import.meta.url, 'read-worker');
      worker.on('message', (done: Done) => {
        this.waiting.get(done.id)?.resolve(done.taken);
        this.waiting.delete(done.id);
      });
      // A worker that fails (out of memory on a giant line, a bug) fails the file, by name.
      worker.on('error', (err) => this.fail(`${file}: ${err.message}`));
      worker.on('exit', (code) => this.fail(`${file}: a reading worker stopped (exit code ${code})`));
      worker.postMessage({ kind: 'file', file, privacy } satisfies Job);
      this.workers.push(worker);
    }
  }

  send(first: number, lines: readonly string[]): void {
    const id = this.nextId++;
    const done = this.failure
      ? Promise.reject(this.failure)
      : new Promise<readonly Taken[]>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // Left untaken when reading fails: not an unhandled rejection then.
    done.catch(() => undefined);
    this.sent.push(done);
    this.workers[id % this.workers.length]!.postMessage({ kind: 'lines', id, first, lines } satisfies Job);
  }

  /** As many jobs out as may be: take the oldest back before sending more. */
  get busy(): boolean {
    return this.sent.length >= IN_FLIGHT;
  }

  get pending(): boolean {
    return this.sent.length > 0;
  }

  oldest(): Promise<readonly Taken[]> {
    return this.sent.shift()!;
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }

  stop(): void {
    for (const worker of this.workers) {
      worker.removeAllListeners();
      void worker.terminate();
    }
    // What was still out is not waited for any more.
    this.fail(`${this.file}: reading stopped`);
  }
}
