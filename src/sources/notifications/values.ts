// The value forms OpenStack notification payloads use (SPEC §4.4): ids as text or numbers, counts
// that may come as text (Panko trait values always do), zone-less UTC times, and `""` for null.
import { RecordError, describe } from '../../errors.ts';
import { parseInstant } from '../../time.ts';
import { wholeNumber } from '../hpc/values.ts';
import type { AuditPeriod } from './event.ts';

/** What a Nova or Cinder reader makes of one payload; the message reader adds the envelope's parts. */
export interface Reading<Facts> {
  readonly action: string;
  readonly resourceId: string;
  readonly facts: Facts;
}

/** Text or a number as text; undefined for null, `""` or absent. */
export function text(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RecordError(field, `expected text, found ${describe(value)}`);
}

/** The id a payload is about: without it the event cannot be placed, so it is required. */
export function id(field: string, value: unknown, what: string): string {
  const found = text(field, value);
  if (found === undefined || found.trim() === '') throw new RecordError(field, `expected the ${what}, found ${describe(value)}`);
  return found;
}

/** A whole number (vCPUs, MB, GB), given bare or as text. */
export function count(field: string, value: unknown): number | undefined {
  return wholeNumber(field, value);
}

/** Lower-cased text: Nova's vm_state and Cinder's status compare case-blind. */
export function lower(field: string, value: unknown): string | undefined {
  return text(field, value)?.toLowerCase();
}

/**
 * A payload or message time as epoch ms. SPEC §4.4: oslo's and the legacy payloads' zone-less times
 * (`2026-11-21 02:00:00.123456`, `2026-11-21T02:00:00.123456`) are UTC; milliseconds are kept, the
 * rest of the fraction dropped. `""` and null are no time.
 */
export function instant(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new RecordError(field, `expected a time, found ${describe(value)}`);
  const ms = parseInstant(value, { naiveIsUtc: true });
  if (typeof ms === 'string') throw new RecordError(field, `expected a time such as 2026-11-21 02:00:00.123456, found ${describe(value)} (${ms})`);
  return ms;
}

/** The object without its undefined members, so facts list only what the payload gave. */
export function defined<T extends object>(facts: T): T {
  const out: Record<string, unknown> = {};
  for (const k in facts) {
    const v = (facts as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/**
 * The audit period of an `exists` message, from `audit_period_beginning/ending` members of `from`
 * (the legacy payload itself, or a versioned payload's `audit_period["nova_object.data"]`).
 */
export function auditPeriod(prefix: string, from: Record<string, unknown>): AuditPeriod | undefined {
  const beginning = instant(`${prefix}audit_period_beginning`, from.audit_period_beginning);
  const ending = instant(`${prefix}audit_period_ending`, from.audit_period_ending);
  if (beginning === undefined && ending === undefined) return undefined;
  if (beginning === undefined) throw new RecordError(`${prefix}audit_period_beginning`, 'expected the start of the audit period, found nothing');
  if (ending === undefined) throw new RecordError(`${prefix}audit_period_ending`, 'expected the end of the audit period, found nothing');
  return { beginning, ending };
}
