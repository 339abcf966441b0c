// A file of captured notifications (SPEC §4.1.5) as operators have them: one message per line
// (JSONL), a JSON array, or oslo `log` driver lines whose JSON starts at the first `{`; gzip or xz
// as every dump. Read as batches of events, with each bad message quarantined by its line.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { InputError, oneLine } from '../../errors.ts';
import { readJson } from '../dump/json.ts';
import type { Delivery } from '../delivery.ts';
import { readBytes, readLines } from '../files/bytes.ts';
import type { Privacy } from '../../types/normalise.ts';
import type { ParsedMessage } from './event.ts';
import { EventFeed } from './feed.ts';
import { parseMessage } from './message.ts';
import { storedPayload } from './private.ts';
import { readSpread } from './spread.ts';

export interface NotificationFileOptions {
  /** The source the events describe: notifications name none (a publisher's host is not one). */
  readonly source: string;
  /** The source's `private_fields`: what of each payload is stored (private.ts). */
  readonly privacy: Privacy;
  /** Messages per batch (the default suits ingest). */
  readonly batchSize?: number;
  /** Line captures this large on disk or larger are parsed by two workers (spread.ts); default 8 MiB. */
  readonly spreadFrom?: number;
}

/** Below this a worker's start costs more than it saves. */
const SPREAD_FROM = 8 << 20;

export async function* readNotifications(file: string, options: NotificationFileOptions): AsyncGenerator<Delivery> {
  const feed = new EventFeed(file, options.source, storedPayload(options.privacy), options.batchSize);
  if ((await firstCharacter(file)) === '[') {
    // A JSON list, read as every JSON dump is (dump/json.ts): parsed whole, or split element by
    // element when too large for one string; a syntax error named by line and column.
    const input = await readJson(file, []);
    if (input.kind === 'array-stream') {
      for await (const { index, value } of input.elements) {
        feed.take(parseMessage(value), `[${index}]`);
        if (feed.hasReady) yield* feed.ready();
      }
    } else if (input.kind === 'values') {
      for await (const { value: list, line } of input.values) {
        if (!Array.isArray(list)) throw new InputError(file, line === undefined ? undefined : `line ${line}`, 'expected a JSON list of notifications');
        for (let index = 0; index < list.length; index++) {
          feed.take(parseMessage(list[index]), `${line === undefined ? '' : `line ${line} `}[${index}]`);
          list[index] = undefined;
          if (feed.hasReady) yield* feed.ready();
        }
      }
    }
  } else if (await spreads(file, options)) {
    yield* readSpread(file, options.privacy, feed);
  } else {
    let number = 0;
    for await (const line of readLines(file)) {
      takeLine(feed, line, ++number);
      if (feed.hasReady) yield* feed.ready();
    }
  }
  yield* feed.end();
}

/**
 * Whether a line capture is parsed by two workers: a large one, unless it is read as one batch
 * (`validate`: nothing would overlap) or the machine has one core.
 */
async function spreads(file: string, options: NotificationFileOptions): Promise<boolean> {
  if (!Number.isFinite(options.batchSize ?? 0) || availableParallelism() < 2) return false;
  const size = await stat(file).then((s) => s.size, () => 0); // gone since its head was read: the reader says so
  return size >= (options.spreadFrom ?? SPREAD_FROM);
}

/** One line of a capture into `feed`: JSONL, or an oslo `log` driver line whose JSON starts at the first `{`. */
export function takeLine(feed: { take(parsed: ParsedMessage, location: string): void }, line: string, number: number): void {
  const brace = line.indexOf('{');
  if (brace < 0) {
    if (line.trim() !== '') feed.take({ kind: 'reject', reason: 'no JSON message on this line' }, `line ${number}`);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(line.slice(brace));
  } catch (err) {
    feed.take({ kind: 'reject', reason: oneLine(`not valid JSON (${(err as Error).message})`) }, `line ${number}`);
    return;
  }
  feed.take(parseMessage(value), `line ${number}`);
}

async function firstCharacter(file: string): Promise<string | undefined> {
  for await (const chunk of readBytes(file, 64 << 10)) {
    const text = chunk.toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (text) return text[0];
  }
  return undefined;
}
