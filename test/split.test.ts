// The byte-level splitter of documents too large to parse whole (issue 14): it must find exactly the
// values JSON.parse finds, wherever the file's chunks happen to cut them, and refuse what is not JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExact } from '../src/sources/dump/exact.ts';
import { DocumentSplitter, SplitError, type SplitValue } from '../src/sources/dump/split.ts';

/** Splits `text` fed in chunks of `size` bytes. */
function splitIn(text: string, size: number): SplitValue[] {
  const bytes = Buffer.from(text, 'utf8');
  const splitter = new DocumentSplitter();
  const values: SplitValue[] = [];
  for (let at = 0; at < bytes.length; at += size) values.push(...splitter.write(bytes.subarray(at, at + size)));
  splitter.end();
  return values;
}

/** What the values say, rebuilt as the document JSON.parse would give. */
function rebuilt(values: SplitValue[]): unknown {
  const list: unknown[] = [];
  const doc: Record<string, unknown> = {};
  for (const v of values) {
    if (v.kind === 'member') doc[v.member] = v.isList ? [] : {};
    else if (v.kind === 'scalar') doc[v.member] = parseExact(v.text);
    else if (v.kind === 'pair') Object.assign(doc[v.member] as object, parseExact(v.text));
    else if (v.member === undefined) list.push(parseExact(v.text));
    else (doc[v.member] as unknown[]).push(parseExact(v.text));
  }
  return values.some((v) => v.kind !== 'element' || v.member !== undefined) ? doc : list;
}

const TRICKY = [
  '[]',
  '\ufeff[1, -2.5e3, true, false, null, "a,b]}", {"k": "v\\"]", "n": [1, [2, {"x": "}"}]]}, [], {}]',
  '[{"name": "caf\u00e9 \u{1F600} \\u00e9", "esc": "\\\\", "q": "\\"", "big": 9007199254740993, "neg": -9007199254740995}]',
  '{"source": "s", "taken_at": "2026-11-01T00:00:00Z", "complete": false, "resources": [{"id": "a", "tags": ["x", "y"]}, {"id": "b"}], "empty": [], "map": {"p1": {"bytes": 1}, "p2": null}, "n": 12.5}',
  ' { "servers" : [ { "id" : "1" } ] , "servers_links" : [ { "rel" : "next" , "href" : "h?marker=1" } ] } \n',
];

describe('splitting a document too large for one string (issue 14)', () => {
  it('finds exactly what JSON.parse finds, wherever the chunks cut it (every size from 1 byte)', () => {
    for (const text of TRICKY) {
      const expected = parseExact(text.replace(/^\ufeff/, ''));
      for (const size of [1, 2, 3, 5, 7, 16, 64, 4096]) assert.deepEqual(rebuilt(splitIn(text, size)), expected, `${text} in chunks of ${size}`);
    }
  });

  it('numbers the elements of each list and names each member', () => {
    const values = splitIn('{"a": [10, 20], "b": {"k": 1}, "c": "x"}', 3);
    assert.deepEqual(
      values.map((v) => [v.kind, v.kind === 'element' ? v.index : undefined, 'member' in v ? v.member : undefined]),
      [['member', undefined, 'a'], ['element', 0, 'a'], ['element', 1, 'a'], ['member', undefined, 'b'], ['pair', undefined, 'b'], ['scalar', undefined, 'c']],
    );
  });

  it('refuses what is not one JSON document: truncated, trailing data, a missing value, a wrong start', () => {
    const refused = (text: string) => assert.throws(() => splitIn(text, 4), SplitError, text);
    for (const text of ['[{"a": 1}, {"b"', '[1, 2] x', '[1,,2]', '[,1]', '[1,]', '"text"', '', '{"a" 1}', '{"a": [1}', '{1: 2}']) refused(text);
    assert.throws(() => splitIn('[1, 2', 1), /ends too early/);
  });
});

describe('integers beyond 2^53 (SPEC §5)', () => {
  it('are kept as their digits wherever a number may stand, and nowhere else', () => {
    const text = '{"first": 9007199254740993,\n  "spaced" :\t -12345678901234567890 , "list": [ 18446744073709551615,1],' +
      ' "hex": "aa1234567890123456789bb", "colon": "x:12345678901234567890", "safe": 1234567890123456, "double": 12345678901234567.5}';
    assert.deepEqual(parseExact(text), {
      first: '9007199254740993',
      spaced: '-12345678901234567890',
      list: ['18446744073709551615', 1],
      hex: 'aa1234567890123456789bb',
      colon: 'x:12345678901234567890',
      safe: 1234567890123456,
      double: 12345678901234567.5,
    });
    assert.equal(parseExact('12345678901234567890'), '12345678901234567890');
    // Runs of 16 digits inside strings alone (hex ids): the text is parsed once, as JSON.parse does.
    assert.deepEqual(parseExact('["0123456789012345678", "x,1234567890123456789"]'), ['0123456789012345678', 'x,1234567890123456789']);
  });
});
