// What a dump file is, decided once from its head (its first megabyte, decompressed) by content,
// never by name (SPEC §4.1): scheduler text, JSON lines, a multi-line object or list, or unknown.
import { isPbsLine } from '../pbs/line.ts';
import { isSacctLine } from '../slurm/parsable.ts';
import { readHead } from '../files/bytes.ts';
import { isNotification } from '../notifications/message.ts';
import { firstElement, objectHead } from './head.ts';
import { firstByte, firstJsonLine } from './json.ts';

export type Sniffed =
  /** A PBS/Torque accounting log or `sacct --parsable2` output: text, read line by line. */
  | { readonly kind: 'pbs' | 'sacct'; readonly firstLine: string }
  /** The first line is a whole JSON value: JSONL, or a one-line document. */
  | { readonly kind: 'json-line'; readonly value: unknown }
  /** The start of a multi-line object: its scalars up to the first nested member. */
  | { readonly kind: 'json-object'; readonly scalars: Readonly<Record<string, unknown>>; readonly firstNested?: string }
  | { readonly kind: 'json-array' }
  /** OpenStack notifications (SPEC §4.1.5): JSON lines, log lines with the JSON after a prefix, or a list. */
  | { readonly kind: 'notifications' }
  /** Nothing recognised from the head (or unreadable): the reader says what is wrong. */
  | { readonly kind: 'other' };

const HEAD_BYTES = 1 << 20;
const NOTIFICATIONS: Sniffed = { kind: 'notifications' };

/** An oslo `log` driver line: a prefix, then the message's JSON from the first `{`. */
function isLogLine(line: string): boolean {
  const brace = line.indexOf('{');
  if (brace <= 0) return false;
  try {
    return isNotification(JSON.parse(line.slice(brace)));
  } catch {
    return false;
  }
}

export async function sniff(file: string): Promise<Sniffed> {
  let head: Buffer;
  let whole: boolean;
  try {
    ({ head, whole } = await readHead(file, HEAD_BYTES));
  } catch {
    // An unreadable file is reported, with its reason, by the reader.
    return { kind: 'other' };
  }
  const line = firstTextLine(head, whole);
  if (line !== undefined) {
    if (isPbsLine(line)) return { kind: 'pbs', firstLine: line };
    if (isSacctLine(line)) return { kind: 'sacct', firstLine: line };
  }
  const first = firstJsonLine(head);
  if (first !== 'need-more' && first !== undefined) {
    return isNotification(first.value) || (Array.isArray(first.value) && isNotification(first.value[0])) ? NOTIFICATIONS : { kind: 'json-line', value: first.value };
  }
  if (line !== undefined && isLogLine(line)) return NOTIFICATIONS;
  const top = firstByte([head]);
  if (top === '[') return isNotification(firstElement(head)) ? NOTIFICATIONS : { kind: 'json-array' };
  if (top === '{') return { kind: 'json-object', ...objectHead(head) };
  return { kind: 'other' };
}

/** The first non-blank line of the head: up to its newline, or the end of a file read whole. */
function firstTextLine(head: Buffer, whole: boolean): string | undefined {
  let start = 0;
  for (;;) {
    const end = head.indexOf(0x0a, start);
    if (end < 0) {
      const rest = head.toString('utf8', start);
      return whole && rest.trim() !== '' ? rest : undefined;
    }
    const text = head.toString('utf8', start, end);
    if (text.trim() !== '') return text;
    start = end + 1;
  }
}
