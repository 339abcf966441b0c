// Resource keys with their record hashes, held compactly: what a diff compares (SPEC §6). A
// series of a million resources is diffed against a map of a million keys, so each hash is kept
// as its 20 bytes in one typed array, not as a string in a Map: about a third less memory, and no
// hash strings for the garbage collector to walk. Any store fills one with set(key, hash).

/** A record hash is SHA-1 (types/normalise.ts): 20 bytes, 28 characters of base64. */
const WIDTH = 20;

/** Each base64 character's six bits; -1 for any other character. */
const SIX = new Int8Array(128).fill(-1);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((c, i) => (SIX[c.charCodeAt(0)] = i));

function six(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? SIX[code]! : -1;
}

/**
 * Writes the 20 bytes of `text` at `at` when it is the canonical base64 of 20 bytes (the one text
 * that gives them back), and says whether it was. Done here, not by Buffer: a call into C++ per
 * record cost more than the decoding.
 */
function decode(text: string, out: Uint8Array, at: number): boolean {
  if (text.length !== 28 || text.charCodeAt(27) !== 0x3d) return false;
  for (let i = 0; i < 24; i += 4) {
    const a = six(text, i);
    const b = six(text, i + 1);
    const c = six(text, i + 2);
    const d = six(text, i + 3);
    if ((a | b | c | d) < 0) return false;
    out[at++] = (a << 2) | (b >> 4);
    out[at++] = ((b & 15) << 4) | (c >> 2);
    out[at++] = ((c & 3) << 6) | d;
  }
  const a = six(text, 24);
  const b = six(text, 25);
  const c = six(text, 26);
  // The last character carries two bits that must be zero, or another text would give these bytes.
  if ((a | b | c) < 0 || (c & 3) !== 0) return false;
  out[at++] = (a << 2) | (b >> 4);
  out[at] = ((b & 15) << 4) | (c >> 2);
  return true;
}

const scratch = new Uint8Array(WIDTH);

export class KeyHashes {
  private readonly slots = new Map<string, number>();
  private bytes = Buffer.alloc(WIDTH * 1024);
  private used = 0;
  /** Hashes that are not the base64 of 20 bytes, kept as written so they are stored back unchanged. */
  private odd: Map<string, string> | undefined;

  get size(): number {
    return this.slots.size;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** Where `key` is held: a small number, for data a caller keeps beside the hash in its own arrays. */
  slotOf(key: string): number | undefined {
    return this.slots.get(key);
  }

  /** Sets the hash of `key`: its base64 text (as stored), or its 20 bytes. Returns the key's slot. */
  set(key: string, hash: string | Uint8Array): number {
    const slot = this.slots.get(key);
    if (slot === undefined) return this.append(key, hash);
    this.write(slot, key, hash);
    return slot;
  }

  /** Sets the hash of a key not held yet (one map operation, not two); returns its slot. */
  append(key: string, hash: string | Uint8Array): number {
    const slot = this.used++;
    if (this.used * WIDTH > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    this.slots.set(key, slot);
    this.write(slot, key, hash);
    return slot;
  }

  /** Replaces the hash of a key held at `slot`. */
  write(slot: number, key: string, hash: string | Uint8Array): void {
    const at = slot * WIDTH;
    if (typeof hash !== 'string') {
      this.bytes.set(hash.subarray(0, WIDTH), at);
      this.odd?.delete(key);
      return;
    }
    // Only a text that round-trips through its 20 bytes may be kept as bytes.
    if (decode(hash, this.bytes, at)) {
      this.odd?.delete(key);
      return;
    }
    (this.odd ??= new Map()).set(key, hash);
  }

  delete(key: string): boolean {
    this.odd?.delete(key);
    return this.slots.delete(key);
  }

  /** The hash of `key` as stored (base64), or undefined. */
  hash(key: string): string | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.hashAt(slot, key);
  }

  /** The hash of the key held at `slot`. */
  hashAt(slot: number, key: string): string {
    return this.odd?.get(key) ?? this.bytes.toString('base64', slot * WIDTH, (slot + 1) * WIDTH);
  }

  /** Each key with its slot, in the order first set. */
  slotEntries(): IterableIterator<[string, number]> {
    return this.slots.entries();
  }

  /** The 20 bytes of `key`'s hash (a view, valid until the next set), or undefined. */
  bytesOf(key: string): Uint8Array | undefined {
    const slot = this.slots.get(key);
    return slot === undefined || this.odd?.has(key) ? undefined : this.bytes.subarray(slot * WIDTH, (slot + 1) * WIDTH);
  }

  /** How many slots were handed out (slots run from 0; a deleted key's slot is not reused). */
  get slotCount(): number {
    return this.used;
  }

  /** Whether the key held at `slot` has exactly this hash text. */
  holdsAt(slot: number, key: string, hash: string): boolean {
    if (this.odd?.has(key) || !decode(hash, scratch, 0)) return this.hashAt(slot, key) === hash;
    const bytes = this.bytes;
    for (let i = 0, j = slot * WIDTH; i < WIDTH; i++, j++) if (scratch[i] !== bytes[j]) return false;
    return true;
  }

  /**
   * How `key`'s hash in `other` compares with this one: 'absent' when this has no such key, 'same'
   * or 'different'. `other` must hold the key.
   */
  compare(key: string, other: KeyHashes): 'absent' | 'same' | 'different' {
    const slot = this.slots.get(key);
    if (slot === undefined) return 'absent';
    const theirs = other.slots.get(key)!;
    if (this.odd !== undefined || other.odd !== undefined) {
      const mine = this.odd?.get(key);
      const them = other.odd?.get(key);
      if (mine !== undefined || them !== undefined) return (mine ?? this.hash(key)) === (them ?? other.hash(key)) ? 'same' : 'different';
    }
    const a = this.bytes;
    const b = other.bytes;
    for (let i = slot * WIDTH, j = theirs * WIDTH, end = i + WIDTH; i < end; i++, j++) if (a[i] !== b[j]) return 'different';
    return 'same';
  }
}
