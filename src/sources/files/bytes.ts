// A file's bytes, decompressed when its content says it is gzip or xz (not its name). Its first
// chunk tells the compression; gzip is decompressed in-process, xz by the system's `xz` (unxz.ts).
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../errors.ts';
import { unxz } from './unxz.ts';

const GZIP = [0x1f, 0x8b];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

type Compression = 'gzip' | 'xz' | 'none';

function compressionOf(head: Buffer): Compression {
  const starts = (magic: number[]) => head.length >= magic.length && magic.every((b, i) => head[i] === b);
  return starts(GZIP) ? 'gzip' : starts(XZ) ? 'xz' : 'none';
}

/**
 * The decompressed content as a stream of chunks; read errors name the file. Large reads by
 * default (fewer round trips to the thread pool); small ones when only the head is wanted.
 */
export async function* readBytes(file: string, chunkBytes = 8 << 20): AsyncGenerator<Buffer> {
  const raw = createReadStream(file, { highWaterMark: chunkBytes });
  const chunks = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let compression: Compression = 'none';
  try {
    const first = await chunks.next().catch((err: Error) => {
      throw new InputError(file, undefined, `cannot read: ${err.message}`);
    });
    if (first.done) return;
    compression = compressionOf(first.value);
    if (compression === 'xz') {
      raw.destroy();
      yield* unxz(file);
      return;
    }
    if (compression === 'none') {
      yield first.value;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      return;
    }
    const compressed = Readable.from(
      (async function* () {
        yield first.value;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      })(),
      { objectMode: false },
    );
    const stream = compressed.pipe(createGunzip());
    compressed.on('error', (err) => stream.destroy(err));
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const what = compression === 'none' ? 'cannot read' : `not a valid ${compression} stream`;
    throw new InputError(file, undefined, `${what}: ${(err as Error).message}`);
  } finally {
    raw.destroy();
  }
}

const NEWLINE = 0x0a;

/**
 * The lines of a (possibly compressed) text file, without their line ends. A line cut by a chunk's
 * end is joined to the next chunk's first line only: the chunks themselves are never copied.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  let rest: Buffer[] = [];
  for await (const chunk of readBytes(file)) {
    let start = 0;
    let end = chunk.indexOf(NEWLINE);
    if (end >= 0 && rest.length) {
      yield Buffer.concat([...rest, chunk.subarray(0, end)]).toString('utf8');
      rest = [];
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    for (; end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      yield chunk.toString('utf8', start, end);
      start = end + 1;
    }
    if (start < chunk.length) rest.push(chunk.subarray(start));
  }
  if (rest.length) yield Buffer.concat(rest).toString('utf8');
}

/** At most the first `limit` decompressed bytes; `whole` when that is the entire file. */
export async function readHead(file: string, limit: number): Promise<{ head: Buffer; whole: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of readBytes(file, 64 << 10)) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) return { head: Buffer.concat(chunks).subarray(0, limit), whole: false };
  }
  return { head: Buffer.concat(chunks), whole: true };
}
