// Every reporting-unified reader fed values of the wrong type where its records sit (issue 13: a
// swift account of -1 was skipped unseen, the snapshot stayed complete, and the account was removed).
// Each bundled message is mutated at each place records or their lists sit; whatever the reader
// makes of it, nothing may vanish silently: a snapshot that lost records is incomplete (a quarantined
// record or a reason), or the loss is a counted skip, or the file fails loudly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../src/errors.ts';
import { MESSAGE_MEMBERS } from '../src/sources/dump/envelopes/nested.ts';
import type { WholeDumps } from '../src/sources/dump/whole.ts';
import { readDumps } from './support/read.ts';
import { FIXTURES, runCli, tempDir, workspace } from './support/cli.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Message = { schema: string; data: Record<string, Json> } & Record<string, Json>;

const WRONG: Json[] = [-1, 'abc', true, [], {}];

/** One bundled message of each schema (the first seen), as the producers send them. */
function bundledMessages(): Message[] {
  const texts = [
    execFileSync('xz', ['-dc', join(FIXTURES, 'envelopes/reporting-2026-11-10-a.json.xz')], { encoding: 'utf8' }),
    ...['envelopes/reporting-2026-11-10-b.jsonl', 'storage/crm.json', 'storage/filesystem-usage-hpc-fs1.jsonl', 'storage/hcp-chargeback.json',
      'storage/hnas-filesystems.json', 'storage/swift-usage.jsonl', 'storage/xfs-quota-hpc-nfs1.jsonl', 'hpc-envelopes/hpc-slurm-20261121.json',
      'hpc-envelopes/pbs-accounting-20261121.json',
    ].map((file) => readFileSync(join(FIXTURES, file), 'utf8')),
  ];
  // A PBS message of a job that has not ended holds no record: the first that has one stands for it.
  const holdsRecords = (m: Message) => m.schema !== 'pbs.accounting.log' || m.data.state === 'exited';
  const bySchema = new Map<string, Message>();
  for (const text of texts) {
    const trimmed = text.trim();
    const messages = (trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.startsWith('{') && !trimmed.includes('\n{') ? [JSON.parse(trimmed)] : trimmed.split('\n').map((l) => JSON.parse(l))) as Message[];
    for (const m of messages) if (!bySchema.has(m.schema) && holdsRecords(m)) bySchema.set(m.schema, m);
  }
  return [...bySchema.values()];
}

const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Where records or their lists sit: every member of data (one level into maps and lists too). */
function places(data: Record<string, Json>): { path: (string | number)[]; value: Json }[] {
  const found: { path: (string | number)[]; value: Json }[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (MESSAGE_MEMBERS.has(key) || value === null || typeof value !== 'object') continue;
    found.push({ path: [key], value });
    const inner = Array.isArray(value) ? value.slice(0, 1).map((v, i) => [i, v] as const) : Object.entries(value).slice(0, 2);
    for (const [k, v] of inner) {
      found.push({ path: [key, k], value: v });
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k2, v2] of Object.entries(v)) if (Array.isArray(v2) || (v2 !== null && typeof v2 === 'object')) found.push({ path: [key, k, k2], value: v2 });
      }
    }
  }
  return found;
}

function mutate(message: Message, path: (string | number)[], value: Json): Message {
  const copy = JSON.parse(JSON.stringify(message)) as Message;
  let at: Record<string | number, Json> = copy.data;
  for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, Json>;
  at[path.at(-1)!] = value;
  return copy;
}

async function readMessage(message: Message): Promise<WholeDumps | InputError> {
  const file = join(tempDir(), 'message.json');
  writeFileSync(file, JSON.stringify(message));
  try {
    return await readDumps([file], { privacy: { mode: 'keep' } });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

/** Per type: records stored and whether the snapshot claims to be complete. */
function summary(read: WholeDumps): Map<string, { records: number; complete: boolean; rejects: number; skipped: number }> {
  const byType = new Map<string, { records: number; complete: boolean; rejects: number; skipped: number }>();
  for (const s of read.snapshots) {
    const t = byType.get(s.type.name) ?? { records: 0, complete: true, rejects: 0, skipped: 0 };
    byType.set(s.type.name, { records: t.records + s.records.size, complete: t.complete && s.complete, rejects: t.rejects + s.rejects.length, skipped: t.skipped + s.skipped });
  }
  return byType;
}

describe('envelope readers fed wrong-typed values (issue 13)', () => {
  it('never lose records silently: a snapshot missing records is incomplete, or the loss is counted, or the file fails', async () => {
    const messages = bundledMessages();
    // Every reader of src/sources/dump/envelopes (nova, cinder and keystone by one of their two names).
    assert.deepEqual(messages.map((m) => m.schema).sort(), [
      'cinder', 'crm', 'filesystem.usage', 'hcp.chargeback', 'hnas.filesystems', 'hpc.slurm', 'keystone', 'nova.list', 'pbs.accounting.log',
      'swift', 'swift.usage', 'xfs.quota.report',
    ]);
    let mutants = 0;
    const problems: string[] = [];
    for (const message of messages) {
      const original = await readMessage(message);
      assert.ok(!(original instanceof InputError), `${message.schema}: ${String(original)}`);
      const before = summary(original);
      for (const { path, value } of places(message.data)) {
        // hnas.filesystems is a map, or a list in an older producer's form: [] is no file system, not a wrong type.
        const allowed = (w: Json) => !(message.schema === 'hnas.filesystems' && path.length === 1 && Array.isArray(w));
        for (const wrong of WRONG.filter((w) => typeOf(w) !== typeOf(value) && allowed(w))) {
          mutants++;
          const read = await readMessage(mutate(message, path, wrong));
          if (read instanceof InputError) continue; // loud: the file fails, nothing from it is written
          const after = summary(read);
          // What the mutant counted: skips of whole messages or lists, and quarantined records.
          const counted = [...read.skipped.values()].reduce((a, b) => a + b, 0) + [...after.values()].reduce((a, t) => a + t.rejects + t.skipped, 0);
          for (const [type, was] of before) {
            const now = after.get(type);
            const where = `${message.schema} data.${path.join('.')} = ${JSON.stringify(wrong)}: ${type}`;
            if (!now) {
              // No snapshot removes nothing; the loss must still be told.
              if (!counted) problems.push(`${where}: snapshot gone, nothing counted`);
            } else if (now.records + now.skipped < was.records + was.skipped) {
              // Fewer records: a state snapshot must not be complete (it would remove them); a ledger's loss must be counted.
              const ledger = read.snapshots.find((s) => s.type.name === type)!.type.mode === 'ledger';
              if (ledger ? !now.rejects : now.complete) problems.push(`${where}: ${was.records} records became ${now.records}, ${ledger ? 'none quarantined' : 'yet the snapshot is complete'}`);
            }
          }
        }
      }
    }
    assert.ok(mutants > 100, `only ${mutants} mutants`);
    assert.deepEqual(problems, []);
  });

  it('a swift account of -1 is quarantined; the account already stored is not removed', async () => {
    const { dir } = workspace();
    const write = (name: string, timestamp: number, accounts: Record<string, Json>) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify({ id: name, session: 's', schema: 'swift', version: 1, data: { timestamp, hostname: 'swift-prod', ...accounts } }));
      return file;
    };
    const usage = { bytes: 10, containers: 1, objects: 2, quota: null };
    const first = await runCli(['ingest', '--dump', write('a.json', 1795140000, { p1: usage, p2: usage })], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const second = await runCli(['ingest', '--dump', write('b.json', 1795226400, { p1: usage, p2: -1 })], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /swift_account .*: added 0, modified 0, removed 0, unchanged 1, rejected 1/);
    assert.match(second.stderr, /quarantined .*b\.json: \$: data\.p2: expected the account's usage or null, found -1/);
    const csv = await runCli(['export', '--from', '2026-11-21', '--to', '2026-11-21', '--type', 'swift_account', '--stdout'], { cwd: dir });
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /AUTH_p2/, 'p2 is still there on the day of the bad message');
  });
});
