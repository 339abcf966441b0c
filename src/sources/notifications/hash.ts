// SPEC §4.4 semantic de-duplication: a payload's hash ignores key order, so Cinder's usage audit
// re-sending the same payload under a new message id is recognised as the same event.
import { createHash } from 'node:crypto';
import { byText } from '../../order.ts';
import { isObject } from '../../types/type.ts';

/** JSON with every object's keys sorted (byte-wise, recursively); list order is kept, it means something. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort(byText);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-1 of the canonical JSON, 40 hex digits. */
export function payloadHash(payload: unknown): string {
  return createHash('sha1').update(canonicalJson(payload)).digest('hex');
}
