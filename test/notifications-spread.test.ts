// A large line capture is parsed by two workers (sources/notifications/spread.ts): the deliveries must
// be those of reading it on the main thread, batch for batch, and a broken file refused the same way.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../src/errors.ts';
import type { Delivery } from '../src/sources/delivery.ts';
import { type NotificationFileOptions, readNotifications } from '../src/sources/notifications/read.ts';
import { ROOT, tempDir } from './support/cli.ts';
import { cinder, LARGE, nova } from './support/notifications.ts';

/** Read on the main thread whatever the file's size. */
const OPTIONS: NotificationFileOptions = { source: 'cloud', privacy: { mode: 'drop' }, batchSize: 700, spreadFrom: Number.POSITIVE_INFINITY };
/** Read by the workers whatever the file's size. */
const spread = (options: NotificationFileOptions) => ({ ...options, spreadFrom: 0 });

async function deliveries(read: AsyncIterable<Delivery>): Promise<Delivery[]> {
  const all: Delivery[] = [];
  // The stream's start is each thread's own clock: not part of what was read.
  for await (const d of read) all.push('stream' in d ? ({ ...d, stream: { ...d.stream, startedAt: 0 } } as Delivery) : d);
  return all;
}

function capture(lines: string[], name = 'capture.jsonl'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function refusal(read: AsyncIterable<Delivery>): Promise<InputError & { before: Delivery[] }> {
  const before: Delivery[] = [];
  try {
    for await (const d of read) before.push('stream' in d ? ({ ...d, stream: { ...d.stream, startedAt: 0 } } as Delivery) : d);
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    return Object.assign(err, { before });
  }
  assert.fail('the capture was read without a refusal');
}

describe('a large capture parsed by two workers', () => {
  it('gives the batches, quarantined lines and skip counts of reading it here, in order', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 2400; i++) {
      const at = `2026-11-02T${String(9 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`;
      if (i === 5) lines.push('2026-11-02 09:00:00.123 INFO oslo.messaging.notify [-] no json here');
      else if (i === 1500) lines.push('{"oslo.version": "2.0", "oslo.message": "{not json"}');
      else if (i % 7 === 0) lines.push(cinder('resize.end', at, `vol-${i}`, { size: 20 }));
      else if (i % 11 === 0) lines.push(nova('update', at, `vm-${i}`));
      else lines.push(nova(i % 2 ? 'power_off.end' : 'resize_finish.end', at, `vm-${i % 300}`, { flavor: LARGE }));
    }
    const file = capture(lines);
    const here = await deliveries(readNotifications(file, OPTIONS));
    const there = await deliveries(readNotifications(file, spread(OPTIONS)));
    // 2 400 messages in batches of 700: four batches, then the stream's end.
    assert.deepEqual(there.map((d) => d.kind), ['events', 'events', 'events', 'events', 'stream-end']);
    const rejects = there.flatMap((d) => (d.kind === 'events' ? d.batch.rejects.map((r) => r.location) : []));
    assert.deepEqual(rejects, ['line 6', 'line 1501']);
    assert.deepEqual(there, here);
    // Compressed, as captures are archived: the worker decompresses it the same way.
    const gz = join(tempDir(), 'capture.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const zipped = await deliveries(readNotifications(gz, spread(OPTIONS)));
    assert.equal(zipped.filter((d) => d.kind === 'events').length, 4);
    assert.deepEqual(zipped, await deliveries(readNotifications(gz, OPTIONS)));
  });

  it('cuts the lines as reading them here does: CRLF, blank lines, a line longer than a block, no newline at the end', async () => {
    const file = join(tempDir(), 'odd.log');
    const lines = [
      nova('power_on.end', '2026-11-02T09:00:00Z', 'vm-1'),
      '',
      '   ',
      // A line of 1.5 MB.
      nova('power_off.end', '2026-11-02T10:00:00Z', 'vm-1', { display_name: 'x'.repeat(1_500_000) }),
      'no message here',
      ...Array.from({ length: 900 }, (_, i) => `2026-11-02 11:00:00.000 1 INFO oslo.messaging.notification.instance.update [-] ${nova('update', '2026-11-02T11:00:00Z', `vm-${i}`)}`),
      nova('power_on.end', '2026-11-02T12:00:00Z', 'vm-1'),
    ];
    writeFileSync(file, lines.join('\r\n'));
    const here = await deliveries(readNotifications(file, OPTIONS));
    const there = await deliveries(readNotifications(file, spread(OPTIONS)));
    const rejects = there.flatMap((d) => (d.kind === 'events' ? d.batch.rejects.map((r) => r.location) : []));
    assert.deepEqual(rejects, ['line 5']);
    const events = there.flatMap((d) => (d.kind === 'events' ? d.batch.events.map((e) => e.location) : []));
    assert.equal(events.length, 903);
    assert.equal(events.at(-1), 'line 906', 'the last line, without a newline, is read and numbered');
    assert.deepEqual(there, here);
    // Compressed, the long line arrives in many small pieces, joined again before it is handed out.
    const gz = `${file}.gz`;
    writeFileSync(gz, gzipSync(readFileSync(file)));
    assert.deepEqual(await deliveries(readNotifications(gz, spread(OPTIONS))), await deliveries(readNotifications(gz, OPTIONS)));
  });

  it('stores payloads under the private_fields of the source (hash with its key, keep) as reading it here does', async () => {
    const lines = Array.from({ length: 1500 }, (_, i) =>
      nova('power_on.end', '2026-11-02T09:00:00Z', `vm-${i}`, { display_name: `web-${i}`, key_name: 'ops' }),
    );
    const file = capture(lines);
    for (const privacy of [{ mode: 'hash', hashKey: 'a-key-of-this-database' }, { mode: 'keep' }] as const) {
      const options = { ...OPTIONS, privacy };
      const there = await deliveries(readNotifications(file, spread(options)));
      const first = there.find((d) => d.kind === 'events');
      assert.ok(first?.kind === 'events');
      const payload = first.batch.events[0]!.payload!;
      if (privacy.mode === 'hash') assert.match(payload, /"display_name":"[0-9a-f]{32}"/);
      else assert.match(payload, /"display_name":"web-0"/);
      assert.deepEqual(there, await deliveries(readNotifications(file, options)));
    }
  });

  it('stores the batches before the place a cut gzip breaks, and refuses it there, as reading it here does', async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => nova('power_on.end', '2026-11-02T09:00:00Z', `vm-${i}`));
    const gz = join(tempDir(), 'cut.jsonl.gz');
    const whole = gzipSync(lines.join('\n'));
    writeFileSync(gz, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const here = await refusal(readNotifications(gz, OPTIONS));
    const there = await refusal(readNotifications(gz, spread(OPTIONS)));
    assert.match(there.message, /not a valid gzip stream/);
    assert.equal(there.message, here.message);
    assert.ok(here.before.length >= 2, `batches before the break: ${here.before.length}`);
    assert.deepEqual(there.before, here.before);
  });

  it('refuses a file in which no message reads, naming it, as reading it here does', async () => {
    const file = capture(['not a message', '{"no": "event type"}']);
    const here = await refusal(readNotifications(file, OPTIONS));
    const there = await refusal(readNotifications(file, spread(OPTIONS)));
    assert.match(there.message, /no notification in it could be read/);
    assert.equal(there.message, here.message);
    assert.equal(there.file, file);
  });

  it('stops the worker when the reader is left part-way: the process ends', { timeout: 60_000 }, async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => nova('power_on.end', '2026-11-02T09:00:00Z', `vm-${i}`));
    const file = capture(lines);
    // In a process of its own: a worker left running would keep it alive, and the test would see that.
    const script = `
      import { readNotifications } from ${JSON.stringify(join(ROOT, 'src/sources/notifications/read.ts'))};
      for await (const d of readNotifications(${JSON.stringify(file)}, ${JSON.stringify({ ...OPTIONS, spreadFrom: 0 })})) {
        process.stdout.write(String(d.kind === 'events' ? d.batch.events.length : d.kind));
        break;
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const ended = once(child, 'close');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = (await ended) as [number | null, string | null];
    clearTimeout(timer);
    assert.equal(signal, null, 'the process did not end by itself within 30 s: the worker was left running');
    assert.equal(code, 0);
    assert.equal(stdout, '700', 'the first batch, of 700 messages');
  });
});
