// Texts appended once and read back by position, kept out of the JavaScript heap: a snapshot's
// record JSON (SPEC §11: memory follows the resources, not their size). The first MEMORY_BYTES
// stay in memory; past that everything goes to an anonymous temporary file (unlinked as soon as it
// is open, in TMPDIR), so a snapshot of a million records holds their keys and hashes, not their text.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from './errors.ts';

const CHUNK = 1 << 20;
const MEMORY_BYTES = 16 << 20;
const WINDOW = 256 << 10;

/** Closes the file of a spill nobody released (a snapshot dropped on an error path). */
const orphans = new FinalizationRegistry<{ fd: number }>((file) => {
  if (file.fd >= 0) closeSync(file.fd);
});

export class TextSpill {
  /** Bytes appended so far: the position of the next text. */
  private end = 0;
  /** Full chunks still in memory, from position 0 (none once the file is open). */
  private readonly chunks: Buffer[] = [];
  private tail = Buffer.allocUnsafe(CHUNK);
  private tailUsed = 0;
  /** The temporary file and how many bytes of it are written; the tail follows them. */
  private readonly file = { fd: -1 };
  private written = 0;
  private window = Buffer.alloc(0);
  /** Views of the window were handed out (readBytes): it must not be read into again. */
  private windowLent = false;
  private windowAt = 0;

  constructor() {
    orphans.register(this, this.file, this);
  }

  /** Appends `text` (UTF-8); returns where it starts. Its length is Buffer.byteLength(text). */
  append(text: string, bytes: number): number {
    if (bytes > CHUNK - this.tailUsed) return this.appendBytes(Buffer.from(text, 'utf8'));
    const at = this.end;
    this.tail.write(text, this.tailUsed, bytes, 'utf8');
    this.tailUsed += bytes;
    this.end += bytes;
    if (this.tailUsed === CHUNK) this.flushTail();
    return at;
  }

  /** Appends text already in UTF-8; returns where it starts. */
  appendBytes(text: Uint8Array): number {
    const at = this.end;
    for (let from = 0; from < text.length; ) {
      if (this.tailUsed === CHUNK) this.flushTail();
      const n = Math.min(CHUNK - this.tailUsed, text.length - from);
      this.tail.set(text.subarray(from, from + n), this.tailUsed);
      this.tailUsed += n;
      from += n;
    }
    this.end += text.length;
    if (this.tailUsed === CHUNK) this.flushTail();
    return at;
  }

  /** The text of `bytes` bytes at `at`. */
  read(at: number, bytes: number): string {
    return this.view(at, bytes, false).toString('utf8');
  }

  /**
   * The UTF-8 of `bytes` bytes at `at`, valid however much is read after it (a store binds a batch
   * of records at once): a view of a chunk or of a window that is then never read into again.
   */
  readBytes(at: number, bytes: number): Buffer {
    return this.view(at, bytes, true);
  }

  /** The bytes at `at`: a view valid until the next read, or for good when `lend`. */
  private view(at: number, bytes: number, lend: boolean): Buffer {
    const tailAt = this.end - this.tailUsed;
    if (at >= tailAt) {
      const view = this.tail.subarray(at - tailAt, at - tailAt + bytes);
      // The tail is written into again by the next texts appended.
      return lend ? Buffer.from(view) : view;
    }
    if (this.file.fd < 0) return this.fromChunks(at, bytes);
    if (at + bytes > this.written) this.flushTail();
    if (bytes > WINDOW) return this.readFully(Buffer.allocUnsafe(bytes), at);
    if (at < this.windowAt || at + bytes > this.windowAt + this.window.length) this.fill(at);
    this.windowLent ||= lend;
    return this.window.subarray(at - this.windowAt, at - this.windowAt + bytes);
  }

  /** Reads the window from the file, starting at `at`. */
  private fill(at: number): void {
    // A window readBytes lent views of is never refilled: the next is a new buffer.
    if (this.windowLent || this.window.length !== WINDOW) this.window = Buffer.allocUnsafe(WINDOW);
    this.windowLent = false;
    const n = Math.min(WINDOW, this.written - at);
    this.readFully(this.window.subarray(0, n), at);
    this.windowAt = at;
    this.window = this.window.subarray(0, n);
  }

  /** Closes the temporary file, if any; the spill is empty afterwards. */
  release(): void {
    orphans.unregister(this);
    if (this.file.fd >= 0) closeSync(this.file.fd);
    this.file.fd = -1;
    this.chunks.length = 0;
    this.tail = Buffer.alloc(0);
    this.window = Buffer.alloc(0);
    this.end = this.tailUsed = this.written = 0;
  }

  /** Bytes held in memory: a view of their chunk (never written again once full), or a copy of the bytes straddling two. */
  private fromChunks(at: number, bytes: number): Buffer {
    const first = Math.floor(at / CHUNK);
    const from = at - first * CHUNK;
    if (from + bytes <= CHUNK) return this.chunks[first]!.subarray(from, from + bytes);
    // Straddles chunks (or runs into the tail): gathered into one buffer, rare.
    const out = Buffer.allocUnsafe(bytes);
    for (let done = 0, pos = at; done < bytes; ) {
      const k = Math.floor(pos / CHUNK);
      const source = k < this.chunks.length ? this.chunks[k]! : this.tail;
      const n = source.copy(out, done, pos - k * CHUNK, Math.min(CHUNK, pos - k * CHUNK + bytes - done));
      done += n;
      pos += n;
    }
    return out;
  }

  /** Moves the tail on: into memory while under the budget, else into the file. */
  private flushTail(): void {
    if (this.tailUsed === 0) return;
    if (this.file.fd < 0 && this.tailUsed === CHUNK && (this.chunks.length + 1) * CHUNK <= MEMORY_BYTES) {
      this.chunks.push(this.tail);
      this.tail = Buffer.allocUnsafe(CHUNK);
      this.tailUsed = 0;
      return;
    }
    if (this.file.fd < 0) {
      this.open();
      for (const chunk of this.chunks) this.writeFully(chunk);
      this.chunks.length = 0;
    }
    this.writeFully(this.tail.subarray(0, this.tailUsed));
    this.tailUsed = 0;
  }

  private open(): void {
    let dir: string;
    try {
      dir = mkdtempSync(join(tmpdir(), 'usage-etl-'));
    } catch (err) {
      // The snapshot being read fails, in one line naming the folder (TMPDIR chooses it).
      throw new InputError(tmpdir(), undefined, `cannot make the temporary file that holds a large snapshot's records (set TMPDIR to a writable folder): ${(err as Error).message}`);
    }
    const path = join(dir, 'records');
    try {
      this.file.fd = openSync(path, 'w+', 0o600);
      unlinkSync(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private writeFully(buffer: Buffer): void {
    for (let done = 0; done < buffer.length; ) done += writeSync(this.file.fd, buffer, done, buffer.length - done, this.written + done);
    this.written += buffer.length;
  }

  private readFully(buffer: Buffer, at: number): Buffer {
    for (let done = 0; done < buffer.length; ) {
      const n = readSync(this.file.fd, buffer, done, buffer.length - done, at + done);
      if (n === 0) throw new Error(`temporary record file ended early at ${at + done}`);
      done += n;
    }
    return buffer;
  }
}
