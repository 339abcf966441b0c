// A large line capture is read with the other cores (SPEC §11): the main thread reads the lines and
// hands them out a thousand at a time to two workers in turn (spread-worker.ts), which parse each
// message and make it into its stored form (feed.ts storedForm: the payload's JSON without private
// fields, the hashes, the facts); the main thread takes their work back in line order into the
// file's EventFeed and stores one batch while the workers go on. The batches, rejects and skip
// counts are those of reading the file on the main thread, in the same order.
import type { Privacy } from '../../types/normalise.ts';
import type { Delivery } from '../delivery.ts';
import { readLines } from '../files/bytes.ts';
import { WorkerPool } from '../worker.ts';
import type { EventFeed, Taken } from './feed.ts';

/** Lines per job. */
const LINES = 1000;
/** Jobs out and not yet taken back: a batch's worth and more (EVENT_BATCH), so the workers go on while one is stored. */
const IN_FLIGHT = 24;

/** Lines of one file for a worker; `first` is the number of the first. */
export interface Job {
  readonly id: number;
  readonly file: string;
  readonly privacy: Privacy;
  readonly first: number;
  readonly lines: readonly string[];
}

/** A job's messages in their stored form, in line order. */
export interface Done {
  readonly id: number;
  readonly taken: readonly Taken[];
}

/** The lines of `file` into `feed`, parsed by two workers; what the feed has ready is handed on. */
export async function* readSpread(file: string, privacy: Privacy, feed: EventFeed): AsyncGenerator<Delivery> {
  const pool = new WorkerPool<Omit<Job, 'id'>, Done>(import.meta.url, 'spread-worker', { workers: 2 });
  const sent: Promise<Done>[] = [];
  const send = (first: number, lines: readonly string[]) => {
    const done = pool.run({ file, privacy, first, lines });
    // Left untaken when reading fails: not an unhandled rejection then.
    done.catch(() => undefined);
    sent.push(done);
  };
  /** The oldest job's work into the batches; what is ready is handed on. */
  const takeOldest = async function* () {
    const { taken } = await sent.shift()!.catch((err: Error) => {
      throw new Error(`${file}: ${err.message}`, { cause: err });
    });
    for (const message of taken) feed.accept(message);
    if (feed.hasReady) yield* feed.ready();
  };
  let lines: string[] = [];
  let number = 0;
  /** The lines read so far, all taken back. */
  const drain = async function* () {
    if (lines.length) send(number + 1, lines);
    lines = [];
    while (sent.length) yield* takeOldest();
  };
  try {
    try {
      for await (const line of readLines(file)) {
        lines.push(line);
        if (lines.length < LINES) continue;
        send(number + 1, lines);
        number += lines.length;
        lines = [];
        while (sent.length >= IN_FLIGHT) yield* takeOldest();
      }
    } catch (err) {
      // A file that breaks part-way (a cut gzip) has the batches before the break stored, as on one thread.
      yield* drain();
      throw err;
    }
    yield* drain();
  } finally {
    pool.stop(new Error('reading stopped'));
  }
}
