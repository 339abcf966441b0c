// The floor of SPEC §11's notifications scenario, run by bench.ts as its own process: the least any
// reader of an oslo capture must do. Reads FILE line by line (large reads, split at newlines) and
// JSON.parses each line and its inner `oslo.message` text; stores nothing.
// Usage: node --import tsx bench/events-floor.ts FILE   -> one JSON line on stdout.
import { createReadStream } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node --import tsx bench/events-floor.ts FILE\n');
  process.exit(2);
}

const started = performance.now();
let messages = 0;
/** Something read from every message, so no parse can be skipped. */
let types = 0;
let rest: Buffer | undefined;
const take = (line: string) => {
  if (line === '') return;
  const envelope = JSON.parse(line) as { 'oslo.message': string };
  const message = JSON.parse(envelope['oslo.message']) as { event_type?: unknown };
  if (typeof message.event_type === 'string') types++;
  messages++;
};
for await (const chunk of createReadStream(file, { highWaterMark: 8 << 20 }) as AsyncIterable<Buffer>) {
  const buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
  let start = 0;
  for (let end = buffer.indexOf(10, start); end >= 0; end = buffer.indexOf(10, start)) {
    take(buffer.toString('utf8', start, end));
    start = end + 1;
  }
  rest = start < buffer.length ? buffer.subarray(start) : undefined;
}
if (rest) take(rest.toString('utf8'));

process.stdout.write(`${JSON.stringify({ messages, with_event_type: types, read_parse_s: (performance.now() - started) / 1000 })}\n`);
