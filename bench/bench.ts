// `npm run bench` — SPEC §11. Generates canonical vm snapshots (SPEC §4.1.1) of N resources and runs
// the real CLI on them, each scenario in its own process so its peak RSS is its own:
//   1. first load into an empty database          3. re-ingest with 1% modified, 0.5% added, 0.5% removed
//   2. re-ingest of an identical snapshot          4. a 30-day inventory export (carried forward, with changes)
// next to the floor (bench/floor.ts: read + JSON.parse + bare INSERTs of the same file) and a peer
// (bench/duckdb-peer.ts: DuckDB diffing the same files against the state it persisted from the one
// before), and prints records/s, wall time, peak RSS and the ratios to both; then the same as one JSON line.
// The export has its own floor (bench/export-floor.ts): the same vm.csv, byte for byte, rendered and
// written from the snapshots held in memory, no SQL.
//
// Then the HPC ledger streams (bench/hpc.ts): a Torque accounting log and a sacct dump of L lines and
// of L/4, each loaded into an empty database, the big log read again, and its 30-day job.csv export:
// records/s and peak RSS, to show memory does not grow with the file (one JSON line at the end).
//
// Then the usage report (bench/usage.ts): 30 daily snapshots of N VMs, 1% changing each day (resize,
// power, shelve-offload, removal + a new VM), ingested by one run; the 30-day `usage` export against
// the 30-day `inventory` export of the same database (the yardstick) and a peer, one SQL query
// (bench/usage-sql.ts); its rows and hours checked against the generator's own sums; again at N/4
// to show memory follows the resources (one table, one JSON line).
//
// Then the notifications (bench/events.ts): a capture of versioned Nova messages in oslo wire envelopes,
// about 10 per instance for --events-n instances (create, power off/on pairs, a resize, most a delete;
// 5% out of event-time order, 1% delivered twice): the floor (bench/events-floor.ts: read + JSON.parse
// of each line and its oslo.message), the ingest into an empty database, the fold (a 30-day lifecycles
// export), the ingest again; counts, rows and durations checked against the generator's own fold;
// again at a quarter of the instances, for memory (one table, one JSON line).
//
//   npm run bench                          N = 100 000, L = 1 000 000
//   npm run bench -- --only vm             only the vm scenarios (--only startup, hpc, usage or events: only those)
//   npm run bench -- --hpc-lines 400000    L
//   npm run bench -- --usage-n 50000       the usage scenario's N (default: --n), and N/4
//   npm run bench -- --events-n 25000      the notifications' instances (default 100 000: ~1 000 000 messages), and a quarter
//   npm run bench -- --n 1000000           one million
//   npm run bench -- --n 2000000           a dump larger than V8's maximum string (~512 MiB): no floor
//   npm run bench -- --n 1000000 --pad 600 the same resources in a bigger file (ignored `metadata`):
//                                          peak RSS should follow the resource count, not the file size
//   --keep                                 keep the temporary directory (dumps, databases, CSV)
//   npm run bench -- --store postgres      the vm scenarios also on a fresh PostgreSQL database (SPEC §10), beside
//                                          SQLite's of the same run; the server is $USAGE_ETL_BENCH_PG
//                                          (default postgres://postgres@127.0.0.1:5432/postgres), which must let it CREATE DATABASE
//
// Peak RSS comes from GNU time (/usr/bin/time, %M). Wall time includes process start-up (node and the
// compiled CLI, built by `npm run bench` first), measured on its own as `usage-etl --help`.
// Start-up itself: `--help` against `node -e 0`, `status` on the fixture database (bench/startup.ts).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as bufferConstants } from 'node:buffer';
import { once } from 'node:events';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writePbsLog, writeSacct } from './hpc.ts';
import { eventsScenarios } from './events.ts';
import { benchDatabase, dropBenchDatabases } from './postgres.ts';
import { startupScenarios } from './startup.ts';
import { int, printTable } from './table.ts';
import { USAGE_FROM, USAGE_TO, usageCsvFigures, type UsageFigures, writeUsageHistory } from './usage.ts';
import { hoursText, printUsageResults, type UsageRun } from './usage-report.ts';
// The seeded fleet makes the vm snapshots agree on every unchanged record.
import { fleet, writeSnapshot } from './vms.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'usage-etl');
const FLOOR = join(ROOT, 'bench', 'floor.ts');
const DUCKDB_PEER = join(ROOT, 'bench', 'duckdb-peer.ts');
const EXPORT_FLOOR = join(ROOT, 'bench', 'export-floor.ts');
const USAGE_SQL = join(ROOT, 'bench', 'usage-sql.ts');
const TIME = '/usr/bin/time';
const MIB = 1024 * 1024;
/** The temporary directory, once made: removed at the end (and on failure) unless --keep. */
let work = '';

// Snapshot times: the first lies before the export range, so its state must be carried forward;
// the last lies on the range's last day, so every one of the 30 days has rows (SPEC §8.1).
// All in the past: ingest refuses snapshots from more than a day ahead (--max-future).
const FROM = '2026-10-01';
const TO = '2026-10-30';
const TAKEN = ['2026-09-30T02:00:00Z', '2026-10-15T02:00:00Z', '2026-10-30T02:00:00Z'] as const;
const EXPORT_DAYS = 30;

// --- options ---------------------------------------------------------------------------------

const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    pad: { type: 'string', default: '0' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string', default: 'all' },
    'hpc-lines': { type: 'string', default: '1000000' },
    'usage-n': { type: 'string' },
    'events-n': { type: 'string', default: '100000' },
    store: { type: 'string', default: 'sqlite' },
  },
  strict: true,
});
const N = Number(opts.n);
const PAD = Number(opts.pad);
if (!Number.isSafeInteger(N) || N < 200) fail(`--n: expected a whole number of resources, at least 200, found ${opts.n}`);
if (!Number.isSafeInteger(PAD) || PAD < 0) fail(`--pad: expected a number of bytes, found ${opts.pad}`);
const HPC_LINES = Number(opts['hpc-lines']);
if (!Number.isSafeInteger(HPC_LINES) || HPC_LINES < 1000) fail(`--hpc-lines: expected a number of lines, at least 1000, found ${opts['hpc-lines']}`);
const USAGE_N = opts['usage-n'] === undefined ? N : Number(opts['usage-n']);
if (['all', 'usage'].includes(opts.only!) && (!Number.isSafeInteger(USAGE_N) || USAGE_N < 400)) fail(`--usage-n: expected a whole number of VMs, at least 400, found ${opts['usage-n'] ?? N}`);
const EVENTS_N = Number(opts['events-n']);
if (!Number.isSafeInteger(EVENTS_N) || EVENTS_N < 400) fail(`--events-n: expected a whole number of instances, at least 400, found ${opts['events-n']}`);
if (!['all', 'startup', 'vm', 'hpc', 'usage', 'events'].includes(opts.only!)) fail(`--only: expected startup, vm, hpc, usage or events, found ${opts.only}`);
if (!['sqlite', 'postgres'].includes(opts.store!)) fail(`--store: expected sqlite or postgres, found ${opts.store}`);
if (!existsSync(TIME)) fail(`${TIME} (GNU time) is needed to measure peak RSS; install it (apt-get install time)`);

// --- synthetic vm records (bench/vms.ts) -------------------------------------------------------

const vm = fleet(N, Date.parse(TAKEN[0]), PAD);

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
    cwd: ROOT, // so `--import tsx` resolves for the floors written in TypeScript
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

/** `usage-etl --log-format json ingest --dump PATH` (a file or a folder), and its snapshot summary lines. */
async function ingestAll(what: string, path: string, into: string): Promise<Measured & { summaries: (SnapshotLine & { taken_at: string })[] }> {
  const run = await measure(what, [BIN, '--db', into, '--config', config, '--log-format', 'json', 'ingest', '--dump', path]);
  const summaries = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as SnapshotLine & { event?: string; taken_at: string })
    .filter((line) => line.event === 'snapshot');
  return { ...run, summaries };
}

/** The same for a dump of one snapshot, and its one summary line. */
async function ingest(what: string, file: string, into = db): Promise<Measured & { summary: SnapshotLine }> {
  const run = await ingestAll(what, file, into);
  if (run.summaries.length !== 1) fail(`${what}: expected one snapshot summary, got ${run.summaries.length}:\n${run.stdout}`);
  return { ...run, summary: run.summaries[0]! };
}

/** Checks that failed: the figures then measure something else than intended. */
const failedChecks: string[] = [];

/** A wrong count is reported with the figures, and the bench exits 1. */
function expectCounts(what: string, got: SnapshotLine, want: Omit<SnapshotLine, 'rejected'>): void {
  const expected = { ...want, rejected: 0 };
  const wrong = (Object.keys(expected) as (keyof SnapshotLine)[]).filter((k) => got[k] !== expected[k]);
  if (wrong.length) failedChecks.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
}

/** A file's lines and SHA-1, in one pass. */
async function digestLines(path: string): Promise<{ lines: number; sha1: string }> {
  const digest = createHash('sha1');
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MIB }) as AsyncIterable<Buffer>) {
    digest.update(chunk);
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return { lines, sha1: digest.digest('hex') };
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
  /** The DuckDB peer's time for the same file (inside its process), and ours net of start-up over it. */
  readonly duckdb_s: number | null;
  readonly net_ratio_to_duckdb: number | null;
}

interface PeerRun {
  readonly records: number;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly seconds: number;
}

try {
  progress('measuring CLI start-up');
  await measure('usage-etl --help', [BIN, '--help']); // warms the file cache
  const startup = await measure('usage-etl --help', [BIN, '--help']);
  const runs = (group: string) => opts.only === 'all' || opts.only === group;
  if (runs('startup')) await startupScenarios({ work, root: ROOT, bin: BIN, measure, progress });
  if (runs('vm')) await vmScenarios(startup);
  if (runs('hpc')) await hpcScenarios(startup);
  if (runs('usage')) await usageScenarios(startup);
  if (runs('events')) {
    await eventsScenarios(
      {
        work,
        bin: BIN,
        config,
        keep: opts.keep!,
        startup,
        measure,
        failed: (check) => failedChecks.push(check),
        ok: () => failedChecks.length === 0,
        progress,
      },
      EVENTS_N,
    );
  }
  for (const check of failedChecks) console.log(`CHECK FAILED: ${check}`);
  if (opts.keep) progress(`kept ${work}`);
  if (failedChecks.length) process.exitCode = 1;
} finally {
  if (!opts.keep) rmSync(work, { recursive: true, force: true });
  await dropBenchDatabases();
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
  const row = (name: string, records: number, run: Measured, peer?: PeerRun) =>
    rows.push({
      name,
      records,
      wall_s: run.wallS,
      peak_rss_mib: run.rssMiB,
      ratio_to_floor: floor ? run.wallS / floor.total_s : null,
      net_ratio_to_floor: floor ? (run.wallS - startup.wallS) / floor.total_s : null,
      duckdb_s: peer?.seconds ?? null,
      net_ratio_to_duckdb: peer ? (run.wallS - startup.wallS) / peer.seconds : null,
    });
  // The peer diffs each file right after ours, against the state it kept from the file before. A
  // peer that fails, or counts otherwise than we must, ends the bench: its ratio would mean nothing.
  const duckDb = join(work, 'peer.duckdb');
  const peerRun = async (what: string, file: string, want: Omit<SnapshotLine, 'rejected' | 'status'>): Promise<PeerRun> => {
    progress(`${what}: the DuckDB peer`);
    const run = await measure(`the DuckDB peer (${what})`, [process.execPath, '--import', 'tsx', DUCKDB_PEER, file, duckDb]);
    let got: PeerRun;
    try {
      got = JSON.parse(run.stdout) as PeerRun;
    } catch {
      fail(`the DuckDB peer (${what}) printed no figures: ${JSON.stringify(run.stdout.slice(0, 200))}`);
    }
    const wrong = (Object.keys(want) as (keyof typeof want)[]).filter((k) => got[k] !== want[k]);
    if (wrong.length || !(got.seconds > 0)) fail(`the DuckDB peer (${what}) counted ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    return got;
  };

  /**
   * The four scenarios on the history at `into` (label: which store, for messages). The first store's
   * run has its peers: DuckDB beside each ingest, and the export's floor.
   */
  const scenarios = async (into: string, label: string, row: (name: string, records: number, run: Measured, peer?: PeerRun) => void, peers: boolean) => {
    const peer = (what: string, file: string, want: Omit<SnapshotLine, 'rejected' | 'status'>) => (peers ? peerRun(what, file, want) : Promise.resolve(undefined));
    progress(`1: first load into an empty database${label}`);
    const first = await ingest(`1 first load${label}`, dumps[0]!, into);
    expectCounts('1 first load', first.summary, { status: 'applied', added: N, modified: 0, removed: 0, unchanged: 0 });
    row('1 first load (empty DB)', N, first, await peer('1', dumps[0]!, { added: N, modified: 0, removed: 0, unchanged: 0 }));

    if (!existsSync(dumps[1]!)) {
      progress(`writing ${dumps[1]} (same records, later taken_at)`);
      await writeSnapshot(dumps[1]!, TAKEN[1], sameRecords());
    }
    progress(`2: re-ingest of an identical snapshot${label}`);
    const same = await ingest(`2 identical re-ingest${label}`, dumps[1]!, into);
    expectCounts('2 identical re-ingest', same.summary, { status: 'applied', added: 0, modified: 0, removed: 0, unchanged: N });
    row('2 re-ingest, identical', N, same, await peer('2', dumps[1]!, { added: 0, modified: 0, removed: 0, unchanged: N }));

    if (!existsSync(dumps[2]!)) {
      progress(`writing ${dumps[2]} (${MODIFIED} modified, ${ADDED} added, ${REMOVED} removed)`);
      await writeSnapshot(dumps[2]!, TAKEN[2], changedRecords());
    }
    progress(`3: re-ingest with changes${label}`);
    const changed = await ingest(`3 re-ingest with changes${label}`, dumps[2]!, into);
    const changedWant = { added: ADDED, modified: MODIFIED, removed: REMOVED, unchanged: N - MODIFIED - REMOVED };
    expectCounts('3 re-ingest with changes', changed.summary, { status: 'applied', ...changedWant });
    row('3 re-ingest, 1% mod +0.5% -0.5%', N - REMOVED + ADDED, changed, await peer('3', dumps[2]!, changedWant));

    progress(`4: inventory export ${FROM}..${TO}${label}`);
    const out = join(work, `export${label.replace(/\W/g, '')}`);
    const exported = await measure('4 export', [BIN, '--db', into, '--config', config, 'export', '--from', FROM, '--to', TO, '--type', 'vm', '--out', out]);
    const csv = await digestLines(join(out, 'vm.csv'));
    const csvRows = csv.lines - 1;
    // Every day shows every present resource; the last day also shows the removed ones (SPEC §8.1).
    const wantRows = EXPORT_DAYS * N + ADDED;
    if (csvRows !== wantRows) failedChecks.push(`4 export${label}: expected ${wantRows} rows in vm.csv, got ${csvRows}`);
    if (!opts.keep) rmSync(out, { recursive: true }); // a GiB at N = 100 000
    // Its floor writes the same rows from memory; a file that differs at all fails the bench.
    if (peers && floorPossible) {
      progress('4: the export floor (the same rows rendered and written from memory)');
      const floorCsv = join(work, 'export-floor.csv');
      const run = await measure('the export floor', [process.execPath, '--max-old-space-size=8192', '--import', 'tsx', EXPORT_FLOOR, floorCsv, FROM, TO, ...dumps]);
      const got = JSON.parse(run.stdout) as { rows: number; render_write_s: number };
      const written = await digestLines(floorCsv);
      if (!opts.keep) rmSync(floorCsv);
      if (got.rows !== csvRows || written.sha1 !== csv.sha1) fail(`the export floor wrote ${got.rows} rows (sha1 ${written.sha1}); the export ${csvRows} (sha1 ${csv.sha1})`);
      exportFloor = { ...got, peak_rss_mib: run.rssMiB };
      exportedWall = exported.wallS;
    }
    row(`4 export inventory, ${EXPORT_DAYS} days (rows)`, csvRows, exported);
  };
  let exportFloor: { rows: number; render_write_s: number; peak_rss_mib: number } | undefined;
  let exportedWall = 0;
  await scenarios(db, '', row, true);
  // SPEC §10: the same on PostgreSQL, beside SQLite's figures of this run.
  const pgRows: Row[] = [];
  if (opts.store === 'postgres') {
    await scenarios(await benchDatabase(), ' (PostgreSQL)', (name, records, run) =>
      pgRows.push({ name, records, wall_s: run.wallS, peak_rss_mib: run.rssMiB, ratio_to_floor: null, net_ratio_to_floor: null, duckdb_s: null, net_ratio_to_duckdb: null }),
    false);
  }

  // --- report --------------------------------------------------------------------------------
  const table: string[][] = [['scenario', 'records', 'wall (s)', 'records/s', 'peak RSS (MiB)', '× floor', '× floor net', 'DuckDB (s)', 'net / DuckDB']];
  if (floor) {
    table.push(['floor (a) read + JSON.parse', int(N), floor.read_parse_s.toFixed(2), int(N / floor.read_parse_s), '', '', '', '', '']);
    table.push(['floor (b) bare INSERTs, 1 txn', int(N), floor.insert_s.toFixed(2), int(N / floor.insert_s), '', '', '', '', '']);
    table.push(['floor (a)+(b)', int(N), floor.total_s.toFixed(2), int(N / floor.total_s), int(floor.peak_rss_mib), '1.00', '1.00', '', '']);
  } else {
    table.push(["floor: n/a (file larger than V8's maximum string)"]);
  }
  for (const r of rows) {
    if (r.name.startsWith('4 ') && exportFloor) {
      const s = exportFloor.render_write_s;
      table.push(['export floor: render + write, no SQL', int(exportFloor.rows), s.toFixed(2), int(exportFloor.rows / s), int(exportFloor.peak_rss_mib), '', '', '', '']);
    }
    table.push([
      r.name,
      int(r.records),
      r.wall_s.toFixed(2),
      int(r.records / r.wall_s),
      int(r.peak_rss_mib),
      r.ratio_to_floor?.toFixed(2) ?? 'n/a',
      r.net_ratio_to_floor?.toFixed(2) ?? 'n/a',
      r.duckdb_s?.toFixed(2) ?? '',
      r.net_ratio_to_duckdb?.toFixed(2) ?? '',
    ]);
  }
  console.log(`\nusage-etl bench: N = ${int(N)} vm resources; first dump ${(size / MIB).toFixed(1)} MiB (${int(size / N)} bytes/record${PAD ? `, padded by ${PAD}` : ''})`);
  console.log(`node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} CPU(s), ${cpus()[0]?.model ?? ''}`.trimEnd());
  console.log(`CLI start-up (\`usage-etl --help\`): ${startup.wallS.toFixed(2)} s, ${int(startup.rssMiB)} MiB; included in the wall times below\n`);
  printTable(table);
  if (exportFloor) {
    console.log(`\nexport / its floor: ${(exportedWall / exportFloor.render_write_s).toFixed(2)} (net of start-up ${((exportedWall - startup.wallS) / exportFloor.render_write_s).toFixed(2)}); the same vm.csv, byte for byte`);
  }
  console.log(
    '\nwall time and peak RSS are per process (GNU time %M); the floor\'s times are measured inside its process,\n' +
      "so '× floor net' takes the CLI's start-up off the wall time before dividing; so does 'net / DuckDB', over the\n" +
      "peer's time inside its process (from loading DuckDB to closing its file; its threads as DuckDB chooses).",
  );
  if (pgRows.length) {
    console.log(`\nPostgreSQL (${opts.store}), the same scenarios beside SQLite's; '× SQLite' is the wall time's ratio, start-up included\n`);
    const beside: string[][] = [['scenario', 'SQLite wall (s)', 'PostgreSQL wall (s)', '× SQLite', 'records/s', 'peak RSS (MiB)']];
    pgRows.forEach((r, i) => beside.push([r.name, rows[i]!.wall_s.toFixed(2), r.wall_s.toFixed(2), (r.wall_s / rows[i]!.wall_s).toFixed(2), int(r.records / r.wall_s), int(r.peak_rss_mib)]));
    printTable(beside);
  }
  console.log(
    JSON.stringify({
      n: N,
      pad_bytes: PAD,
      file_bytes: size,
      node: process.version,
      cpus: cpus().length,
      startup_s: startup.wallS,
      floor: floor ?? null,
      export_floor: exportFloor ?? null,
      scenarios: rows.map((r) => ({ ...r, records_per_s: r.records / r.wall_s })),
      postgres: pgRows.length ? pgRows.map((r, i) => ({ name: r.name, wall_s: r.wall_s, peak_rss_mib: r.peak_rss_mib, x_sqlite: r.wall_s / rows[i]!.wall_s })) : undefined,
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
  console.log(`\nusage-etl bench: HPC ledger streams, L = ${int(HPC_LINES)} lines (and L/4); wall times include start-up (${startup.wallS.toFixed(2)} s)\n`);
  printTable(table);
  console.log('\nA ledger file is applied in batches of 20 000 jobs (one transaction each): peak RSS should not grow with the file.');
  console.log(JSON.stringify({ hpc_lines: HPC_LINES, node: process.version, cpus: cpus().length, startup_s: startup.wallS, scenarios: rows, ok: failedChecks.length === 0 }));
}

// --- the usage report over 30 daily snapshots (bench/usage.ts) ---------------------------------

interface UsageHistoryRun extends UsageRun {
  readonly db: string;
}

// A function, not an arrow constant: the run above calls into this part before a constant would exist.
function exportArgs(into: string, out: string, report: string): string[] {
  return [BIN, '--db', into, '--config', config, 'export', '--from', USAGE_FROM, '--to', USAGE_TO, '--report', report, '--type', 'vm', '--out', out];
}

/**
 * A history of n VMs written, ingested by one run over its folder, and its usage export measured and
 * checked; `checks` collects the figures compared, for the table's foot.
 */
async function usageRun(n: number, checks: string[]): Promise<UsageHistoryRun> {
  const dir = join(work, `usage-${n}`);
  const dumpDir = join(dir, 'dumps');
  progress(`usage: writing 30 daily snapshots of ${int(n)} VMs`);
  const history = await writeUsageHistory(dumpDir, n);
  progress(`usage: ingesting them (${(history.bytes / MIB).toFixed(0)} MiB; one run over the folder, not the measured figure)`);
  const into = join(dir, 'usage.db');
  const ingested = await ingestAll(`usage: ingest of 30 snapshots of ${n} VMs`, dumpDir, into);
  if (ingested.summaries.length !== history.days.length) failedChecks.push(`usage ingest (N = ${n}): expected ${history.days.length} snapshot summaries, got ${ingested.summaries.length}`);
  for (const day of history.days) {
    const got = ingested.summaries.find((s) => s.taken_at === day.taken_at);
    const { taken_at: takenAt, ...counts } = day;
    if (!got) failedChecks.push(`usage ingest (N = ${n}): no summary for the snapshot of ${takenAt}`);
    else expectCounts(`usage ingest (N = ${n}) of ${takenAt}`, got, { status: 'applied', ...counts });
  }
  if (!opts.keep) rmSync(dumpDir, { recursive: true });

  progress(`usage: usage export ${USAGE_FROM}..${USAGE_TO} (N = ${int(n)})`);
  const out = join(dir, 'usage-export');
  const usage = await measure('usage export', exportArgs(into, out, 'usage'));
  const got = await usageCsvFigures(join(out, 'usage_vm.csv'));
  const want = history.expected;
  checks.push(
    `usage_vm.csv at N = ${int(n)}: rows ${int(got.rows)} (expected ${int(want.rows)}), instances ${int(got.instances)} (expected ${int(want.instances)}), ` +
      `instance_hours ${hoursText(got.instanceMicroHours)} (expected ${hoursText(want.instanceMicroHours)}), vcpu_hours ${hoursText(got.vcpuMicroHours)} (expected ${hoursText(want.vcpuMicroHours)}), ` +
      `estimated_hours ${hoursText(got.estimatedMicroHours)} (expected ${hoursText(want.estimatedMicroHours)})`,
  );
  for (const key of ['rows', 'instances', 'instanceMicroHours', 'vcpuMicroHours', 'estimatedMicroHours'] as const) {
    if (got[key] !== want[key]) failedChecks.push(`usage export (N = ${n}): ${key} ${got[key]}, expected ${want[key]} from the generated history`);
  }
  return { n, history, db: into, ingest: ingested, usage, got };
}

/** SPEC §11: the 30-day usage export over 30 daily snapshots, against the inventory export and a SQL peer; memory at N and N/4. */
async function usageScenarios(startup: Measured): Promise<void> {
  const checks: string[] = [];
  const big = await usageRun(USAGE_N, checks);

  progress('usage: the 30-day inventory export of the same database (the yardstick)');
  const inventoryOut = join(work, 'usage-inventory');
  const inventory = await measure('inventory export', exportArgs(big.db, inventoryOut, 'inventory'));
  const inventoryRows = (await countLines(join(inventoryOut, 'vm.csv'))) - 1;
  if (inventoryRows !== big.history.inventoryRows) failedChecks.push(`usage: inventory export: expected ${big.history.inventoryRows} rows in vm.csv, got ${inventoryRows}`);
  if (!opts.keep) rmSync(inventoryOut, { recursive: true });

  progress('usage: the SQL peer, one query over a read-only copy of the database');
  const copy = join(work, 'usage-sql.db');
  copyFileSync(big.db, copy);
  if (existsSync(`${big.db}-wal`)) copyFileSync(`${big.db}-wal`, `${copy}-wal`);
  const sql = await measure('the SQL peer', [process.execPath, '--import', 'tsx', USAGE_SQL, copy, 'bench', USAGE_FROM, USAGE_TO, join(work, 'usage-sql.csv')]);
  let peer: Omit<UsageFigures, 'estimatedMicroHours'>;
  try {
    peer = JSON.parse(sql.stdout) as typeof peer;
  } catch {
    fail(`the SQL peer printed no figures: ${JSON.stringify(sql.stdout.slice(0, 200))}`);
  }
  // The peer rounds each row's hours to 6 decimals from exact milliseconds; we count on a micro-hour grid.
  const tolerance = 1000 * big.got.rows;
  const agrees = peer.rows === big.got.rows && Math.abs(peer.instanceMicroHours - big.got.instanceMicroHours) <= tolerance;
  checks.push(
    `SQL peer: rows ${int(peer.rows)}, instances ${int(peer.instances)}, instance_hours ${hoursText(peer.instanceMicroHours)}, vcpu_hours ${hoursText(peer.vcpuMicroHours)} ` +
      `(ours: ${int(big.got.rows)} rows, ${hoursText(big.got.instanceMicroHours)} h; allowed difference 0.001 h × rows = ${hoursText(tolerance)} h)`,
  );
  if (!agrees) failedChecks.push(`usage: the SQL peer disagrees: ${peer.rows} rows, ${hoursText(peer.instanceMicroHours)} h; ours ${big.got.rows} rows, ${hoursText(big.got.instanceMicroHours)} h`);

  const small = await usageRun(Math.floor(USAGE_N / 4), checks);

  printUsageResults({ startup, big, small, inventory: { ...inventory, rows: inventoryRows }, peer: { ...sql, ...peer, agrees }, checks, ok: failedChecks.length === 0 });
}
