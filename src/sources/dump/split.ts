// A JSON document too large for one string, split at byte level into the values we read one by one
// (issue 14): the elements of a top-level array, or of each top-level member of an object, each
// handed to JSON.parse (parseExact: big integers stay exact). A small scanner tracks strings,
// escapes and depth over the file's chunks; only the bytes of the value being read are kept, and a
// value cut by a chunk's end is joined once, when it is complete. Structure errors inside a value are
// JSON.parse's to find; the scanner only has to find where values begin and end.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** One value found, as JSON text, and where it sits. */
export type SplitValue =
  /** An element of the top-level array, or of a top-level member's list. */
  | { readonly kind: 'element'; readonly member?: string; readonly index: number; readonly text: string }
  /** A member of a top-level member's map, as a one-member object `{"key": value}`. */
  | { readonly kind: 'pair'; readonly member: string; readonly text: string }
  /** A top-level member that is a scalar. */
  | { readonly kind: 'scalar'; readonly member: string; readonly text: string }
  /** A top-level member that is a list or map begins (its entries follow). */
  | { readonly kind: 'member'; readonly member: string; readonly isList: boolean };

/** Why a document does not split: the caller names the file. */
export class SplitError extends Error {}

/**
 * Values as they complete, chunk by chunk. An array document gives its elements; an object
 * document gives, for each member that is a list or map, its elements or members, and for each
 * scalar member, the scalar (the caller keeps the ones it wants).
 */
export class DocumentSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private top: 'array' | 'object' | undefined;
  private ended = false;
  /** Bytes of the value being captured; `start` is where it begins in the current chunk (-1: none). */
  private pieces: Buffer[] = [];
  private start = -1;
  /** Object documents: the member being read, what is expected next at depth 1, its container kind. */
  private member: string | undefined;
  private expect: 'key' | 'colon' | 'value' | 'after' = 'key';
  private container: 'array' | 'object' | 'scalar' | undefined;
  private index = 0;
  private readonly out: SplitValue[] = [];

  /** Feeds one chunk; returns the values completed in it. */
  write(chunk: Buffer): SplitValue[] {
    const length = chunk.length;
    // The next backslash at or after a position, found once per stretch of the chunk (most strings
    // hold none: searching from every string to the chunk's end would be quadratic).
    let backslash = -1;
    for (let i = 0; i < length; i++) {
      const byte = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) {
          this.inString = false;
          // A key ends here (object documents, depth 1).
          if (this.top === 'object' && this.depth === 1 && this.expect === 'key') {
            this.member = JSON.parse(this.take(chunk, i + 1)) as string;
            this.expect = 'colon';
          }
        } else {
          // Jump to the next quote or backslash: most of a document is string content.
          if (backslash !== length && backslash < i) {
            backslash = chunk.indexOf(BACKSLASH, i);
            if (backslash < 0) backslash = length;
          }
          const quote = chunk.indexOf(QUOTE, i);
          i = Math.min(quote < 0 ? length : quote, backslash) - 1;
        }
        continue;
      }
      if (isSpace(byte)) continue;
      if (this.ended) throw new SplitError('unexpected data after the end of the document');
      if (this.top === undefined) {
        if (byte === 0xef || byte === 0xbb || byte === 0xbf) continue; // UTF-8 byte-order mark
        if (byte === OPEN_ARRAY) this.top = 'array';
        else if (byte === OPEN_OBJECT) this.top = 'object';
        else throw new SplitError('it does not start with { or [');
        this.depth = 1;
        continue;
      }
      if (this.top === 'array') this.arrayByte(chunk, i, byte);
      else this.objectByte(chunk, i, byte);
    }
    if (this.start >= 0) {
      this.pieces.push(chunk.subarray(this.start));
      this.start = 0;
    }
    return this.out.splice(0);
  }

  /** The input is over: anything but a closed document is an error. */
  end(): void {
    if (this.top === undefined) throw new SplitError('it is empty');
    if (!this.ended) throw new SplitError('it ends too early (is the file truncated?)');
  }

  /** Array documents: elements end at a comma or the closing bracket, at depth 1. */
  private arrayByte(chunk: Buffer, i: number, byte: number): void {
    if (this.depth === 1) {
      if (byte === COMMA || byte === CLOSE_ARRAY) {
        if (this.capturing) this.out.push({ kind: 'element', index: this.index++, text: this.take(chunk, i) });
        else if (byte === COMMA || this.index > 0) throw new SplitError(`a value is missing at element ${this.index}`);
        if (byte === CLOSE_ARRAY) this.close();
        return;
      }
      if (!this.capturing) this.begin(i);
    }
    this.nest(byte);
  }

  /** Object documents: `"key": value` at depth 1; a list's or map's entries at depth 2. */
  private objectByte(chunk: Buffer, i: number, byte: number): void {
    if (this.depth === 1) {
      switch (this.expect) {
        case 'key':
          if (byte === CLOSE_OBJECT && this.member === undefined) return this.close();
          if (byte !== QUOTE) throw new SplitError(`a member name is expected, found ${String.fromCharCode(byte)}`);
          this.begin(i);
          this.inString = true;
          return;
        case 'colon':
          if (byte !== COLON) throw new SplitError(`a colon is expected after "${this.member}"`);
          this.expect = 'value';
          return;
        case 'value':
          this.expect = 'after';
          this.index = 0;
          if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
            this.container = byte === OPEN_ARRAY ? 'array' : 'object';
            this.depth = 2;
            this.out.push({ kind: 'member', member: this.member!, isList: byte === OPEN_ARRAY });
          } else {
            this.container = 'scalar';
            this.begin(i);
            if (byte === QUOTE) this.inString = true;
          }
          return;
        case 'after':
          if (byte !== COMMA && byte !== CLOSE_OBJECT) {
            if (this.container === 'scalar') return; // the scalar's own bytes (digits, true, null)
            throw new SplitError(`a comma or } is expected after "${this.member}"`);
          }
          if (this.container === 'scalar') this.out.push({ kind: 'scalar', member: this.member!, text: this.take(chunk, i) });
          this.member = undefined;
          this.expect = 'key';
          if (byte === CLOSE_OBJECT) this.close();
          return;
      }
    }
    if (this.depth === 2) {
      const closing = this.container === 'array' ? CLOSE_ARRAY : CLOSE_OBJECT;
      if (byte === COMMA || byte === closing) {
        if (this.capturing) this.entry(this.take(chunk, i));
        else if (byte === COMMA || this.index > 0) throw new SplitError(`a value is missing in "${this.member}" at ${this.index}`);
        if (byte === closing) this.depth = 1;
        return;
      }
      if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) throw new SplitError(`"${this.member}" closes with the wrong bracket`);
      if (!this.capturing) this.begin(i);
    }
    this.nest(byte);
  }

  /** An entry of a member's list (its element) or map (`"key": value`, read as a one-member object). */
  private entry(text: string): void {
    if (this.container === 'array') this.out.push({ kind: 'element', member: this.member, index: this.index++, text });
    else {
      this.index++;
      this.out.push({ kind: 'pair', member: this.member!, text: `{${text}}` });
    }
  }

  private nest(byte: number): void {
    if (byte === QUOTE) this.inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) this.depth++;
    else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) this.depth--;
  }

  private close(): void {
    this.depth = 0;
    this.ended = true;
  }

  private get capturing(): boolean {
    return this.start >= 0 || this.pieces.length > 0;
  }

  private begin(at: number): void {
    this.start = at;
  }

  /** The captured value up to `end` (exclusive) in this chunk, as text; capture stops. */
  private take(chunk: Buffer, end: number): string {
    const tail = chunk.subarray(this.start < 0 ? 0 : this.start, end);
    const text = this.pieces.length ? Buffer.concat([...this.pieces, tail]).toString('utf8') : tail.toString('utf8');
    this.pieces = [];
    this.start = -1;
    return text;
  }
}
