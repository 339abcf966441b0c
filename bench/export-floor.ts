// The floor of the inventory export (SPEC §8.1, §11), run by bench.ts as its own process: the same
// vm.csv rows rendered and written from memory, no SQL. The snapshot files are parsed and compared
// first (not timed: an export reads a history, not dumps); then, timed, each day's rows: every
// resource present at the end of the day in key order, with those removed that day, each record's
// cells rendered once per version (as the export does) and written with the day and its flags.
// The bench checks the file is byte for byte the export's, so the floor cannot write less.
// Usage: node --import tsx bench/export-floor.ts OUT FROM TO DUMP...   -> one JSON line on stdout.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { vm } from '../src/types/vm.ts';

const [out, from, to, ...dumps] = process.argv.slice(2);
if (!out || !from || !to || !dumps.length) {
  process.stderr.write('usage: node --import tsx bench/export-floor.ts OUT FROM TO DUMP...\n');
  process.exit(2);
}

const DAY_MS = 86_400_000;
const FIELDS = ['id', ...vm.fields.filter((f) => !f.private).map((f) => f.name)];
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Version {
  readonly record: Record<string, unknown>;
  body?: string;
}

interface Snapshot {
  readonly takenAt: number;
  readonly records: Map<string, Version>;
  /** Sorted keys of the resources present. */
  readonly keys: string[];
  /** Flags (added 1, modified 2, removed 4) of the resources it changed, and the removed ones' last versions. */
  readonly flags: Map<string, number>;
  readonly removed: Map<string, Version>;
}

// --- not timed: the snapshots in memory, and what each changed ---------------------------------
const snapshots: Snapshot[] = [];
for (const file of dumps) {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { taken_at: string; resources: Record<string, unknown>[] };
  const records = new Map<string, Version>(doc.resources.map((record) => [String(record.id), { record }]));
  const before = snapshots.at(-1);
  const flags = new Map<string, number>();
  const removed = new Map<string, Version>();
  if (before) {
    for (const [key, version] of records) {
      const old = before.records.get(key);
      if (!old) flags.set(key, 1);
      else if (FIELDS.some((f) => old.record[f] !== version.record[f])) flags.set(key, 2);
      else records.set(key, old); // unchanged: the same version, rendered once
    }
    for (const [key, version] of before.records) {
      if (!records.has(key)) {
        flags.set(key, 4);
        removed.set(key, version);
      }
    }
  }
  snapshots.push({ takenAt: Date.parse(doc.taken_at), records, keys: [], flags, removed });
}

// --- timed: render and write -------------------------------------------------------------------
const started = performance.now();
const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const body = (version: Version) => (version.body ??= FIELDS.map((f) => cell(version.record[f])).join(','));
const FLAGS = Array.from({ length: 8 }, (_, bits) => `${(bits & 1) !== 0},${(bits & 2) !== 0},${(bits & 4) !== 0}\n`);

const fd = openSync(out, 'w');
const write = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
};
write(`source,resource_type,stats_on_date,${FIELDS.join(',')},is_added,is_modified,is_removed\n`);
let rows = 0;
for (let day = Date.parse(`${from}T00:00:00Z`), last = Date.parse(`${to}T00:00:00Z`); day <= last; day += DAY_MS) {
  const end = day + DAY_MS;
  const index = snapshots.findLastIndex((s) => s.takenAt < end);
  if (index < 0) continue;
  const snapshot = snapshots[index]!;
  // Sorted once per snapshot; not pushed as spread arguments: a million keys overflow the call stack.
  if (!snapshot.keys.length) for (const key of [...snapshot.records.keys()].sort(byText)) snapshot.keys.push(key);
  const today = snapshot.takenAt >= day;
  const keys = today && snapshot.removed.size ? [...snapshot.keys, ...snapshot.removed.keys()].sort(byText) : snapshot.keys;
  const prefix = `bench,vm,${new Date(day).toISOString().slice(0, 10)},`;
  let lines: string[] = [];
  for (const key of keys) {
    const version = snapshot.records.get(key) ?? snapshot.removed.get(key)!;
    lines.push(`${prefix}${body(version)},${FLAGS[today ? (snapshot.flags.get(key) ?? 0) : 0]}`);
    if (lines.length === 256) {
      write(lines.join(''));
      lines = [];
    }
  }
  if (lines.length) write(lines.join(''));
  rows += keys.length;
}
closeSync(fd);

process.stdout.write(`${JSON.stringify({ rows, render_write_s: (performance.now() - started) / 1000 })}\n`);
