// SPEC §4.4 semantic de-duplication: the same event re-emitted under a new message id has the same
// payload. Compared as the producer wrote it (its key order): a payload captured twice, by two
// listeners or as a log line and a wire envelope, is the same text once parsed; no producer we know
// of re-orders the keys of one event. (Sorting every payload's keys cost a third of an ingest.)
import { hash } from 'node:crypto';

/** The payload's JSON as hashed (and as stored when the source keeps private fields). */
export function payloadJson(payload: unknown): string {
  return JSON.stringify(payload) ?? 'null';
}

/** SHA-1 of the payload's JSON (payloadJson), 40 hex digits. */
export function payloadHash(json: string): string {
  return hash('sha1', json, 'hex');
}

/** An object with its keys in byte-wise order: for values whose order means nothing (Panko's traits). */
export function sortedKeys(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = value[key];
  return sorted;
}
