// Streamed documents (too large to parse whole) are parsed and normalised on a second core: the
// main thread splits the file and gathers the records while one worker (normalise-worker.ts) turns
// element texts into records, a batch at a time (issue 14: an identical re-ingest of 700 000
// servers a fifth faster, a first load of a million 15 %). The outcomes are applied in the order
// the elements came, so the snapshot is the one the main thread alone would build, quarantined
// records and duplicates included.
import { InputError } from '../../errors.ts';
import type { NormaliseOutcome, Privacy } from '../../types/normalise.ts';
import type { PartWriter } from './parts.ts';
import { WorkerPool } from '../worker.ts';

/** Elements per message to the worker: enough to pay for the message, few enough to bound memory. */
const BATCH = 1000;
/** Batches sent and not yet applied: the main thread waits for the oldest beyond this. */
const IN_FLIGHT = 4;

/** One batch for the worker. */
export interface Job {
  readonly id: number;
  readonly type: string;
  readonly shape: string;
  readonly privacy: Privacy;
  readonly texts: readonly string[];
}

/**
 * Per element: its outcome, or why it is not JSON (the file is then refused, as a parse would). A
 * record's JSON comes as bytes `start`..`end` of the reply's `text`: one buffer moved, not a
 * string per record copied, and written to the snapshot's spill as it is (text-spill.ts).
 */
export type Outcome =
  | Exclude<NormaliseOutcome, { readonly kind: 'record' | 'encoded' }>
  | { readonly kind: 'encoded'; readonly key: string; readonly hash: string; readonly pair: string; readonly start: number; readonly end: number }
  | { readonly kind: 'invalid'; readonly reason: string };

export interface Reply {
  readonly id: number;
  readonly outcomes: readonly Outcome[];
  readonly text: Uint8Array;
}

// Its garbage is all short-lived: a small young generation keeps the process 30 MB smaller at no cost
// in speed (700 000 servers; SPEC §11, memory).
const pool = new WorkerPool<Omit<Job, 'id'>, Reply>(import.meta.url, 'normalise-worker', { resourceLimits: { maxYoungGenerationSizeMb: 8 } });

interface Sent {
  readonly writer: PartWriter;
  readonly locations: readonly string[];
  readonly reply: Promise<Reply>;
}

/**
 * The list elements of one streamed document on their way to its snapshots' writers: add() each,
 * awaiting what it returns (the worker is behind), and finish() at the end of the document.
 */
export class WorkerBatches {
  private writer: PartWriter | undefined;
  private shape = '';
  private texts: string[] = [];
  private locations: string[] = [];
  private readonly sent: Sent[] = [];

  constructor(private readonly file: string) {}

  add(writer: PartWriter, shape: string, text: string, location: string): Promise<void> | undefined {
    if (writer !== this.writer || shape !== this.shape) this.send();
    this.writer = writer;
    this.shape = shape;
    this.texts.push(text);
    this.locations.push(location);
    if (this.texts.length < BATCH) return undefined;
    this.send();
    return this.sent.length > IN_FLIGHT ? this.applyOldest() : undefined;
  }

  /** Every element sent, applied: after this the snapshots hold the whole document. */
  async finish(): Promise<void> {
    try {
      this.send();
      while (this.sent.length) await this.applyOldest();
    } finally {
      pool.release();
    }
  }

  private send(): void {
    if (!this.writer || !this.texts.length) return;
    const reply = pool.run({ type: this.writer.type.name, shape: this.shape, privacy: this.writer.privacy, texts: this.texts });
    // Left unapplied when an earlier element fails the file: not an unhandled rejection then.
    reply.catch(() => undefined);
    this.sent.push({ writer: this.writer, locations: this.locations, reply });
    this.texts = [];
    this.locations = [];
  }

  private async applyOldest(): Promise<void> {
    const { writer, locations, reply } = this.sent.shift()!;
    // A worker that failed (a bug, or out of memory on a giant element) fails this file, by name.
    const { outcomes, text } = await reply.catch((err: Error) => {
      throw new Error(`${this.file}: ${err.message}`, { cause: err });
    });
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.kind === 'invalid') throw new InputError(this.file, locations[i], `not valid JSON (${outcome.reason})`);
      if (outcome.kind !== 'encoded') writer.take(outcome, locations[i]!);
      else writer.take({ kind: 'encoded', record: { key: outcome.key, hash: outcome.hash, pair: outcome.pair, bytes: text.subarray(outcome.start, outcome.end) } }, locations[i]!);
    }
  }
}
