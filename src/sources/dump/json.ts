// JSON and JSONL dumps, told apart by content. Small documents are parsed whole (fast); documents
// too large for one string (V8 caps strings near 512 MB) are split at byte level into their
// elements, each parsed whole (split.ts).
import { stat } from 'node:fs/promises';
import { InputError } from '../../errors.ts';
import { readBytes } from '../files/bytes.ts';
import { parseExact } from './exact.ts';
import { DocumentSplitter, SplitError, type SplitValue } from './split.ts';

/** Documents up to this many (decompressed) bytes are parsed with one JSON.parse. */
const WHOLE_LIMIT = 128 * 1024 * 1024;
/**
 * Reads of a document known to be streamed. readBytes' 8 MiB reads were held several at once (the
 * stream's read-ahead, the chunk being split, one an unfinished element still points into): 1 MiB
 * reads took ~65 MB off the peak of a 700 000-resource first load at the same speed (SPEC §11).
 */
const STREAMED_READ = 1 << 20;
const NEWLINE = 0x0a;

export interface JsonValueAt {
  readonly value: unknown;
  /** The 1-based line, for JSONL values; absent for a whole document. */
  readonly line?: number;
}

export type ObjectEvent =
  /** A top-level member among the header keys asked for. */
  | { readonly kind: 'scalar'; readonly key: string; readonly value: unknown }
  /** A top-level list or object member begins (so that an empty list is seen too). */
  | { readonly kind: 'member'; readonly member: string; readonly isList: boolean }
  /** One element (or member) of a top-level array (or object) member. */
  | { readonly kind: 'element'; readonly member: string; readonly index: number | string; readonly value: unknown }
  /** One element of a top-level list of a streamed document, as JSON text: parsed where it is read (by a worker, for records). */
  | { readonly kind: 'text'; readonly member: string; readonly index: number; readonly text: string };

export type JsonInput =
  | { readonly kind: 'values'; readonly values: AsyncIterable<JsonValueAt> }
  | { readonly kind: 'object-stream'; readonly events: AsyncIterable<ObjectEvent> }
  | { readonly kind: 'array-stream'; readonly elements: AsyncIterable<{ readonly index: number; readonly value: unknown }> };

/**
 * Opens a JSON or JSONL file. `headerKeys` are the top-level scalars a streamed object document
 * must report (the rest of a streamed document's members are delivered element by element);
 * documents larger than `wholeLimit` bytes are streamed.
 */
export async function readJson(file: string, headerKeys: readonly string[], wholeLimit = WHOLE_LIMIT): Promise<JsonInput> {
  // A file larger than the limit as it lies on disk is larger still decompressed: it is streamed as
  // soon as it is known not to be JSONL, not after the limit's worth of it is held (SPEC §11, memory).
  const large = await stat(file).then((s) => s.size > wholeLimit, () => false); // unreadable: readBytes says why
  const source = readBytes(file, large ? STREAMED_READ : undefined);
  const chunks: Buffer[] = [];
  let size = 0;
  let lineChecked = false;
  for (;;) {
    const next = await source.next();
    if (next.done) break;
    chunks.push(next.value);
    size += next.value.length;
    // Only a chunk with a newline can complete the first line: no re-joining of a long single line.
    if (!lineChecked && next.value.includes(NEWLINE)) {
      const head = Buffer.concat(chunks);
      const first = firstJsonLine(head);
      if (first !== 'need-more') {
        lineChecked = true;
        // A first line that is a whole JSON value means JSONL (or a one-line document, the same thing).
        if (first !== undefined) return { kind: 'values', values: jsonLines(file, head, first, source) };
        chunks.splice(0, chunks.length, head);
      }
    }
    if (size > wholeLimit || (large && lineChecked)) return streamDocument(file, chunks, source, headerKeys);
  }
  const buffer = Buffer.concat(chunks);
  chunks.length = 0;
  const text = stripBom(buffer.toString('utf8'));
  if (text.trim() === '') throw new InputError(file, undefined, 'is empty');
  let value: unknown;
  try {
    value = parseExact(text);
  } catch (err) {
    throw jsonError(file, text, err as Error);
  }
  return { kind: 'values', values: single(value) };
}

async function* single(value: unknown): AsyncGenerator<JsonValueAt> {
  yield { value };
}

interface FirstLine {
  readonly value: unknown;
  readonly line: number;
  /** Offset just past the line's newline. */
  readonly next: number;
}

/** The first non-blank line parsed, undefined if it is not a JSON value, 'need-more' without a newline yet. */
export function firstJsonLine(head: Buffer): FirstLine | undefined | 'need-more' {
  let start = 0;
  for (let line = 1; ; line++) {
    const end = head.indexOf(NEWLINE, start);
    if (end < 0) return 'need-more';
    const text = stripBom(head.toString('utf8', start, end)).trim();
    if (text !== '') {
      try {
        return { value: parseExact(text), line, next: end + 1 };
      } catch {
        return undefined;
      }
    }
    start = end + 1;
  }
}

/** JSONL values, the first one already parsed (a one-line document is parsed once, not twice). */
async function* jsonLines(file: string, head: Buffer, first: FirstLine, rest: AsyncIterator<Buffer>): AsyncGenerator<JsonValueAt> {
  yield { value: first.value, line: first.line };
  let line = first.line;
  const parse = (buffer: Buffer, start: number, end: number): JsonValueAt | undefined => {
    line++;
    const text = buffer.toString('utf8', start, end).trim();
    if (text === '') return undefined;
    try {
      return { value: parseExact(text), line };
    } catch (err) {
      throw new InputError(file, `line ${line}`, `not valid JSON (${(err as Error).message})`);
    }
  };
  let buffer: Buffer = head;
  let start = first.next;
  for (;;) {
    for (let end = buffer.indexOf(NEWLINE, start); end >= 0; end = buffer.indexOf(NEWLINE, start)) {
      const value = parse(buffer, start, end);
      if (value) yield value;
      start = end + 1;
    }
    const next = await rest.next();
    if (next.done) break;
    buffer = start < buffer.length ? Buffer.concat([buffer.subarray(start), next.value]) : next.value;
    start = 0;
  }
  const last = parse(buffer, start, buffer.length);
  if (last) yield last;
}

function streamDocument(file: string, read: Buffer[], rest: AsyncIterator<Buffer>, headerKeys: readonly string[]): JsonInput {
  const top = firstByte(read);
  if (top === '[') {
    return {
      kind: 'array-stream',
      elements: mapValues(split(file, read, rest), (v) => (v.kind === 'element' ? { index: v.index, value: parseValue(file, `[${v.index}]`, v.text) } : undefined)),
    };
  }
  if (top === '{') {
    const header = new Set(headerKeys);
    return {
      kind: 'object-stream',
      events: mapValues(split(file, read, rest), (v): ObjectEvent | undefined => {
        // A member's beginning is told as a whole document tells it: an empty list is a complete, empty snapshot either way.
        if (v.kind === 'member') return v;
        if (v.kind === 'scalar') return header.has(v.member) ? { kind: 'scalar', key: v.member, value: parseValue(file, v.member, v.text) } : undefined;
        if (v.kind === 'element') return { kind: 'text', member: v.member!, index: v.index, text: v.text };
        const [key, value] = Object.entries(parseValue(file, v.member, v.text) as Record<string, unknown>)[0]!;
        return { kind: 'element', member: v.member, index: key, value };
      }),
    };
  }
  throw new InputError(file, undefined, 'not valid JSON (it does not start with { or [)');
}

/** The document's values as the byte-level splitter finds them (split.ts), chunk by chunk. */
async function* split(file: string, read: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<SplitValue> {
  const splitter = new DocumentSplitter();
  try {
    // The chunks read before streaming began (up to WHOLE_LIMIT) are let go one by one as they are
    // split, not held to the end: they would sit beside the whole snapshot (SPEC §11).
    for (let chunk = read.shift(); chunk !== undefined; chunk = read.shift()) yield* splitter.write(chunk);
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield* splitter.write(next.value);
    splitter.end();
  } catch (err) {
    if (err instanceof SplitError) throw new InputError(file, undefined, `not valid JSON: ${err.message}`);
    throw err;
  }
}

async function* mapValues<T>(values: AsyncIterable<SplitValue>, map: (value: SplitValue) => T | undefined): AsyncGenerator<T> {
  for await (const value of values) {
    const mapped = map(value);
    if (mapped !== undefined) yield mapped;
  }
}

/** One value of a streamed document; `where` names it in the refusal of one that is not JSON. */
export function parseValue(file: string, where: string, text: string): unknown {
  try {
    return parseExact(text);
  } catch (err) {
    throw new InputError(file, where, `not valid JSON (${(err as Error).message})`);
  }
}

export function firstByte(chunks: Buffer[]): string | undefined {
  for (const chunk of chunks) {
    for (const byte of chunk) {
      if (byte === 0xef || byte === 0xbb || byte === 0xbf) continue; // UTF-8 BOM
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return String.fromCharCode(byte);
    }
  }
  return undefined;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Where JSON.parse stopped, when its message does not say (V8's "Unexpected token 'x', "…" is not
 * valid JSON"): the shortest prefix that fails the same way ends at the bad token, and every shorter
 * one only ends too early. Found by bisection, on the error path only.
 */
function unexpectedTokenAt(text: string): number | undefined {
  const fails = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (err) {
      return /^Unexpected token/.test((err as Error).message);
    }
  };
  if (!fails(text.length)) return undefined;
  let lo = 0;
  let hi = text.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fails(mid)) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

/** Turns JSON.parse's "at position N" into a line and column a person can go to. */
function jsonError(file: string, text: string, err: Error): InputError {
  const stated = /position (\d+)/.exec(err.message);
  const position = stated ? Number(stated[1]) : /^Unexpected token/.test(err.message) ? unexpectedTokenAt(text) : undefined;
  const end = text.trimEnd().length;
  const truncated = /end of JSON input|Unterminated/.test(err.message) || (position !== undefined && position >= end - 1);
  if (position === undefined && !truncated) return new InputError(file, undefined, `not valid JSON (${err.message})`);
  const at = truncated ? end : position!;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  const detail = truncated ? 'not valid JSON: it ends too early (is the file truncated?)' : `not valid JSON (${err.message})`;
  return new InputError(file, `line ${line}, column ${column}`, detail);
}
