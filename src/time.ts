// SPEC §7: everything is stored as UTC epoch milliseconds and shown as ISO-8601 UTC. Also the two
// readings HPC logs need: a server's local wall time (SPEC §4.1) and epoch seconds.
import { RecordError, describe } from './errors.ts';

export const DAY_MS = 86_400_000;
/** The latest instant a JavaScript Date holds (year 275760): later is a garbage value, not a time. */
export const MAX_DATE_MS = 8.64e15;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export interface ParseTimeOptions {
  /** The input format documents zone-less times as UTC (OpenStack APIs do). */
  naiveIsUtc?: boolean;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * True for a valid time already in our stored form, `YYYY-MM-DDTHH:MM:SSZ`: the common case,
 * checked without allocating (the ingest loop meets two such times per record).
 */
export function isCanonicalInstant(text: string): boolean {
  if (text.length !== 20) return false;
  for (const i of DIGIT_AT) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== 'Z') return false;
  return isDate(Number(text.slice(0, 4)), twoDigits(text, 5), twoDigits(text, 8)) && twoDigits(text, 11) < 24 && twoDigits(text, 14) < 60 && twoDigits(text, 17) < 60;
}

function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
}

/** Whether the day exists in the month (29 February in leap years only). */
function isDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  return !(month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)));
}

/** The number written by `length` decimal digits at `from`; -1 when one of them is not a digit. */
function digits(t: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The forms nearly every input sends — `2026-11-21T02:00:00Z`, `2026-11-21 02:00:00.123456` (Nova,
 * oslo), with or without a fraction, `Z`, `+00:00` or (when zone-less times are UTC) no zone — read
 * without a regular expression or a Date: the ingest loops meet several per record. Undefined for
 * any other form, which parseInstant's general reading then reads or refuses.
 */
function plainUtc(t: string, naiveIsUtc: boolean): number | undefined {
  const n = t.length;
  if (n < 19 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const middle = t.charCodeAt(10);
  if (middle !== 84 && middle !== 32) return undefined;
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  if (year < 1000 || !isDate(year, month, day) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let i = 19;
  let ms = 0;
  if (i < n && (t.charCodeAt(i) === 46 || t.charCodeAt(i) === 44)) {
    const from = ++i;
    for (; i < n; i++) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      // Milliseconds are kept, the rest of the fraction dropped.
      if (i - from < 3) ms = ms * 10 + d;
    }
    if (i === from) return undefined;
    for (let k = i - from; k < 3; k++) ms *= 10;
  }
  if (i < n && (t.charCodeAt(i) === 90 || t.charCodeAt(i) === 122)) i++;
  else if (n - i === 6 && t.endsWith('+00:00')) i = n;
  else if (i === n && !naiveIsUtc) return undefined;
  return i === n ? Date.UTC(year, month - 1, day, hour, minute, second, ms) : undefined;
}

/** Parses an ISO-8601 instant; returns epoch ms, or a reason it is not one. */
export function parseInstant(text: string, options: ParseTimeOptions = {}): number | string {
  const plain = plainUtc(text, options.naiveIsUtc === true);
  if (plain !== undefined) return plain;
  const m = ISO.exec(text.trim());
  if (!m) return 'not an ISO-8601 time';
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  if (!zone && !options.naiveIsUtc) return 'a time without a time zone';
  // Real offsets run from -12:00 to +14:00; +25:00 is a typo, not a place (issue 13).
  if (zone && Math.abs(zoneOffsetMs(zone)) > 14 * 3_600_000) return 'a zone offset outside ±14:00';
  if (zone && zone.length > 3 && Number(zone.replace(':', '').slice(3)) > 59) return 'a zone offset with more than 59 minutes';
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, ms);
  const back = new Date(utc);
  if (
    back.getUTCFullYear() !== +y! ||
    back.getUTCMonth() !== +mo! - 1 ||
    back.getUTCDate() !== +d! ||
    back.getUTCHours() !== +h! ||
    back.getUTCMinutes() !== +mi! ||
    +s > 59
  ) {
    return 'not a valid date and time';
  }
  return utc - zoneOffsetMs(zone ?? 'Z');
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  return sign * (hours * 60 + minutes) * 60_000;
}

/** `2026-11-21T02:00:00Z`, with milliseconds only when there are some. */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/**
 * An instant in an export: whole seconds always, `2026-11-21T02:00:00Z` (SPEC §8), so that a column
 * parses with one format (pandas rejects a mix of times with and without milliseconds). The
 * fraction is dropped, not rounded: a time stays in its second, and on its day.
 */
export function formatSecond(ms: number): string {
  return formatInstant(Math.floor(ms / 1000) * 1000);
}

/**
 * Always with milliseconds (`2026-11-21T02:00:00.000Z`): the lifecycles' start and end, which the
 * usage report bills exactly — one format for the whole column, and periods that add up to
 * `instance_hours` (README, Reports).
 */
export function formatMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** A stored time text (formatInstant's form) as an export prints it: without its fraction. */
export function wholeSeconds(text: string): string {
  return text.length > 20 && text[19] === '.' && text.endsWith('Z') ? `${text.slice(0, 19)}Z` : text;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a UTC calendar day `YYYY-MM-DD`; returns the epoch ms of its start, or undefined. */
export function parseDay(text: string): number | undefined {
  const m = DAY.exec(text);
  if (!m) return undefined;
  const start = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!);
  return formatDay(start) === text ? start : undefined;
}

/**
 * A day of an export range: `YYYY-MM-DD`, or `today` / `yesterday` by the UTC clock at `now`, so cron
 * can name the previous day without date arithmetic. Epoch ms of the day's start, or undefined.
 */
export function parseRangeDay(text: string, now = Date.now()): number | undefined {
  if (text === 'today') return startOfDay(now);
  if (text === 'yesterday') return addDays(startOfDay(now), -1);
  return parseDay(text);
}

const MONTH = /^(\d{4})-(\d{2})$/;

/** A UTC calendar month `YYYY-MM`: the epoch ms of its first and of its last day, or undefined. */
export function parseMonth(text: string): { first: number; last: number } | undefined {
  const m = MONTH.exec(text);
  if (!m || +m[2]! < 1 || +m[2]! > 12) return undefined;
  const first = Date.UTC(+m[1]!, +m[2]! - 1, 1);
  return { first, last: addDays(Date.UTC(+m[1]!, +m[2]!, 1), -1) };
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start (epoch ms) of the UTC day containing `ms`. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function addDays(dayStart: number, days: number): number {
  return dayStart + days * DAY_MS;
}

/** True for a time zone name this Node knows (IANA, e.g. Australia/Adelaide), for config checks. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

// --- local time of a server ---------------------------------------------------------------------

type Clock = (year: number, month: number, day: number, hour: number, minute: number, second: number) => number;

const clocks = new Map<string, Clock>();

/** Local wall-clock time in `zone` -> epoch ms (NaN for an impossible date). Throws for an unknown zone. */
export function zoneClock(zone = 'UTC'): Clock {
  let clock = clocks.get(zone);
  if (clock) return clock;
  if (!isTimeZone(zone)) throw new RangeError(`unknown time zone ${describe(zone)} (expected an IANA name such as Australia/Adelaide)`);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  /** Offset of `zone` from UTC at the instant `utc` (ms): local wall time minus UTC. */
  const offsetAt = (utc: number) => {
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(utc)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(utc / 1000) * 1000;
  };
  // A log's lines are in time order: one Intl call per minute of log, not per line.
  let lastMinute = Number.NaN;
  let lastOffset = 0;
  clock = (year, month, day, hour, minute, second) => {
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const back = new Date(wall);
    if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return Number.NaN;
    if (zone === 'UTC') return wall;
    const minuteOf = Math.floor(wall / 60_000);
    if (minuteOf !== lastMinute) {
      // Two steps find the offset in force at that local time, also next to a DST change: a time
      // in the repeated hour reads as its later occurrence; one in the skipped hour, as an hour on.
      lastOffset = offsetAt(wall - offsetAt(wall));
      lastMinute = minuteOf;
    }
    return wall - lastOffset;
  };
  clocks.set(zone, clock);
  return clock;
}

// --- epoch seconds ----------------------------------------------------------------------------

/** `YYYY-MM-DDT` by day number: a log's jobs share a few days, so each is formatted once. */
const dates = new Map<number, string>();

/** Epoch seconds as our stored time text (`2026-11-21T02:00:00Z`), without a Date per call. */
export function epochTime(seconds: number | undefined, field = 'time'): string | undefined {
  if (seconds === undefined) return undefined;
  // Beyond ±100 million days a Date cannot hold it: a garbage value, quarantined, not a crash.
  if (!Number.isFinite(seconds) || Math.abs(seconds) * 1000 > MAX_DATE_MS) throw new RecordError(field, `expected epoch seconds, found ${seconds}`);
  if (!Number.isInteger(seconds)) return formatInstant(seconds * 1000);
  const day = Math.floor(seconds / 86_400);
  let date = dates.get(day);
  if (date === undefined) {
    if (dates.size > 10_000) dates.clear();
    date = formatInstant(day * 86_400_000).slice(0, 11);
    dates.set(day, date);
  }
  const rest = seconds - day * 86_400;
  return `${date}${two(Math.floor(rest / 3600))}:${two(Math.floor(rest / 60) % 60)}:${two(rest % 60)}Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// --- durations ----------------------------------------------------------------------------------

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * SPEC §2's DURATION, wherever one is given (`--keep`, `--max-age`, `--max-future`, a config's
 * `lookback`): a whole number of seconds, minutes, hours, days or weeks (`3600s`, `90m`, `36h`,
 * `14d`, `2w`) in ms; undefined if not one, or zero.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * DURATION_UNITS[m[2]!]!;
  return ms > 0 ? ms : undefined;
}
