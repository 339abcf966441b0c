// Issue 13 ("Must hold"): seeded, bounded mutants of every fixture format, each ingested on its own
// into a copy of one prepared database. Every mutant must end with exit 0 or 1, no stack trace and no
// "unexpected error", at most 3 lines per problem, and a file that failed must leave every table of
// the history as it was. Every mutant runs in this process (the ingest helper, tens of ms each); one
// in CLI_EVERY also through the real CLI, which is what cron sees.
//
// Reproduce one mutant: FUZZ_SEED=<seed> FUZZ_ONLY='<fixture>#<index>' node --import tsx --test test/fuzz.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError, LockError, RefusedError } from '../src/errors.ts';
import { FIXTURES, runCli, tempDir } from './support/cli.ts';
import { readOnly } from './support/db.ts';
import { ingestDumps } from './support/ingest.ts';
// The bench's seeded PRNG (mulberry32): the same mutants every run.
import { random } from '../bench/hpc.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const ONLY = process.env.FUZZ_ONLY;
/** Mutants per fixture file: ~50 files, so a few hundred in all. */
const PER_FILE = Number(process.env.FUZZ_PER_FILE ?? 8);
/** Every how many mutants one also goes through the real CLI. */
const CLI_EVERY = 12;

/**
 * Tables that log the run itself (SPEC §3 Run, §10 lock): a failed run writes them by design. Every
 * other table is history or its bookkeeping (rejects, source_files, events, meta) and must not change.
 */
const RUN_LOGS = new Set(['runs', 'run_sources', 'status_checks', 'ingest_lock']);

/** Notifications name no source (SPEC §4.1.5): they are folded into the baseline's cloud. */
const sourceOf = (rel: string) => (rel.startsWith('notifications/') ? 'nectar-sa' : undefined);

/** What the prepared database holds before each mutant: a cloud, a canonical series, a PBS ledger. */
const BASELINE = ['sequence/2026-11-01', 'canonical/tango-cloud-vm.json', 'pbs/emu/20261120'];

// ---------------------------------------------------------------------------------------------
// The generator


/** One seed per mutant, so each can be made again from its name alone. */
function mutantSeed(fixture: string, index: number): number {
  return createHash('sha256').update(`${SEED}\0${fixture}\0${index}`).digest().readUInt32LE(0);
}

type Format = 'json' | 'jsonl' | 'log' | 'pbs' | 'sacct' | 'bytes';

interface Fixture {
  /** Path under fixtures/, kept for the mutant: folder names may name the source. */
  readonly rel: string;
  readonly format: Format;
  readonly compression: 'gz' | 'xz' | undefined;
  /** The (decompressed) content. */
  readonly text: string;
  readonly raw: Buffer;
}

interface Mutant {
  readonly name: string;
  readonly format: Format;
  readonly mutation: string;
  /** The file to ingest, relative to the mutant's own directory. */
  readonly rel: string;
  readonly bytes: Buffer;
}

/** Replaced after serialising by text JSON.stringify cannot write (numbers out of range, deep nesting). */
const RAW = '@@raw@@';

/** Values real sites send where something else was expected (issue 13). */
const VALUES: readonly unknown[] = [
  1e308, -1e308, -1, 0, -0.5, 1.5, 2 ** 64, 9_999_999_999_999, 253_402_300_800, '', ' ', null, true, false, [], {}, [1, 'x', null], { a: 1 },
  'abc', '-1', '12abc', 'NaN', '18446744073709551616', '\u0000', '\u{1F4A5}', '=1+1', '9999-12-31T23:59:59Z', '2026-11-21T02:00:00',
  '2026-11-21T02:00:00+25:00', '2026-02-30T00:00:00Z', '2026-11-21', '0000-00-00T00:00:00Z', `${RAW}1e400`, `${RAW}-1e400`,
  `${RAW}123456789012345678901234567890`, `${RAW}-0`,
];
/** Text fields (PBS, sacct). */
const TEXTS: readonly string[] = [
  '', '-1', 'abc', '99999999999999999999', '1e308', 'NaN', '9999-12-31T23:59:59', '2026-11-21T02:00:00+25:00', '2026-02-30T00:00:00',
  'Unknown', 'None', '00:00:00', '-00:01:00', '1-00:00:00', '99:99:99', '4294967296', 'n[001-999999]', 'n[9-1]', '=', ';', '|', 'a=b=c', '0x10', '16Q',
];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)]!;
}

function formatOf(rel: string, text: string): Format {
  if (/^(pbs|real-shapes\/pbs)/.test(rel)) return 'pbs';
  if (/\.sacct/.test(rel)) return 'sacct';
  if (/\.log/.test(rel)) return 'log';
  if (/\.(jsonl|ndjson)/.test(rel)) return 'jsonl';
  try {
    JSON.parse(text);
    return 'json';
  } catch {
    return 'bytes';
  }
}

function fixtures(): Fixture[] {
  const all: Fixture[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.md')) {
        const raw = readFileSync(path);
        const compression = entry.name.endsWith('.gz') ? 'gz' : entry.name.endsWith('.xz') ? 'xz' : undefined;
        const plain = compression === 'gz' ? gunzipSync(raw) : compression === 'xz' ? execFileSync('xz', ['-dc', path]) : raw;
        const rel = relative(FIXTURES, path);
        all.push({ rel, compression, raw, text: plain.toString('utf8'), format: formatOf(rel, plain.toString('utf8')) });
      }
    }
  };
  walk(FIXTURES);
  return all;
}

const BYTE_MUTATIONS = ['truncate', 'delete-line', 'duplicate-line', 'swap-lines', 'flip-byte', 'crlf', 'bom', 'twice'] as const;
const JSON_MUTATIONS = ['value', 'value', 'value', 'delete-key', 'duplicate-key', 'deep-nest', 'long-string'] as const;

function mutationsOf(fixture: Fixture): readonly string[] {
  const own = fixture.format === 'bytes' ? [] : fixture.format === 'pbs' || fixture.format === 'sacct' ? ['field', 'field', 'field'] : JSON_MUTATIONS;
  return [...BYTE_MUTATIONS, ...own, ...(fixture.compression ? ['truncate-compressed'] : [])];
}

function mutant(fixture: Fixture, index: number): Mutant {
  const rnd = random(mutantSeed(fixture.rel, index));
  const mutation = pick(rnd, mutationsOf(fixture));
  const name = `${fixture.rel}#${index} ${mutation} (seed ${SEED})`;
  const format = fixture.format;
  const plainRel = fixture.compression ? fixture.rel.replace(/\.(gz|xz)$/, '') : fixture.rel;
  if (mutation === 'truncate-compressed') {
    return { name, format, mutation, rel: fixture.rel, bytes: fixture.raw.subarray(0, Math.floor(rnd() * fixture.raw.length)) };
  }
  let text = fixture.text;
  if (mutation === 'twice') {
    // Two of the others, one after the other (a flipped byte last: it leaves bytes, not text).
    const others = mutationsOf(fixture).filter((m) => m !== 'twice' && m !== 'truncate-compressed' && m !== 'flip-byte');
    for (let i = 0; i < 2; i++) text = mutateText(fixture.format, text, pick(rnd, others), rnd);
  } else text = mutateText(fixture.format, text, mutation, rnd);
  // flip-byte works on bytes (it may make invalid UTF-8, returned as latin1 text); the rest on text.
  const bytes = Buffer.from(text, mutation === 'flip-byte' ? 'latin1' : 'utf8');
  // A gzip file is mostly mutated inside its compression, as a producer would have written it.
  if (fixture.compression === 'gz' && rnd() < 0.5) return { name, format, mutation, rel: fixture.rel, bytes: gzipSync(bytes) };
  return { name, format, mutation, rel: plainRel, bytes };
}

function mutateText(format: Format, text: string, mutation: string, rnd: () => number): string {
  const lines = text.split('\n');
  const line = () => Math.floor(rnd() * Math.max(1, lines.length - (lines.at(-1) === '' ? 1 : 0)));
  switch (mutation) {
    case 'truncate':
      return text.slice(0, Math.floor(rnd() * text.length));
    case 'delete-line': {
      lines.splice(line(), 1);
      return lines.join('\n');
    }
    case 'duplicate-line': {
      const i = line();
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }
    case 'swap-lines': {
      const [i, j] = [line(), line()];
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    case 'flip-byte': {
      const bytes = Buffer.from(text, 'utf8');
      const at = Math.floor(rnd() * bytes.length);
      bytes[at] = pick(rnd, [0x00, 0x22, 0x2c, 0x3a, 0x3b, 0x3d, 0x5b, 0x5d, 0x7b, 0x7d, 0x7c, 0x0a, 0x39, 0x2d, 0xff, 0xc3, bytes[at]! ^ 0x20]);
      return bytes.toString('latin1');
    }
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'bom':
      return `\ufeff${text}`;
    case 'field':
      return mutateField(format, lines, line(), rnd);
    default:
      return mutateJsonText(format, text, lines, line, mutation, rnd);
  }
}

/** A PBS `key=value` (or a `;` field), or one `|` field of a sacct line. */
function mutateField(format: Format, lines: string[], i: number, rnd: () => number): string {
  const value = pick(rnd, TEXTS) + (rnd() < 0.05 ? 'x'.repeat(100_000) : '');
  if (format === 'sacct') {
    const fields = lines[i]!.split('|');
    fields[Math.floor(rnd() * fields.length)] = value;
    lines[i] = fields.join('|');
  } else {
    const parts = lines[i]!.split(';');
    if (parts.length < 4 || rnd() < 0.3) {
      parts[Math.floor(rnd() * Math.min(parts.length, 3))] = value;
    } else {
      const pairs = parts.slice(3).join(';').split(' ');
      const at = Math.floor(rnd() * pairs.length);
      const key = pairs[at]!.split('=')[0]!;
      if (rnd() < 0.2) pairs.splice(at, 1);
      else pairs[at] = `${key}=${value}`;
      parts.splice(3, parts.length - 3, pairs.join(' '));
    }
    lines[i] = parts.join(';');
  }
  return lines.join('\n');
}

function mutateJsonText(format: Format, text: string, lines: string[], line: () => number, mutation: string, rnd: () => number): string {
  if (format === 'json') {
    try {
      return mutateJson(text, mutation, rnd);
    } catch {
      return text; // no longer JSON after an earlier mutation
    }
  }
  // JSONL and log lines: one line's JSON (a log line's starts at its first `{`).
  for (let tries = 0; tries < 10; tries++) {
    const i = line();
    const at = lines[i]!.indexOf('{');
    if (at < 0) continue;
    try {
      JSON.parse(lines[i]!.slice(at));
    } catch {
      continue;
    }
    lines[i] = lines[i]!.slice(0, at) + mutateJson(lines[i]!.slice(at), mutation, rnd);
    return lines.join('\n');
  }
  return text;
}

type Container = Record<string, unknown> | unknown[];

/** One place in the document (a member or an element), picked uniformly among all of them. */
function mutateJson(text: string, mutation: string, rnd: () => number): string {
  const doc = JSON.parse(text) as unknown;
  const places: [Container, string | number][] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach((item, i) => (places.push([value, i]), walk(item)));
    else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) places.push([value as Container, key]), walk(item);
  };
  walk(doc);
  if (!places.length) return text;
  const [parent, key] = pick(rnd, places);
  const set = (value: unknown) => ((parent as Record<string | number, unknown>)[key] = value);
  let duplicate: { object: object; key: string; value: unknown } | undefined;
  let raw = '';
  switch (mutation) {
    case 'value': {
      const value = pick(rnd, VALUES);
      if (typeof value === 'string' && value.startsWith(RAW)) {
        raw = value.slice(RAW.length);
        set(RAW);
      } else set(structuredClone(value));
      break;
    }
    case 'delete-key':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'duplicate-key':
      // The later copy differs: JSON.parse keeps it, a streaming parser might keep the first.
      if (!Array.isArray(parent)) duplicate = { object: parent, key: key as string, value: pick(rnd, VALUES.filter((v) => !String(v).startsWith(RAW))) };
      else parent.splice(key as number, 0, parent[key as number]);
      break;
    case 'deep-nest': {
      const depth = pick(rnd, [1000, 20_000, 200_000]);
      raw = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      set(RAW);
      break;
    }
    case 'long-string':
      set(pick(rnd, ['x', '\u00e9', '\u{1F4A5}', '2026-11-21T02:00:00Z ']).repeat(100_000));
      break;
  }
  return serialise(doc, duplicate).replace(JSON.stringify(RAW), () => raw);
}

/** JSON.stringify, but able to write one object with a key twice. */
function serialise(value: unknown, duplicate?: { object: object; key: string; value: unknown }): string {
  if (Array.isArray(value)) return `[${value.map((item) => serialise(item, duplicate)).join(',')}]`;
  if (value && typeof value === 'object') {
    const members = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${serialise(item, duplicate)}`);
    if (duplicate?.object === value) members.push(`${JSON.stringify(duplicate.key)}:${JSON.stringify(duplicate.value)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------------------------
// The checks

/** A digest of every table but the run logs: equal digests, same history. */
function digest(db: string): string {
  return readOnly(db, (conn) => {
    const hash = createHash('sha256');
    const tables = conn.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
    for (const table of tables.filter((name) => !RUN_LOGS.has(name))) {
      const rows = conn.prepare(`SELECT * FROM "${table}"`).raw().all().map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
      hash.update(`${table}\0${rows.sort().join('\n')}\0`);
    }
    return hash.digest('hex');
  });
}

interface Outcome {
  readonly code: number | null;
  /** Errors and warnings, each as printed (it may span lines). */
  readonly problems: readonly string[];
  /** Everything printed on stderr. */
  readonly stderr: string;
}

/** `ingest --dump FILE` in this process, with the exit code and messages the CLI would give. */
async function ingestInProcess(db: string, file: string, source: string | undefined): Promise<Outcome> {
  try {
    const run = await ingestDumps(db, [file], { source }, { json: true });
    const records = run.stderr.map((line) => JSON.parse(line) as { level: string; message: string });
    return { code: run.code, problems: records.filter((r) => r.level !== 'info').map((r) => r.message), stderr: records.map((r) => r.message).join('\n') };
  } catch (err) {
    // As src/cli.ts exitCodeOf: these are reported on one line with exit 1; anything else is a crash.
    const known = err instanceof InputError || err instanceof RefusedError || err instanceof LockError;
    // The crash's first frame in our code says where to look; the whole stack would only repeat the finding.
    const where = (err as Error)?.stack?.split('\n').find((line) => /^\s+at .*\/src\//.test(line))?.trim();
    const message = known ? (err as Error).message : `unexpected error: ${(err as Error)?.message ?? String(err)} (${where})`;
    return { code: 1, problems: [message], stderr: message };
  }
}

/** Text output of the CLI with -q: each problem is a line starting `usage-etl: ` or `warning: `, and the lines after it. */
function cliOutcome(code: number | null, stderr: string): Outcome {
  const problems: string[] = [];
  for (const line of stderr.split('\n').filter(Boolean)) {
    if (line.startsWith('usage-etl: ') || line.startsWith('warning: ') || !problems.length) problems.push(line);
    else problems[problems.length - 1] += `\n${line}`;
  }
  return { code, problems, stderr };
}

/** How many snapshots (or ledger and notification files) the last run logged as applied. */
function appliedByLastRun(db: string): number {
  return readOnly(db, (conn) => (conn.prepare('SELECT snapshots FROM runs ORDER BY id DESC LIMIT 1').pluck().get() as number | undefined) ?? 0);
}

function problemsOf(outcome: Outcome, file: string, before: string, db: string): string[] {
  const after = digest(db);
  const problems: string[] = [];
  if (outcome.code !== 0 && outcome.code !== 1) problems.push(`exit ${outcome.code}`);
  if (/^\s+at /m.test(outcome.stderr)) problems.push('a stack trace');
  if (/unexpected error/.test(outcome.stderr)) problems.push(`an unexpected error: ${outcome.stderr.slice(0, 300)}`);
  for (const problem of outcome.problems) if (problem.split('\n').length > 3) problems.push(`a problem on ${problem.split('\n').length} lines: ${problem.slice(0, 200)}`);
  // SPEC §2, §9: a file that failed (an error naming it first) wrote nothing; nor did a run that applied nothing.
  const fileFailed = outcome.problems.some((problem) => problem.replace(/^usage-etl: /, '').startsWith(`${file}:`));
  if (outcome.code === 1 && (fileFailed || !appliedByLastRun(db)) && after !== before) problems.push(`the file failed, yet the history changed: ${outcome.problems.join(' | ').slice(0, 300)}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------

test(`fuzz: mutants of every fixture format end with exit 0 or 1, one-line problems, and failed files write nothing`, { timeout: 300_000 }, async (t) => {
  const dir = tempDir('usage-etl-fuzz-');
  const base = join(dir, 'base.db');
  const prepared = await ingestDumps(base, BASELINE.map((rel) => join(FIXTURES, rel)));
  assert.equal(prepared.code, 0, prepared.stderr.join('\n'));
  const before = digest(base);

  const all = fixtures();
  const mutants = all.flatMap((fixture) => Array.from({ length: PER_FILE }, (_, i) => mutant(fixture, i)));
  const chosen = ONLY ? mutants.filter((m) => m.name.startsWith(`${ONLY} `)) : mutants;
  t.diagnostic(`seed ${SEED}: ${chosen.length} mutants of ${all.length} fixture files (${new Set(all.map((f) => f.format)).size} formats)`);
  assert.ok(chosen.length > 0, `no mutant named ${ONLY}`);

  const failures: string[] = [];
  const exits = new Map<string, number>();
  let viaCli = 0;
  for (const [n, m] of chosen.entries()) {
    const home = join(dir, `m${n}`);
    const file = join(home, m.rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, m.bytes);
    const db = join(home, 'usage.db');
    copyFileSync(base, db);
    const outcome = await ingestInProcess(db, file, sourceOf(m.rel));
    if (ONLY) t.diagnostic(`exit ${outcome.code}:\n${outcome.stderr}`);
    for (const problem of problemsOf(outcome, file, before, db)) failures.push(`${m.name}: ${problem}`);
    const tally = `${m.format} exit ${outcome.code}`;
    exits.set(tally, (exits.get(tally) ?? 0) + 1);

    if (n % CLI_EVERY === 0 || ONLY) {
      viaCli++;
      const cliDb = join(home, 'cli.db');
      copyFileSync(base, cliDb);
      const source = sourceOf(m.rel);
      const run = await runCli(['--db', cliDb, '-q', 'ingest', '--dump', file, ...(source ? ['--source', source] : [])], { cwd: home });
      const cli = cliOutcome(run.code, run.stderr);
      for (const problem of problemsOf(cli, file, before, cliDb)) failures.push(`${m.name} (CLI): ${problem}`);
      if (run.code !== outcome.code) failures.push(`${m.name} (CLI): exit ${run.code}, in process ${outcome.code}`);
    }
    if (!ONLY) rmSync(home, { recursive: true, force: true });
  }
  t.diagnostic(`${viaCli} of them also through the CLI; ${[...exits].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  assert.deepEqual(failures, [], `${failures.length} mutants failed (reproduce with FUZZ_SEED=${SEED} FUZZ_ONLY='<fixture>#<index>'):\n${failures.join('\n')}`);
});
