// A dump file's bytes, decompressed when its content says it is gzip or xz (not its name).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../errors.ts';

const GZIP = [0x1f, 0x8b];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

export type Compression = 'gzip' | 'xz' | 'none';

async function sniff(file: string): Promise<Compression> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(6);
    const { bytesRead } = await handle.read(head, 0, 6, 0);
    const starts = (magic: number[]) => bytesRead >= magic.length && magic.every((b, i) => head[i] === b);
    return starts(GZIP) ? 'gzip' : starts(XZ) ? 'xz' : 'none';
  } finally {
    await handle.close();
  }
}

/**
 * The decompressed content as a stream of chunks; read errors name the file. Large reads by
 * default (fewer round trips to the thread pool); small ones when only the head is wanted.
 */
export async function* readBytes(file: string, chunkBytes = 8 << 20): AsyncGenerator<Buffer> {
  let compression: Compression;
  try {
    compression = await sniff(file);
  } catch (err) {
    throw new InputError(file, undefined, `cannot read: ${(err as Error).message}`);
  }
  const raw = createReadStream(file, { highWaterMark: chunkBytes });
  const stream: Readable = compression === 'gzip' ? raw.pipe(createGunzip()) : compression === 'xz' ? raw.pipe(await unxz(file)) : raw;
  if (stream !== raw) raw.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const what = compression === 'none' ? 'cannot read' : `not a valid ${compression} stream`;
    throw new InputError(file, undefined, `${what}: ${(err as Error).message}`);
  } finally {
    raw.destroy();
  }
}

/** node-liblzma ships prebuilt binaries for common platforms; elsewhere it may be missing. */
async function unxz(file: string): Promise<Transform> {
  try {
    const lzma = await import('node-liblzma');
    return lzma.createUnxz() as unknown as Transform;
  } catch (err) {
    throw new InputError(
      file,
      undefined,
      `is xz-compressed, but xz support (node-liblzma) could not be loaded here: ${(err as Error).message}; ` +
        'decompress it with `xz -d` first',
    );
  }
}
