// Field kinds and the one coercion every input shape goes through (SPEC §5: values are normalised).
import { RecordError, describe } from '../errors.ts';
import { byText } from '../order.ts';
import { formatInstant, isCanonicalInstant, parseInstant } from '../time.ts';

export type FieldKind = 'string' | 'int' | 'number' | 'bool' | 'time' | 'list';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  /** Names, descriptions, e-mails, IP addresses...: stored only with `private_fields: keep|hash`. */
  readonly private?: boolean;
}

export type Scalar = string | number | boolean;
export type Value = Scalar | readonly Scalar[];
/** A normalised record: snake_case fields in the type's order; an absent field is null. */
export type Row = { readonly [field: string]: Value };

export interface CoerceOptions {
  /** The input shape documents zone-less times as UTC (OpenStack APIs). */
  naiveTimesAreUtc?: boolean;
}

/** A whole number, or any decimal number, written as text (signs allowed). */
export const INTEGER = /^[+-]?\d+$/;
export const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Returns the normalised value, or undefined when the field is absent (null, "", []). */
export function coerce(spec: FieldSpec, raw: unknown, options: CoerceOptions = {}): Value | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  switch (spec.kind) {
    case 'string':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      break;
    case 'int':
      if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
      if (typeof raw === 'string' && INTEGER.test(raw.trim())) {
        const n = Number(raw);
        // SPEC §5: counts beyond 2^53 stay exact, as text.
        return Number.isSafeInteger(n) ? n : raw.trim().replace(/^\+/, '');
      }
      break;
    case 'number':
      if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
      if (typeof raw === 'string' && NUMBER.test(raw.trim())) return Number(raw);
      break;
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 1 || raw === 0) return raw === 1;
      if (typeof raw === 'string') {
        const t = raw.trim().toLowerCase();
        if (t === 'true' || t === '1') return true;
        if (t === 'false' || t === '0') return false;
      }
      break;
    case 'time':
      if (typeof raw === 'string') {
        if (isCanonicalInstant(raw)) return raw;
        const ms = parseInstant(raw, { naiveIsUtc: options.naiveTimesAreUtc });
        if (typeof ms === 'number') return formatInstant(ms);
        throw new RecordError(spec.name, `expected an ISO-8601 time with a zone, found ${describe(raw)} (${ms})`);
      }
      break;
    case 'list':
      if (Array.isArray(raw)) {
        const items: Scalar[] = [];
        for (const item of raw) {
          if (item === null || item === undefined || item === '') continue;
          if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
            throw new RecordError(spec.name, `expected a list of plain values, found ${describe(item)} in it`);
          }
          items.push(item);
        }
        // Lists are sets here (attachments, hosts): order from the API is not a change.
        const unique = [...new Set(items)].sort((a, b) => byText(String(a), String(b)));
        return unique.length ? unique : undefined;
      }
      if (typeof raw === 'string' || typeof raw === 'number') return [raw];
      break;
  }
  throw new RecordError(spec.name, `expected ${EXPECTED[spec.kind]}, found ${describe(raw)}`);
}

const EXPECTED: Record<FieldKind, string> = {
  string: 'text',
  int: 'an integer',
  number: 'a number',
  bool: 'true or false',
  time: 'an ISO-8601 time with a zone',
  list: 'a list',
};
