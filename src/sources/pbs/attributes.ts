// The `key=value ...` part of a PBS accounting line (SPEC §4.1.4), as the map of attributes the
// job mapping (./job.ts) reads.
import { RecordError, describe } from '../../errors.ts';

/** `key=value` pairs separated by spaces; keys case-insensitive; PBS Pro quotes values that hold spaces. */
export function attributes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  if (!text.includes('"') && !text.includes('\t')) {
    // The common case, nothing quoted: a plain split.
    for (const pair of text.split(' ')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new RecordError(undefined, `expected key=value, found ${describe(pair)}`);
      map.set(pair.slice(0, eq).toLowerCase(), pair.slice(eq + 1));
    }
    return map;
  }
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= n) break;
    const eq = text.indexOf('=', i);
    const space = nextSpace(text, i);
    if (eq < 0 || eq > space) throw new RecordError(undefined, `expected key=value, found ${describe(text.slice(i, space))}`);
    const key = text.slice(i, eq).toLowerCase();
    let value: string;
    if (text[eq + 1] === '"') {
      const close = text.indexOf('"', eq + 2);
      if (close < 0) throw new RecordError(key, 'a quoted value is not closed');
      value = text.slice(eq + 2, close);
      i = close + 1;
    } else {
      const end = nextSpace(text, eq + 1);
      value = text.slice(eq + 1, end);
      i = end;
    }
    map.set(key, value);
  }
  return map;
}

function nextSpace(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (text[i] === ' ' || text[i] === '\t') return i;
  return text.length;
}
