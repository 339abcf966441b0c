// Notifications read into batches as a file is read (SPEC §4.4: one transaction per file batch, as
// for ledgers), each message with the key that recognises it when it comes again, under its message
// id or a new one: its event type, resource and payload, beside its event time.
import { hash as digest } from 'node:crypto';
import { InputError } from '../../errors.ts';
import type { Reject } from '../../snapshot.ts';
import { NOTIFICATION, type StoredEvent } from '../../store/index.ts';
import type { Delivery, EventBatch, StreamRef } from '../delivery.ts';
import type { ParsedMessage } from './event.ts';

/** Messages per batch (one transaction each). */
export const EVENT_BATCH = 20_000;

/** One message in its stored form, not yet in a batch: made where the line is read (spread.ts), batched by EventFeed. */
export type Taken =
  | { readonly kind: 'reject'; readonly reject: Reject }
  | { readonly kind: 'unused'; readonly event: StoredEvent; readonly reason: string }
  | { readonly kind: 'event'; readonly event: StoredEvent };

/**
 * A parsed message in its stored form: the costly part (the payload without its private fields as
 * JSON, the hashes of the de-duplication key), done by the workers of a large capture (spread.ts).
 */
export function storedForm(file: string, payload: (payload: unknown, json?: string) => string): (parsed: ParsedMessage, location: string) => Taken {
  return (parsed, location) => {
    if (parsed.kind === 'reject') return { kind: 'reject', reject: { file, location, field: parsed.field, reason: parsed.reason } };
    if (parsed.kind === 'unused') {
      const json = JSON.stringify(parsed.payload);
      const key = dedupeKey(parsed.eventType, '', hash(json));
      const event = { messageId: parsed.messageId, dedupeKey: key, eventType: parsed.eventType, at: parsed.at, payload: payload(parsed.payload, json), file, location };
      return { kind: 'unused', event, reason: `messages of type ${parsed.eventType} (stored, not used for lifecycles)` };
    }
    const { event } = parsed;
    return {
      kind: 'event',
      event: {
        messageId: event.messageId,
        dedupeKey: dedupeKey(event.eventType, event.resourceId, event.payloadHash),
        eventType: event.eventType,
        action: event.action,
        resourceType: event.resource,
        resourceId: event.resourceId,
        at: event.at,
        facts: JSON.stringify(event.facts),
        payload: payload(parsed.payload, parsed.payloadText),
        file,
        location,
      },
    };
  };
}

/** Messages in batches of `size`, each its own transaction; the summary's counts. */
export class EventFeed {
  readonly stream: StreamRef;
  private events: StoredEvent[] = [];
  private rejects: Reject[] = [];
  private unused = 0;
  private latest = Number.NEGATIVE_INFINITY;
  private readonly done: EventBatch[] = [];
  private read = 0;
  private firstProblem?: string;
  /** Messages stored but not used for lifecycles, by reason (SPEC §9: counted, never dropped unseen). */
  private readonly skipped = new Map<string, number>();
  private readonly stored: (parsed: ParsedMessage, location: string) => Taken;

  constructor(
    file: string,
    readonly source: string,
    /** A payload as stored: without private fields unless the source keeps them (private.ts); its JSON when made already. */
    payload: (payload: unknown, json?: string) => string,
    private readonly size = EVENT_BATCH,
  ) {
    this.stream = { file, source, type: NOTIFICATION, startedAt: performance.now() };
    this.stored = storedForm(file, payload);
  }

  take(parsed: ParsedMessage, location: string): void {
    this.accept(this.stored(parsed, location));
  }

  /** A message already in its stored form (made by a worker of spread.ts). */
  accept(taken: Taken): void {
    if (taken.kind === 'reject') {
      const { reject } = taken;
      this.firstProblem ??= `${reject.location}: ${reject.field ? `${reject.field}: ` : ''}${reject.reason}`;
      this.rejects.push(reject);
    } else {
      this.read++;
      this.latest = Math.max(this.latest, taken.event.at);
      this.events.push(taken.event);
      if (taken.kind === 'unused') {
        this.unused++;
        this.skipped.set(taken.reason, (this.skipped.get(taken.reason) ?? 0) + 1);
      }
    }
    if (this.events.length + this.rejects.length >= this.size) this.close();
  }

  get hasReady(): boolean {
    return this.done.length > 0;
  }

  *ready(): Generator<Delivery> {
    for (const batch of this.done.splice(0)) yield { kind: 'events', stream: this.stream, batch };
  }

  /** The file is over: its last batch, then its end. A file in which no message reads is not a capture at all. */
  *end(): Generator<Delivery> {
    if (!this.read && this.firstProblem !== undefined) {
      throw new InputError(this.stream.file, undefined, `no notification in it could be read (first problem: ${this.firstProblem})`);
    }
    this.close();
    yield* this.ready();
    yield { kind: 'stream-end', stream: this.stream, skipped: this.skipped };
  }

  private close(): void {
    if (!this.events.length && !this.rejects.length) return;
    // A batch of only bad messages takes the time of the file's messages so far (or of none: the epoch).
    const latestAt = Number.isFinite(this.latest) ? this.latest : 0;
    this.done.push({ source: this.source, events: this.events, rejects: this.rejects, unused: this.unused, latestAt });
    this.events = [];
    this.rejects = [];
    this.unused = 0;
  }
}

function hash(text: string): string {
  return digest('sha1', text, 'base64');
}

/** SPEC §4.4: with the event time (stored beside it), the same event re-emitted under a new message id has the same key. */
function dedupeKey(eventType: string, resourceId: string, payloadHash: string): string {
  return hash(`${eventType}\0${resourceId}\0${payloadHash}`);
}
