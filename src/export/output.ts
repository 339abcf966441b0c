// Where CSVs go: a directory, one zip, or stdout. Files appear whole or not at all: they are
// written under a `.partial` name and renamed when complete (a zip onto a device or a pipe, which
// cannot be renamed over, is written in place).
import { createWriteStream, realpathSync, statSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import yazl from 'yazl';
import { InputError } from '../errors.ts';
import { cannotWrite } from './write-errors.ts';

export interface Output {
  /** Writes one CSV file; `lines` are chunks of whole lines, each ending in `\n`. */
  file(name: string, lines: AsyncIterable<string>): Promise<void>;
  /** Finishes everything; returns what a person should be told was written. */
  close(): Promise<string[]>;
  /** Removes anything half-written. */
  abort(): Promise<void>;
}

/**
 * Streams chunks of lines with back-pressure, so memory does not grow with the row count. A stream
 * that dies meanwhile (its file failed, or the zip it feeds) ends the pump: leaving the loop closes
 * `lines`, and with them the database statement they read from, which would otherwise keep the
 * database busy and make closing it fail over the real cause (issue 13). The caller says why.
 */
async function pump(stream: Writable, lines: AsyncIterable<string>): Promise<void> {
  for await (const text of lines) {
    if (stream.destroyed) return;
    if (text && !stream.write(text)) await drainedOrClosed(stream);
  }
}

/** Waits for room in `stream`, or for its end (a failure, or a reader gone). */
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

/** Ends `stream` and waits until it is closed, whether it completed or failed. */
async function finished(stream: Writable): Promise<void> {
  if (!stream.destroyed) stream.end();
  await closed(stream);
}

/** Waits for 'close' only: a failure is read from `errored` afterwards, worded by the caller. */
async function closed(stream: Writable): Promise<void> {
  if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
}

/** A file stream whose failure is kept in `errored` (read by the caller), never an unhandled 'error'. */
function fileStream(path: string): WriteStream {
  // Room for a dozen chunks of lines: rows are made while the last ones are written (16 KiB, the
  // default, held less than one chunk, so each write was waited for before the next rows were made).
  const stream = createWriteStream(path, { highWaterMark: 1 << 20 });
  stream.on('error', () => {});
  return stream;
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
        const stream = fileStream(temp);
        await pump(stream, lines);
        await finished(stream);
        if (stream.errored) throw stream.errored;
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
  // A device or a pipe (`--zip /dev/stdout`) is written as it is: renaming a `.partial` over it
  // would replace the device with a file. A regular file, through a symlink too, is made whole.
  const target = zipTarget(path);
  const temp = target.direct ? path : `${target.file}.partial`;
  const out = fileStream(temp);
  let entry: PassThrough | undefined;
  // The file fails asynchronously (no folder, disk full): the entry being written ends with it,
  // so its pump stops reading rows instead of waiting for a drain that never comes.
  out.once('error', () => entry?.destroy());
  zip.outputStream.pipe(out);
  const failure = () => (out.errored ? cannotWrite(path, out.errored) : undefined);
  const names: string[] = [];
  return {
    async file(name, lines) {
      entry = new PassThrough();
      zip.addReadStream(entry, name, { mtime: new Date() });
      if (out.errored) entry.destroy();
      await pump(entry, lines);
      const failed = failure();
      if (failed) throw failed;
      entry.end();
      names.push(name);
    },
    async close() {
      zip.end();
      await closed(out);
      const failed = failure();
      if (failed) throw failed;
      if (!target.direct) {
        await rename(temp, target.file).catch((err) => {
          throw cannotWrite(path, err);
        });
      }
      return [`${path} (${names.join(', ') || 'no CSV: nothing had rows'})`];
    },
    async abort() {
      out.destroy();
      if (!target.direct) await rm(temp, { force: true });
    },
  };
}

/** Where a zip goes: a regular file is made whole beside its real path; anything else is written in place. */
function zipTarget(path: string): { file: string; direct: boolean } {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // Not there yet (or unreachable: creating its `.partial` will say why).
    return { file: path, direct: false };
  }
  if (isFile) {
    try {
      return { file: realpathSync(path), direct: false };
    } catch {
      // A file behind a link that does not resolve to a path: falls through to in place.
    }
  }
  // A device, a pipe (`--zip /dev/stdout` resolves to `pipe:[…]`), a socket: never replaced.
  return { file: path, direct: true };
}

export function stdoutOutput(): Output {
  const stdout = process.stdout;
  return {
    async file(_name, lines) {
      // A closed stdout (`| head -1`) destroys the stream (cli.ts ignores its EPIPE): the pump stops reading rows.
      await pump(stdout, lines);
    },
    async close() {
      return [];
    },
    async abort() {},
  };
}
