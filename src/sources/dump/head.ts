// The head of a document (its first megabyte), for sniffing: an object's scalars before its first
// nested member, or a list's first element. Read with the splitter of large documents (split.ts).
import { parseExact } from './exact.ts';
import { DocumentSplitter, type SplitValue } from './split.ts';

/** Slices fed one at a time: where the head stops making sense, what came before is still seen. */
const SLICE = 16 * 1024;

/** The head's values as they complete, until it ends mid-value or stops being JSON. */
function* headValues(head: Buffer): Generator<SplitValue> {
  const splitter = new DocumentSplitter();
  for (let at = 0; at < head.length; at += SLICE) {
    let values: SplitValue[];
    try {
      values = splitter.write(head.subarray(at, at + SLICE));
    } catch {
      return; // not JSON from here on: what was read before is all we learn
    }
    yield* values;
  }
}

function parsed(text: string): unknown {
  try {
    return parseExact(text);
  } catch {
    return undefined;
  }
}

/** Scalars of a top-level object before its first nested member (header keys come first in practice). */
export function objectHead(head: Buffer): { readonly scalars: Readonly<Record<string, unknown>>; readonly firstNested?: string } {
  const scalars: Record<string, unknown> = {};
  for (const value of headValues(head)) {
    if (value.kind === 'member') return { scalars, firstNested: value.member };
    if (value.kind === 'scalar') scalars[value.member] = parsed(value.text);
  }
  return { scalars };
}

/** The first element of a top-level list, when the head holds all of it. */
export function firstElement(head: Buffer): unknown {
  for (const value of headValues(head)) if (value.kind === 'element') return parsed(value.text);
  return undefined;
}
