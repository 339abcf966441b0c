// A snapshot's records by key (SPEC §6), held compactly: each key with its hash (key-hashes.ts)
// and its JSON text out of the heap (text-spill.ts), read back only for the records written. A
// snapshot of a million resources then holds ~150 bytes each instead of its records' text.
import { KeyHashes } from './key-hashes.ts';
import { TextSpill } from './text-spill.ts';
import type { EncodedRecord, NormalRecord } from './types/normalise.ts';

export class SnapshotRecords implements ReadonlyMap<string, NormalRecord> {
  /** Each key's record hash: what the diff compares. */
  readonly hashes = new KeyHashes();
  private readonly text = new TextSpill();
  /** By slot of `hashes`: where each record's JSON starts in `text`, and its length in bytes. */
  private starts = new Float64Array(1024);
  private lengths = new Uint32Array(1024);

  get size(): number {
    return this.hashes.size;
  }

  has(key: string): boolean {
    return this.hashes.has(key);
  }

  /**
   * Adds a record, or replaces the one of its key (which keeps its place in the order); returns the
   * hash the key had before, if it had one.
   */
  set(record: NormalRecord | EncodedRecord): string | undefined {
    let slot = this.hashes.slotOf(record.key);
    let before: string | undefined;
    if (slot === undefined) slot = this.hashes.append(record.key, record.hash);
    else {
      before = this.hashes.hashAt(slot, record.key);
      this.hashes.write(slot, record.key, record.hash);
    }
    if (slot >= this.starts.length) {
      const starts = new Float64Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
      const lengths = new Uint32Array(this.lengths.length * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    if ('bytes' in record) {
      this.starts[slot] = this.text.appendBytes(record.bytes);
      this.lengths[slot] = record.bytes.length;
    } else {
      const bytes = Buffer.byteLength(record.json, 'utf8');
      this.starts[slot] = this.text.append(record.json, bytes);
      this.lengths[slot] = bytes;
    }
    return before;
  }

  /** The record's hash (base64), without reading its text. */
  hashOf(key: string): string | undefined {
    return this.hashes.hash(key);
  }

  get(key: string): NormalRecord | undefined {
    const slot = this.hashes.slotOf(key);
    return slot === undefined ? undefined : this.recordAt(slot, key);
  }

  keys(): IterableIterator<string> {
    return this.hashes.keys();
  }

  /** Every record in the order first set, read by slot: no lookup of its key (a million lookups cost ~0.5 s). */
  *values(): IterableIterator<NormalRecord> {
    for (const [key, slot] of this.hashes.slotEntries()) yield this.recordAt(slot, key);
  }

  *entries(): IterableIterator<[string, NormalRecord]> {
    for (const [key, slot] of this.hashes.slotEntries()) yield [key, this.recordAt(slot, key)];
  }

  /** As values(), each record's JSON as its UTF-8 bytes: what a store writes, never decoded into a string. */
  *encodedValues(): IterableIterator<{ key: string; json: Uint8Array; hash: string }> {
    for (const [key, slot] of this.hashes.slotEntries()) {
      yield { key, json: this.text.readBytes(this.starts[slot]!, this.lengths[slot]!), hash: this.hashes.hashAt(slot, key) };
    }
  }

  private recordAt(slot: number, key: string): NormalRecord {
    return { key, json: this.text.read(this.starts[slot]!, this.lengths[slot]!), hash: this.hashes.hashAt(slot, key) };
  }

  [Symbol.iterator](): IterableIterator<[string, NormalRecord]> {
    return this.entries();
  }

  forEach(fn: (value: NormalRecord, key: string, map: ReadonlyMap<string, NormalRecord>) => void, thisArg?: unknown): void {
    for (const [key, record] of this.entries()) fn.call(thisArg, record, key, this);
  }

  /** Gives back the temporary file of the texts; the records cannot be read afterwards. */
  release(): void {
    this.text.release();
  }
}
