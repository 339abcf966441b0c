// Where CSVs go: a directory, one zip, or stdout. Files appear whole or not at all: they are
// written under a `.partial` name and renamed when complete.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { once } from 'node:events';
import yazl from 'yazl';
import { InputError } from '../errors.ts';

export interface Output {
  /** Writes one CSV file; `lines` are chunks of whole lines, each ending in `\n`. */
  file(name: string, lines: AsyncIterable<string>): Promise<void>;
  /** Finishes everything; returns what a person should be told was written. */
  close(): Promise<string[]>;
  /** Removes anything half-written. */
  abort(): Promise<void>;
}

/** Streams chunks of lines with back-pressure, so memory does not grow with the row count. */
async function pump(stream: Writable, lines: AsyncIterable<string>): Promise<void> {
  for await (const text of lines) {
    if (text && !stream.write(text)) await drained(stream);
  }
}

async function drained(stream: Writable): Promise<void> {
  // An 'error' while waiting rejects (once() does that), so a broken disk does not hang the export.
  await once(stream, 'drain');
}

/** Like drained(), but a stream destroyed meanwhile (its reader gone) ends the wait too. */
async function drainedOrClosed(stream: Writable): Promise<void> {
  if (stream.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

async function finished(stream: Writable): Promise<void> {
  stream.end();
  await once(stream, 'close');
}

/** A write failure as one line naming the path, not an errno dump. */
function cannotWrite(path: string, err: unknown): Error {
  if (err instanceof InputError) return err;
  const { code, message } = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'its folder does not exist',
    ENOTDIR: 'a part of the path is not a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EISDIR: 'it is a folder',
  };
  return new InputError(path, undefined, `cannot write the export: ${(code && reasons[code]) ?? message}`);
}

/**
 * Creates `dir` and its missing parents. Not `mkdir(dir, { recursive: true })`: on Node 20 that
 * loops for ever where a parent exists but refuses new entries with ENOENT (under /proc, say).
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await stat(dir)).isDirectory()) throw new InputError(dir, undefined, 'cannot write the export: it is a file, not a folder');
      return;
    }
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
    await makeDirectory(dirname(dir));
    await mkdir(dir);
  }
}

export function directoryOutput(dir: string): Output {
  const written: string[] = [];
  const partial = new Set<string>();
  let made: Promise<void> | undefined;
  return {
    async file(name, lines) {
      made ??= makeDirectory(dir).catch((err) => {
        throw cannotWrite(dir, err);
      });
      await made;
      const path = join(dir, name);
      const temp = `${path}.partial`;
      partial.add(temp);
      try {
        const stream = createWriteStream(temp);
        await pump(stream, lines);
        await finished(stream);
        await rename(temp, path);
      } catch (err) {
        throw cannotWrite(path, err);
      }
      partial.delete(temp);
      written.push(path);
    },
    async close() {
      return written;
    },
    async abort() {
      await Promise.all([...partial].map((temp) => rm(temp, { force: true })));
    },
  };
}

export function zipOutput(path: string): Output {
  const zip = new yazl.ZipFile();
  const temp = `${path}.partial`;
  const out = createWriteStream(temp);
  // The file fails asynchronously (no folder, disk full): every step races against that failure,
  // so the export stops with a message instead of waiting for a drain that never comes.
  const failed = new Promise<never>((_, reject) => out.once('error', (err) => reject(cannotWrite(path, err))));
  failed.catch(() => {});
  const guarded = <T>(step: Promise<T>): Promise<T> => Promise.race([step, failed]);
  zip.outputStream.pipe(out);
  const names: string[] = [];
  return {
    async file(name, lines) {
      const entry = new PassThrough();
      zip.addReadStream(entry, name, { mtime: new Date() });
      await guarded(pump(entry, lines));
      entry.end();
      names.push(name);
    },
    async close() {
      zip.end();
      await guarded(once(out, 'close'));
      await rename(temp, path).catch((err) => {
        throw cannotWrite(path, err);
      });
      return [`${path} (${names.join(', ') || 'no CSV: nothing had rows'})`];
    },
    async abort() {
      out.destroy();
      await rm(temp, { force: true });
    },
  };
}

export function stdoutOutput(): Output {
  const stdout = process.stdout;
  return {
    async file(_name, lines) {
      // A closed stdout (`| head -1`) destroys the stream (cli.ts ignores its EPIPE): stop reading rows.
      for await (const text of lines) {
        if (stdout.destroyed) return;
        if (text && !stdout.write(text)) await drainedOrClosed(stdout);
      }
    },
    async close() {
      return [];
    },
    async abort() {},
  };
}
