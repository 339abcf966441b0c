// A resource type is a declaration: natural key, mode, ordered fields, and one reader per input shape.
import type { FieldKind, FieldSpec } from './fields.ts';

/** SPEC §3: `state` types are diffed into added/modified/removed; `ledger` types are appended once by key. */
export type Mode = 'state' | 'ledger';

export type RawObject = Record<string, unknown>;

/**
 * Maps one raw input object of a given shape to our field names (values not yet coerced).
 * Returns null when the object is not a record of this type at all (counted as skipped).
 */
export type Reader = (raw: RawObject) => RawObject | null;

export interface ResourceType {
  readonly name: string;
  readonly mode: Mode;
  /** Natural key parts, in order; a one-part key is stored as the value itself. */
  readonly key: readonly FieldSpec[];
  /** Default fields in the documented order (SPEC §5), private ones flagged. */
  readonly fields: readonly FieldSpec[];
  /** Readers by input shape. The `canonical` shape needs none: its objects already use our names. */
  readonly readers: { readonly [shape: string]: Reader };
  /** A record the source could only partly describe: never diffed as modified (SPEC §6). */
  readonly isPartial?: (raw: RawObject, shape: string) => boolean;
  /** Ledger types: the time field whose UTC day a record is reported on (SPEC §8.1: a job's end). */
  readonly ledgerDay?: string;
}

function field(kind: FieldKind) {
  return (name: string, options: { private?: boolean } = {}): FieldSpec => ({ name, kind, ...options });
}

/** Terse field constructors for type declarations: `f.int('vcpus')`, `f.string('name', { private: true })`. */
export const f = {
  string: field('string'),
  int: field('int'),
  number: field('number'),
  bool: field('bool'),
  time: field('time'),
  list: field('list'),
};

/** A JSON object: not null, not a list. */
export function isObject(value: unknown): value is RawObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a nested object member, or undefined when it is not an object. */
export function objectAt(raw: unknown): RawObject | undefined {
  return isObject(raw) ? raw : undefined;
}
