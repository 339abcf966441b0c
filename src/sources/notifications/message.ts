// One OpenStack notification message (SPEC §4.1.5, §4.4) read into a ParsedMessage: the oslo
// `messagingv2` wire envelope, the bare message, or a Panko event; never throws for bad input.
import { RecordError, describe } from '../../errors.ts';
import { isObject } from '../../types/type.ts';
import { isVolumeEvent, isVolumeTypeEvent, readVolume, readVolumeType } from './cinder.ts';
import type { NotificationEvent, ParsedMessage } from './event.ts';
import { payloadHash, payloadJson, sortedKeys } from './hash.ts';
import { isInstanceEvent, readInstance } from './nova.ts';
import { isPankoEvent, readTraits, traitsPayload, type Resource } from './panko.ts';
import { instant, text } from './values.ts';

const ENVELOPE = 'oslo.message';

/**
 * True for a JSON value of one of the three shapes, to recognise notification files by content: an
 * envelope (`oslo.message`), a bare message (`event_type` with `payload` or `publisher_id`), or a
 * Panko event (`event_type`, `generated` and traits).
 */
export function isNotification(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (ENVELOPE in value) return typeof value[ENVELOPE] === 'string' || isObject(value[ENVELOPE]);
  if (typeof value.event_type !== 'string') return false;
  return 'payload' in value || 'publisher_id' in value || isPankoEvent(value);
}

/** Reads one message; bad input is a reject naming the field, not an exception. */
export function parseMessage(value: unknown): ParsedMessage {
  try {
    return read(value);
  } catch (err) {
    if (err instanceof RecordError) return { kind: 'reject', field: err.field, reason: err.detail };
    throw err;
  }
}

function read(value: unknown): ParsedMessage {
  const inner = isObject(value) && ENVELOPE in value ? value[ENVELOPE] : undefined;
  const message = inner === undefined ? value : unwrap(inner);
  if (!isObject(message)) throw new RecordError(undefined, `expected a notification message (a JSON object), found ${describe(message)}`);
  // JSON text with no more brackets than levels allowed cannot nest deeper: oslo's envelopes, the
  // common case, are not walked.
  if (!(typeof inner === 'string' && fewerBrackets(inner, MAX_DEPTH)) && deeperThan(message, MAX_DEPTH)) throw new RecordError(undefined, `expected a notification message, found JSON nested deeper than ${MAX_DEPTH} levels`);
  const eventType = message.event_type;
  if (typeof eventType !== 'string' || eventType.trim() === '') {
    throw new RecordError('event_type', `expected the event type, such as compute.instance.create.end, found ${describe(eventType)}`);
  }
  const panko = isPankoEvent(message);
  // An oslo listener's captures keep message_id and timestamp apart, in `metadata`.
  const metadata = isObject(message.metadata) ? message.metadata : {};
  const [timeField, sent] = panko
    ? ['generated', message.generated]
    : message.timestamp === undefined && metadata.timestamp !== undefined
      ? ['metadata.timestamp', metadata.timestamp]
      : ['timestamp', message.timestamp];
  const at = instant(timeField, sent);
  if (at === undefined) throw new RecordError(timeField, 'expected the time the message was sent, found nothing');
  const messageId = text('message_id', message.message_id ?? metadata.message_id);

  const resource = resourceOf(eventType);
  const traits = panko ? readTraits(message) : undefined;
  const stored: unknown = (traits ? traits.received : message.payload) ?? null;
  if (resource === undefined) return { kind: 'unused', eventType, messageId, at, payload: stored };

  // Panko traits hash as a name -> value object: their list order means nothing.
  const hashed = traits ? sortedKeys(traits.values) : message.payload;
  const where = traits ? 'traits' : 'payload';
  const payload = traits ? traitsPayload(resource, traits.values) : message.payload;
  if (!isObject(payload)) throw new RecordError('payload', `expected the payload object, found ${describe(payload)}`);
  const json = payloadJson(hashed);
  // A message's payload is hashed as it is stored under `keep`: its JSON is made once for both.
  const payloadText = traits ? undefined : json;
  let event: NotificationEvent;
  try {
    // Built member by member, not spread: this runs once per message.
    if (resource === 'vm') {
      const { action, resourceId, facts } = readInstance(eventType, payload);
      event = { messageId, eventType, at, payloadHash: payloadHash(json), resource, action, resourceId, facts };
    } else if (resource === 'volume') {
      const { action, resourceId, facts } = readVolume(eventType, payload);
      event = { messageId, eventType, at, payloadHash: payloadHash(json), resource, action, resourceId, facts };
    } else {
      const type = readVolumeType(eventType, payload);
      if (type === undefined) return { kind: 'unused', eventType, messageId, at, payload: stored };
      event = { messageId, eventType, at, payloadHash: payloadHash(json), resource, action: type.action, resourceId: type.resourceId, facts: type.facts };
    }
  } catch (err) {
    if (err instanceof RecordError && err.field !== undefined) throw new RecordError(`${where}.${err.field}`, err.detail);
    throw err;
  }
  return { kind: 'event', event, payload: stored, payloadText };
}

/** The envelope's message: JSON text (oslo's form); an already parsed object is taken as it is. */
function unwrap(inner: unknown): unknown {
  if (isObject(inner)) return inner;
  if (typeof inner !== 'string') throw new RecordError(ENVELOPE, `expected the message as JSON text, found ${describe(inner)}`);
  try {
    return JSON.parse(inner) as unknown;
  } catch (err) {
    throw new RecordError(ENVELOPE, `expected the message as JSON text, found text that is not JSON (${(err as Error).message})`);
  }
}

/**
 * Payloads are kept whole and hashed with JSON.stringify, which recursion ends at a few thousand
 * levels ("Maximum call stack size exceeded", issue 13 fuzz); services send fewer than ten.
 */
const MAX_DEPTH = 100;

/**
 * Whether objects or lists nest more than `limit` levels. It recurses at most `limit` deep, however
 * deep the value, and allocates nothing: it runs on every message (a queue of [value, depth] pairs
 * cost half as much again as parsing the message).
 */
function deeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (deeperThan(item, limit - 1)) return true;
    return false;
  }
  for (const key in value) if (deeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}

/** Whether `text` holds at most `limit` opening brackets (`{` or `[`, inside strings too). */
function fewerBrackets(text: string, limit: number): boolean {
  let found = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++found > limit) return false;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++found > limit) return false;
  return true;
}

/** What the event is about, by its name; undefined for every other service and type. */
function resourceOf(eventType: string): Resource | undefined {
  if (isInstanceEvent(eventType)) return 'vm';
  if (isVolumeEvent(eventType)) return 'volume';
  if (isVolumeTypeEvent(eventType)) return 'volume_type';
  return undefined;
}
