// One raw input object -> the projected, canonical record that is diffed and stored.
import { createHmac, hash } from 'node:crypto';
import { RecordError, describe } from '../errors.ts';
import { coerce, type FieldSpec, type Value } from './fields.ts';
import type { RawObject, ResourceType } from './type.ts';

/** SPEC §5: private fields are dropped unless the source asks to keep them or to store a keyed hash. */
export type PrivacyMode = 'drop' | 'keep' | 'hash';

export interface Privacy {
  readonly mode: PrivacyMode;
  /** The key of the `hash` mode's HMAC (kept in the database, never exported). */
  readonly hashKey?: string;
}

export interface NormalRecord {
  /** The natural key: the value for one-part keys, a JSON array for composite keys. */
  readonly key: string;
  /** Canonical JSON of the projected fields, in the type's order; absent fields are left out. */
  readonly json: string;
  /** SHA-1 of `json` (base64): equal records of one key have equal hashes. */
  readonly hash: string;
}

export type Normalised =
  | { readonly kind: 'record'; readonly record: NormalRecord }
  | { readonly kind: 'partial'; readonly key: string }
  | { readonly kind: 'skipped' };

/** A record with its JSON as UTF-8 bytes, as a worker hands it over (sources/dump/normalise-pool.ts). */
export interface EncodedRecord {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly hash: string;
  /** Its place in the snapshot's content hash (snapshot.ts pairHash), made by the worker too. */
  readonly pair: string;
}

/** What normalising one input object came to, a bad record included (a RecordError, as data). */
export type NormaliseOutcome =
  | Normalised
  | { readonly kind: 'encoded'; readonly record: EncodedRecord }
  | { readonly kind: 'rejected'; readonly field?: string; readonly detail: string };

/** Runs a normaliser, a bad record coming back as `rejected` rather than thrown. */
export function normaliseOutcome(normalise: (raw: unknown) => Normalised, raw: unknown): NormaliseOutcome {
  try {
    return normalise(raw);
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    return { kind: 'rejected', field: err.field, detail: err.detail };
  }
}

/** Shapes whose documentation says zone-less times are UTC. */
const NAIVE_UTC_SHAPES = new Set(['openstack']);

const identity = (raw: RawObject): RawObject => raw;

/** Builds the normaliser of one (type, input shape, privacy); throws RecordError for a bad record. */
export function normaliser(type: ResourceType, shape: string, privacy: Privacy): (raw: unknown) => Normalised {
  const read = shape === 'canonical' ? identity : type.readers[shape];
  if (!read) throw new Error(`resource type ${type.name} has no reader for ${shape} input`);
  if (privacy.mode === 'hash' && !privacy.hashKey) throw new Error('private_fields: hash needs a key');
  const options = { naiveTimesAreUtc: NAIVE_UTC_SHAPES.has(shape) };
  const stored = type.fields.filter((spec) => !spec.private || privacy.mode !== 'drop');
  const hashedAt = stored.map((spec) => !!spec.private && privacy.mode === 'hash');
  const hashed = (value: Value): Value =>
    Array.isArray(value) ? value.map((v) => keyedHash(String(v), privacy.hashKey!)) : keyedHash(String(value), privacy.hashKey!);

  return (input) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new RecordError(undefined, `expected an object, found ${describe(input)}`);
    }
    const raw = input as RawObject;
    const values = read(raw);
    if (values === null) return { kind: 'skipped' };
    const key = keyOf(type.key, values, options);
    if (type.isPartial?.(raw, shape)) return { kind: 'partial', key };

    const projected: Record<string, Value> = {};
    for (let i = 0; i < stored.length; i++) {
      const spec = stored[i]!;
      const value = coerce(spec, values[spec.name], options);
      if (value !== undefined) projected[spec.name] = hashedAt[i] ? hashed(value) : value;
    }
    return { kind: 'record', record: normalRecord(key, projected) };
  };
}

/** The stored form of projected fields, which must already be in the type's field order. */
export function normalRecord(key: string, projected: Readonly<Record<string, Value>>): NormalRecord {
  const json = JSON.stringify(projected);
  return { key, json, hash: hash('sha1', json, 'base64') };
}

function keyOf(parts: readonly FieldSpec[], values: RawObject, options: { naiveTimesAreUtc: boolean }): string {
  if (parts.length === 1) return keyPart(parts[0]!, values, options);
  return JSON.stringify(parts.map((spec) => keyPart(spec, values, options)));
}

function keyPart(spec: FieldSpec, values: RawObject, options: { naiveTimesAreUtc: boolean }): string {
  const value = coerce(spec, values[spec.name], options);
  if (value === undefined || Array.isArray(value)) {
    throw new RecordError(spec.name, `missing key field (found ${describe(values[spec.name])})`);
  }
  return String(value);
}

/** Splits a stored key back into its parts. */
export function keyParts(type: ResourceType, key: string): string[] {
  return type.key.length === 1 ? [key] : (JSON.parse(key) as string[]);
}

export function keyedHash(text: string, key: string): string {
  return createHmac('sha256', key).update(text).digest('hex').slice(0, 32);
}
