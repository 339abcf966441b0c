// `npm run bench` — SPEC §11. Generates canonical vm snapshots (SPEC §4.1.1) of N resources and runs
// the real CLI on them, each scenario in its own process so its peak RSS is its own:
//   1. first load into an empty database          3. re-ingest with 1% modified, 0.5% added, 0.5% removed
//   2. re-ingest of an identical snapshot          4. a 30-day inventory export (carried forward, with changes)
// next to the floor (bench/floor.ts: read + JSON.parse + bare INSERTs of the same file), and prints
// records/s, wall time, peak RSS and the ratio to the floor; then the same as one JSON line.
//
// Then the HPC ledger streams (bench/hpc.ts): a Torque accounting log and a sacct dump of L lines and
// of L/4, each loaded into an empty database, the big log read again, and its 30-day job.csv export:
// records/s and peak RSS, to show memory does not grow with the file (one JSON line at the end).
//
//   npm run bench                          N = 100 000, L = 1 000 000
//   npm run bench -- --only vm             only the vm scenarios (--only hpc: only the HPC ones)
//   npm run bench -- --hpc-lines 400000    L
//   npm run bench -- --n 1000000           one million
//   npm run bench -- --n 2000000           a dump larger than V8's maximum string (~512 MiB): no floor
//   npm run bench -- --n 1000000 --pad 600 the same resources in a bigger file (ignored `metadata`):
//                                          peak RSS should follow the resource count, not the file size
//   --keep                                 keep the temporary directory (dumps, databases, CSV)
//
// Peak RSS comes from GNU time (/usr/bin/time, %M). Wall time includes process start-up (node + tsx,
// every command's modules: `usage-etl --help` loads them all), which is printed once on its own.
import { spawn } from 'node:child_process';
import { constants as bufferConstants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// The seeded PRNG makes the three vm snapshots agree on every unchanged record.
import { random, writePbsLog, writeSacct } from './hpc.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'usage-etl');
const FLOOR = join(ROOT, 'bench', 'floor.ts');
const TIME = '/usr/bin/time';
const MIB = 1024 * 1024;
/** The temporary directory, once made: removed at the end (and on failure) unless --keep. */
let work = '';

// Snapshot times: the first lies before the export range, so its state must be carried forward;
// the last lies on the range's last day, so every one of the 30 days has rows (SPEC §8.1).
const FROM = '2026-11-01';
const TO = '2026-11-30';
const TAKEN = ['2026-10-31T02:00:00Z', '2026-11-15T02:00:00Z', '2026-11-30T02:00:00Z'] as const;
const EXPORT_DAYS = 30;

// --- options ---------------------------------------------------------------------------------

const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    pad: { type: 'string', default: '0' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string', default: 'all' },
    'hpc-lines': { type: 'string', default: '1000000' },
  },
  strict: true,
});
const N = Number(opts.n);
const PAD = Number(opts.pad);
if (!Number.isSafeInteger(N) || N < 200) fail(`--n: expected a whole number of resources, at least 200, found ${opts.n}`);
if (!Number.isSafeInteger(PAD) || PAD < 0) fail(`--pad: expected a number of bytes, found ${opts.pad}`);
const HPC_LINES = Number(opts['hpc-lines']);
if (!Number.isSafeInteger(HPC_LINES) || HPC_LINES < 1000) fail(`--hpc-lines: expected a number of lines, at least 1000, found ${opts['hpc-lines']}`);
if (!['all', 'vm', 'hpc'].includes(opts.only!)) fail(`--only: expected vm or hpc, found ${opts.only}`);
if (!existsSync(TIME)) fail(`${TIME} (GNU time) is needed to measure peak RSS; install it (apt-get install time)`);

// --- synthetic vm records (field set of src/types/vm.ts) ---------------------------------------


function hex(r: () => number, length: number): string {
  let s = '';
  while (s.length < length) s += Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, length);
}

function uuid(r: () => number): string {
  const h = hex(r, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

const AZS = ['melbourne-qh2', 'monash-02', 'tasmania-s'];
const STATES = [
  // [weight, status, vm_state, power_state]: mostly running, as in a real cloud.
  [0.86, 'ACTIVE', 'active', 1],
  [0.1, 'SHUTOFF', 'stopped', 4],
  [0.01, 'PAUSED', 'paused', 3],
  [0.01, 'SUSPENDED', 'suspended', 7],
  [0.02, 'ERROR', 'error', 0],
] as const;
// [flavor id, vcpus, ram_mb, disk_gb]: named flavors, as many clouds use (ids need not be UUIDs).
const FLAVORS = [
  ['t3.xsmall', 1, 4096, 10], ['m3.small', 2, 8192, 30], ['m3.medium', 4, 16384, 30], ['m3.large', 8, 32768, 30],
  ['m3.xlarge', 16, 65536, 30], ['m3.xxlarge', 32, 131072, 30], ['c3.large', 4, 16384, 120], ['r3.large', 12, 98304, 60],
  ['r3.xxlarge', 48, 393216, 30],
] as const;

const pool = random(20261121);
const images = Array.from({ length: 300 }, () => uuid(pool));
const tenants = Array.from({ length: Math.max(10, Math.round(N / 25)) }, () => hex(pool, 32));
const users = Array.from({ length: Math.max(20, Math.round(N / 10)) }, () => hex(pool, 32));
// A multiple of the zone count, so `h + AZS.length` is another host in the same zone (a live migration).
const hosts = Array.from({ length: AZS.length * Math.max(2, Math.ceil(N / 120)) }, (_, h) => `compute-${String(h).padStart(5, '0')}`);
const PAD_TEXT = 'Provisioned by the research platform for a project workload; see the allocation for contacts and terms. '.repeat(Math.ceil(PAD / 100) + 1).slice(0, PAD);
const CREATED_BEFORE = Date.parse(TAKEN[0]);
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Resource `i`; `changed` gives its 1%-scenario variant: a live migration or a power change. */
function vm(i: number, changed = false): Record<string, unknown> {
  const r = random(Math.imul(i + 1, 0x9e3779b1));
  const tenant = Math.floor(r() * tenants.length);
  const [flavorId, vcpus, ramMb, diskGb] = pick(r, FLAVORS);
  let h = Math.floor(r() * hosts.length);
  const roll = r();
  let state = STATES[STATES.length - 1]!;
  for (let sum = 0, k = 0; k < STATES.length; k++) if (roll < (sum += STATES[k]![0])) { state = STATES[k]!; break; }
  const created = CREATED_BEFORE - Math.floor(r() * 3 * 365 * 86_400_000);
  const image = r() < 0.12 ? '' : pick(r, images); // boot-from-volume servers have no image
  const user = users[(tenant * 3 + Math.floor(r() * 3)) % users.length]!;
  if (changed && i % 200 === 50) h = (h + AZS.length) % hosts.length;
  else if (changed) state = state[1] === 'ACTIVE' ? STATES[1] : STATES[0];
  const record: Record<string, unknown> = {
    id: uuid(r),
    status: state[1],
    vm_state: state[2],
    power_state: state[3],
    tenant_id: tenants[tenant],
    user_id: user,
    // Nova's hostId: sha224 of project and host, so it differs per project.
    host_id: createHash('sha224').update(tenants[tenant]! + hosts[h]!).digest('hex'),
    hypervisor: hosts[h],
    availability_zone: AZS[h % AZS.length],
    flavor_id: flavorId,
    vcpus,
    ram_mb: ramMb,
    disk_gb: diskGb,
    image_id: image,
    created_at: iso(created),
    launched_at: state[1] === 'ERROR' ? null : iso(created + 20_000 + Math.floor(r() * 100_000)),
  };
  // Unknown fields are ignored by the product (SPEC §5); this only makes the file bigger.
  if (PAD) record.metadata = { notes: PAD_TEXT };
  return record;
}

// The 1% / 0.5% / 0.5% scenario: which resources change, vanish, and appear.
const isModified = (i: number) => i % 100 === 50;
const isRemoved = (i: number) => i % 200 === 7;
const ADDED = Math.floor(N / 200);
let MODIFIED = 0;
let REMOVED = 0;
for (let i = 0; i < N; i++) {
  if (isModified(i)) MODIFIED++;
  if (isRemoved(i)) REMOVED++;
}

function* sameRecords(): Generator<Record<string, unknown>> {
  for (let i = 0; i < N; i++) yield vm(i);
}

function* changedRecords(): Generator<Record<string, unknown>> {
  for (let i = 0; i < N; i++) if (!isRemoved(i)) yield vm(i, isModified(i));
  for (let i = N; i < N + ADDED; i++) yield vm(i);
}

/** Streams one canonical snapshot to `path`, a batch at a time, never as one big string. */
async function writeSnapshot(path: string, takenAt: string, records: Iterable<Record<string, unknown>>): Promise<number> {
  const out = createWriteStream(path);
  let batch = `{\n  "source": "bench",\n  "resource_type": "vm",\n  "taken_at": "${takenAt}",\n  "complete": true,\n  "resources": [\n`;
  let first = true;
  for (const record of records) {
    batch += (first ? '' : ',\n') + JSON.stringify(record);
    first = false;
    if (batch.length >= MIB) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(`${batch}\n]}\n`);
  await once(out, 'close');
  return statSync(path).size;
}

// --- running children ------------------------------------------------------------------------

interface Measured {
  readonly wallS: number;
  readonly rssMiB: number;
  readonly stdout: string;
}

/**
 * Runs COMMAND ARGS... under GNU time; any failure ends the bench with the child's stderr.
 * The CLI is run as an operator runs it, `bin/usage-etl ...`.
 */
async function measure(what: string, command: readonly string[]): Promise<Measured> {
  const timeFile = join(work, 'time.txt');
  const started = performance.now();
  const child = spawn(TIME, ['-o', timeFile, '-f', '%M', ...command], {
    cwd: ROOT, // so `--import tsx` resolves
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const wallS = (performance.now() - started) / 1000;
  // GNU time puts "Command exited with non-zero status N" / "Command terminated by signal N" before %M.
  const timeText = existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim() : '';
  if (code !== 0) {
    fail(`${what} failed (${signal ?? `exit ${code}`}${timeText.includes('signal') ? `, ${timeText.split('\n')[0]}` : ''}):\n` +
      `  ${command.join(' ')}\n${stderr.trim() || '(no stderr)'}`);
  }
  const kib = Number(timeText.split('\n').pop());
  if (!Number.isFinite(kib)) fail(`${what}: cannot read peak RSS from ${TIME}: ${JSON.stringify(timeText)}`);
  return { wallS, rssMiB: kib / 1024, stdout };
}

interface SnapshotLine {
  readonly status: string;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly rejected: number;
}

/** `usage-etl --log-format json ingest --dump FILE`, and its one snapshot summary line. */
async function ingest(what: string, file: string, into = db): Promise<Measured & { summary: SnapshotLine }> {
  const run = await measure(what, [BIN, '--db', into, '--config', config, '--log-format', 'json', 'ingest', '--dump', file]);
  const summaries = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as SnapshotLine & { event?: string })
    .filter((line) => line.event === 'snapshot');
  if (summaries.length !== 1) fail(`${what}: expected one snapshot summary, got ${summaries.length}:\n${run.stdout}`);
  return { ...run, summary: summaries[0]! };
}

/** Checks that failed: the figures then measure something else than intended. */
const failedChecks: string[] = [];

/** A wrong count is reported with the figures, and the bench exits 1. */
function expectCounts(what: string, got: SnapshotLine, want: Omit<SnapshotLine, 'rejected'>): void {
  const expected = { ...want, rejected: 0 };
  const wrong = (Object.keys(expected) as (keyof SnapshotLine)[]).filter((k) => got[k] !== expected[k]);
  if (wrong.length) failedChecks.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MIB }) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return lines;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  if (work && !opts.keep) rmSync(work, { recursive: true, force: true });
  process.exit(1);
}

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

// --- the run ---------------------------------------------------------------------------------

work = mkdtempSync(join(tmpdir(), 'usage-etl-bench-'));
const db = join(work, 'usage.db');
const config = join(work, 'usage-etl.yaml');
// An explicit, empty configuration: a developer's own ~/.config/usage-etl must not change the figures.
writeFileSync(config, 'sources: {}\n');
const dumps = TAKEN.map((_, k) => join(work, `day${k + 1}.json`));

interface Row {
  readonly name: string;
  readonly records: number;
  readonly wall_s: number;
  readonly peak_rss_mib: number;
  readonly ratio_to_floor: number | null;
  /** The same, less the CLI's start-up: the floor's times are taken inside its process. */
  readonly net_ratio_to_floor: number | null;
}

try {
  progress('measuring CLI start-up');
  await measure('usage-etl --help', [BIN, '--help']); // warms tsx's compile cache
  const startup = await measure('usage-etl --help', [BIN, '--help']);
  if (opts.only !== 'hpc') await vmScenarios(startup);
  if (opts.only !== 'vm') await hpcScenarios(startup);
  for (const check of failedChecks) console.log(`CHECK FAILED: ${check}`);
  if (opts.keep) progress(`kept ${work}`);
  if (failedChecks.length) process.exitCode = 1;
} finally {
  if (!opts.keep) rmSync(work, { recursive: true, force: true });
}

async function vmScenarios(startup: Measured): Promise<void> {
  progress(`writing ${dumps[0]} (${N.toLocaleString('en')} vm records)`);
  const size = await writeSnapshot(dumps[0]!, TAKEN[0], sameRecords());

  // V8 cannot hold the file as one string, so the floor's JSON.parse is impossible (the product streams).
  const floorPossible = size <= bufferConstants.MAX_STRING_LENGTH;
  let floor: { read_parse_s: number; insert_s: number; total_s: number; peak_rss_mib: number } | undefined;
  if (floorPossible) {
    progress('floor: read + JSON.parse + bare INSERTs');
    const run = await measure('the floor', [process.execPath, '--import', 'tsx', FLOOR, dumps[0]!, join(work, 'floor.db')]);
    const parts = JSON.parse(run.stdout) as { records: number; read_parse_s: number; insert_s: number };
    if (parts.records !== N) fail(`the floor read ${parts.records} records, expected ${N}`);
    floor = { read_parse_s: parts.read_parse_s, insert_s: parts.insert_s, total_s: parts.read_parse_s + parts.insert_s, peak_rss_mib: run.rssMiB };
  }

  const rows: Row[] = [];
  const row = (name: string, records: number, run: Measured) =>
    rows.push({
      name,
      records,
      wall_s: run.wallS,
      peak_rss_mib: run.rssMiB,
      ratio_to_floor: floor ? run.wallS / floor.total_s : null,
      net_ratio_to_floor: floor ? (run.wallS - startup.wallS) / floor.total_s : null,
    });

  progress('1: first load into an empty database');
  const first = await ingest('1 first load', dumps[0]!);
  expectCounts('1 first load', first.summary, { status: 'applied', added: N, modified: 0, removed: 0, unchanged: 0 });
  row('1 first load (empty DB)', N, first);

  progress(`writing ${dumps[1]} (same records, later taken_at)`);
  await writeSnapshot(dumps[1]!, TAKEN[1], sameRecords());
  progress('2: re-ingest of an identical snapshot');
  const same = await ingest('2 identical re-ingest', dumps[1]!);
  expectCounts('2 identical re-ingest', same.summary, { status: 'applied', added: 0, modified: 0, removed: 0, unchanged: N });
  row('2 re-ingest, identical', N, same);

  progress(`writing ${dumps[2]} (${MODIFIED} modified, ${ADDED} added, ${REMOVED} removed)`);
  await writeSnapshot(dumps[2]!, TAKEN[2], changedRecords());
  progress('3: re-ingest with changes');
  const changed = await ingest('3 re-ingest with changes', dumps[2]!);
  expectCounts('3 re-ingest with changes', changed.summary, {
    status: 'applied',
    added: ADDED,
    modified: MODIFIED,
    removed: REMOVED,
    unchanged: N - MODIFIED - REMOVED,
  });
  row('3 re-ingest, 1% mod +0.5% -0.5%', N - REMOVED + ADDED, changed);

  progress(`4: inventory export ${FROM}..${TO}`);
  const out = join(work, 'export');
  const exported = await measure('4 export', [BIN, '--db', db, '--config', config, 'export', '--from', FROM, '--to', TO, '--type', 'vm', '--out', out]);
  const csvRows = (await countLines(join(out, 'vm.csv'))) - 1;
  // Every day shows every present resource; the last day also shows the removed ones (SPEC §8.1).
  const wantRows = EXPORT_DAYS * N + ADDED;
  if (csvRows !== wantRows) failedChecks.push(`4 export: expected ${wantRows} rows in vm.csv, got ${csvRows}`);
  row(`4 export inventory, ${EXPORT_DAYS} days (rows)`, csvRows, exported);

  // --- report --------------------------------------------------------------------------------
  const int = (x: number) => Math.round(x).toLocaleString('en');
  const table: string[][] = [['scenario', 'records', 'wall (s)', 'records/s', 'peak RSS (MiB)', '× floor', '× floor net']];
  if (floor) {
    table.push(['floor (a) read + JSON.parse', int(N), floor.read_parse_s.toFixed(2), int(N / floor.read_parse_s), '', '', '']);
    table.push(['floor (b) bare INSERTs, 1 txn', int(N), floor.insert_s.toFixed(2), int(N / floor.insert_s), '', '', '']);
    table.push(['floor (a)+(b)', int(N), floor.total_s.toFixed(2), int(N / floor.total_s), int(floor.peak_rss_mib), '1.00', '1.00']);
  } else {
    table.push(["floor: n/a (file larger than V8's maximum string)"]);
  }
  for (const r of rows) {
    table.push([
      r.name,
      int(r.records),
      r.wall_s.toFixed(2),
      int(r.records / r.wall_s),
      int(r.peak_rss_mib),
      r.ratio_to_floor?.toFixed(2) ?? 'n/a',
      r.net_ratio_to_floor?.toFixed(2) ?? 'n/a',
    ]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.filter((t) => t.length > 1).map((t) => t[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();

  console.log(`\nusage-etl bench: N = ${int(N)} vm resources; first dump ${(size / MIB).toFixed(1)} MiB (${int(size / N)} bytes/record${PAD ? `, padded by ${PAD}` : ''})`);
  console.log(`node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} CPU(s), ${cpus()[0]?.model ?? ''}`.trimEnd());
  console.log(`CLI start-up (node + tsx, \`usage-etl --help\`): ${startup.wallS.toFixed(2)} s, ${int(startup.rssMiB)} MiB; included in the wall times below\n`);
  console.log(line(table[0]!));
  for (const cells of table.slice(1)) console.log(cells.length > 1 ? line(cells) : cells[0]);
  console.log(
    '\nwall time and peak RSS are per process (GNU time %M); the floor\'s times are measured inside its process,\n' +
      "so '× floor net' takes the CLI's start-up off the wall time before dividing.",
  );
  console.log(
    JSON.stringify({
      n: N,
      pad_bytes: PAD,
      file_bytes: size,
      node: process.version,
      cpus: cpus().length,
      startup_s: startup.wallS,
      floor: floor ?? null,
      scenarios: rows.map((r) => ({ ...r, records_per_s: r.records / r.wall_s })),
      ok: failedChecks.length === 0,
    }),
  );
}

// --- HPC ledger streams ----------------------------------------------------------------------

interface HpcRow {
  readonly name: string;
  readonly lines: number;
  readonly jobs: number;
  readonly file_mib: number;
  readonly wall_s: number;
  readonly peak_rss_mib: number;
}

/** SPEC §11 for ledgers: a log and a sacct dump of L and L/4 lines; memory must not follow the file. */
async function hpcScenarios(startup: Measured): Promise<void> {
  const small = Math.floor(HPC_LINES / 4);
  const rows: HpcRow[] = [];
  const int = (x: number) => Math.round(x).toLocaleString('en');
  const mib = (path: string) => statSync(path).size / MIB;
  const load = async (what: string, file: string, into: string, lines: number, jobs: number, status = 'applied') => {
    progress(what);
    const run = await ingest(what, file, into);
    const want = status === 'applied' ? { status, added: jobs, modified: 0, removed: 0, unchanged: 0 } : { status, added: 0, modified: 0, removed: 0, unchanged: jobs };
    expectCounts(what, run.summary, want);
    rows.push({ name: what, lines, jobs, file_mib: mib(file), wall_s: run.wallS, peak_rss_mib: run.rssMiB });
  };

  // Each log lives in a folder named after its source, as a PBS accounting directory does.
  const pbsDir = join(work, 'emu');
  mkdirSync(pbsDir);
  const pbsSmall = join(work, 'emu-small', '20261101');
  mkdirSync(dirname(pbsSmall));
  const pbsBig = join(pbsDir, '20261101');
  progress(`writing PBS logs of ${int(small)} and ${int(HPC_LINES)} lines`);
  await writePbsLog(pbsSmall, small);
  await writePbsLog(pbsBig, HPC_LINES);
  await load(`PBS log, ${int(small)} lines, first load`, pbsSmall, join(work, 'pbs-small.db'), small, small);
  const pbsDb = join(work, 'pbs.db');
  await load(`PBS log, ${int(HPC_LINES)} lines, first load`, pbsBig, pbsDb, HPC_LINES, HPC_LINES);
  await load(`PBS log, ${int(HPC_LINES)} lines, read again`, pbsBig, pbsDb, HPC_LINES, HPC_LINES, 'already ingested');
  progress('job.csv export, 30 days');
  const out = join(work, 'export-jobs');
  const exported = await measure('job.csv export', [BIN, '--db', pbsDb, '--config', config, 'export', '--from', '2026-11-01', '--to', '2026-11-30', '--type', 'job', '--out', out]);
  const csvRows = (await countLines(join(out, 'job.csv'))) - 1;
  if (csvRows !== HPC_LINES) failedChecks.push(`job.csv export: expected ${HPC_LINES} rows, got ${csvRows}`);
  rows.push({ name: 'job.csv export, 30 days (rows)', lines: csvRows, jobs: csvRows, file_mib: mib(join(out, 'job.csv')), wall_s: exported.wallS, peak_rss_mib: exported.rssMiB });
  rmSync(pbsBig);

  const sacctSmall = join(work, 'tango-small', 'window.sacct');
  mkdirSync(dirname(sacctSmall));
  const sacctBig = join(work, 'tango', 'window.sacct');
  mkdirSync(dirname(sacctBig));
  progress(`writing sacct dumps of ${int(small)} and ${int(HPC_LINES)} rows`);
  const smallJobs = (await writeSacct(sacctSmall, small)).jobs;
  const bigJobs = (await writeSacct(sacctBig, HPC_LINES)).jobs;
  await load(`sacct, ${int(small)} rows, first load`, sacctSmall, join(work, 'sacct-small.db'), small, smallJobs);
  await load(`sacct, ${int(HPC_LINES)} rows, first load`, sacctBig, join(work, 'sacct.db'), HPC_LINES, bigJobs);

  const table: string[][] = [['scenario', 'lines', 'jobs', 'file (MiB)', 'wall (s)', 'lines/s', 'jobs/s', 'peak RSS (MiB)']];
  for (const r of rows) {
    table.push([r.name, int(r.lines), int(r.jobs), int(r.file_mib), r.wall_s.toFixed(2), int(r.lines / r.wall_s), int(r.jobs / r.wall_s), int(r.peak_rss_mib)]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((t) => t[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  console.log(`\nusage-etl bench: HPC ledger streams, L = ${int(HPC_LINES)} lines (and L/4); wall times include start-up (${startup.wallS.toFixed(2)} s)\n`);
  for (const cells of table) console.log(line(cells));
  console.log('\nA ledger file is applied in batches of 20 000 jobs (one transaction each): peak RSS should not grow with the file.');
  console.log(JSON.stringify({ hpc_lines: HPC_LINES, node: process.version, cpus: cpus().length, startup_s: startup.wallS, scenarios: rows, ok: failedChecks.length === 0 }));
}
