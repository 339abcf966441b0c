// Where CSVs go: a directory, one zip, or stdout. Files appear whole or not at all: they are
// written under a `.partial` name and renamed when complete.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { once } from 'node:events';
import yazl from 'yazl';

export interface Output {
  /** Writes one CSV file; `lines` already end in `\n`. */
  file(name: string, lines: Iterable<string>): Promise<void>;
  /** Finishes everything; returns what a person should be told was written. */
  close(): Promise<string[]>;
  /** Removes anything half-written. */
  abort(): Promise<void>;
}

const BATCH = 64 * 1024;

/** Streams lines with back-pressure, in batches, so memory does not grow with the row count. */
async function pump(stream: Writable, lines: Iterable<string>): Promise<void> {
  let batch = '';
  for (const line of lines) {
    batch += line;
    if (batch.length >= BATCH) {
      if (!stream.write(batch)) await drained(stream);
      batch = '';
    }
  }
  if (batch && !stream.write(batch)) await drained(stream);
}

async function drained(stream: Writable): Promise<void> {
  // An 'error' while waiting rejects (once() does that), so a broken disk does not hang the export.
  await once(stream, 'drain');
}

async function finished(stream: Writable): Promise<void> {
  stream.end();
  await once(stream, 'close');
}

export function directoryOutput(dir: string): Output {
  const written: string[] = [];
  const partial = new Set<string>();
  return {
    async file(name, lines) {
      await mkdir(dir, { recursive: true });
      const path = join(dir, name);
      const temp = `${path}.partial`;
      partial.add(temp);
      const stream = createWriteStream(temp);
      await pump(stream, lines);
      await finished(stream);
      await rename(temp, path);
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
  zip.outputStream.pipe(out);
  const names: string[] = [];
  return {
    async file(name, lines) {
      const entry = new PassThrough();
      zip.addReadStream(entry, name, { mtime: new Date() });
      await pump(entry, lines);
      entry.end();
      names.push(name);
    },
    async close() {
      zip.end();
      await once(out, 'close');
      await rename(temp, path);
      return [`${path} (${names.join(', ')})`];
    },
    async abort() {
      out.destroy();
      await rm(temp, { force: true });
    },
  };
}

export function stdoutOutput(): Output {
  return {
    async file(_name, lines) {
      await pump(process.stdout, lines);
    },
    async close() {
      return [];
    },
    async abort() {},
  };
}
