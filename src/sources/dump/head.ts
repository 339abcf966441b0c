// The head of a multi-line object document: its scalars up to the first nested member, for sniffing.
import { TokenParser, Tokenizer } from '@streamparser/json';

/** Scalars of a top-level object before its first nested member (header keys come first in practice). */
export function objectHead(head: Buffer): { readonly scalars: Readonly<Record<string, unknown>>; readonly firstNested?: string } {
  const tokenizer = new Tokenizer();
  const scalars: Record<string, unknown> = {};
  let depth = 0;
  let key: string | undefined;
  let expectKey = false;
  let done = false;
  let firstNested: string | undefined;
  tokenizer.onToken = ({ token, value }) => {
    if (done) return;
    switch (token) {
      case 0: // {
      case 2: // [
        if (depth === 1 && key !== undefined) {
          firstNested = key;
          done = true;
        }
        depth++;
        expectKey = token === 0;
        break;
      case 1: // }
      case 3: // ]
        depth--;
        break;
      case 5: // ,
        expectKey = depth === 1;
        break;
      case 4: // :
        break;
      default:
        if (token === 9 && depth === 1 && expectKey) {
          key = value as string; // a member name
          expectKey = false;
        } else if (depth === 1 && key !== undefined) {
          scalars[key] = value;
        }
    }
  };
  tokenizer.onError = () => {
    done = true;
  };
  try {
    tokenizer.write(head);
  } catch {
    // The head ends mid-value, or the file is not JSON: what was read so far is all we learn.
  }
  return { scalars, firstNested };
}

/** The first element of a top-level list, when the head holds all of it. */
export function firstElement(head: Buffer): unknown {
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: ['$.0'], keepStack: false });
  let first: unknown;
  let found = false;
  tokenizer.onToken = (token) => {
    if (!found) parser.write(token);
  };
  parser.onValue = ({ value }) => {
    first = value;
    found = true;
  };
  tokenizer.onError = () => {};
  parser.onError = () => {};
  try {
    tokenizer.write(head);
  } catch {
    // The head ends inside a later element, or it is not JSON: what was read is all we learn.
  }
  return found ? first : undefined;
}
