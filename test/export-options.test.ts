// `export` as an analyst or cron meets it: a closed pipe, mistyped options, ranges by month or by
// `yesterday`, which files an empty range writes, one time precision, Excel's byte-order mark.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { BIN, FIXTURES, runCli, tempDir } from './support/cli.ts';

/** A canonical snapshot of `count` instances, written into `dir`; returns its path. */
function vmSnapshot(dir: string, takenAt: string, count: number, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `vm-${takenAt.replace(/[^0-9]/g, '')}.json`);
  const resources = Array.from({ length: count }, (_, i) => ({
    id: `vm-${String(i).padStart(5, '0')}`,
    status: 'ACTIVE',
    tenant_id: `proj-${i % 7}`,
    flavor_id: 'm3.small',
    vcpus: 2,
    ram_mb: 4096,
    disk_gb: 30,
    availability_zone: 'sa',
    created_at: '2026-09-01T00:00:00Z',
    ...extra,
  }));
  writeFileSync(path, JSON.stringify({ source: 'lab', resource_type: 'vm', taken_at: takenAt, resources }));
  return path;
}

async function ingest(dir: string, ...paths: string[]): Promise<void> {
  for (const path of paths) {
    const run = await runCli(['-q', 'ingest', '--dump', path], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
  }
}

describe('export --stdout into a pipe closed early', () => {
  it('ends quietly with exit 0 when the reader has had enough (`| head -1`)', async () => {
    const dir = tempDir();
    // Several megabytes of CSV: far more than a pipe buffer holds.
    await ingest(dir, vmSnapshot(dir, '2026-11-01T02:00:00Z', 5000));
    const child = spawn(process.execPath, [BIN, 'export', '--from', '2026-11-01', '--to', '2026-11-10', '--type', 'vm', '--stdout'], {
      cwd: dir,
      env: { ...process.env, HOME: dir, USAGE_ETL_DB: undefined, USAGE_ETL_CONFIG: undefined, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.match(first, /^source,resource_type,stats_on_date,id,/);
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});

/** Rows as objects keyed by the header (cells here hold no commas). */
function rows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [names[i], value])));
}

const days = (csv: string) => [...new Set(rows(csv).map((r) => r.stats_on_date))];
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('export options', () => {
  it('names an unknown option (--frm) instead of complaining about the missing --from', async () => {
    const run = await runCli(['export', '--frm', '2026-11-01', '--to', '2026-11-30']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown option '--frm'/);
    assert.doesNotMatch(run.stderr, /required option/);
  });

  it('still needs a range: a missing --to, a bad month or --month with --from are usage errors', async () => {
    const missing = await runCli(['export', '--from', '2026-11-01']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --to/);
    const month = await runCli(['export', '--month', '2026-13']);
    assert.equal(month.code, 2);
    assert.match(month.stderr, /--month: expected a month as YYYY-MM, found 2026-13/);
    const both = await runCli(['export', '--month', '2026-11', '--from', '2026-11-01']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--month .*without --from and --to/);
  });

  it('--month is the whole UTC month, into ./export-<first>-<last>/', async () => {
    const dir = tempDir();
    // Snapshots an hour outside the month on either side: a month in the past, as real snapshots are.
    await ingest(dir, vmSnapshot(dir, '2026-09-30T23:00:00Z', 3), vmSnapshot(dir, '2026-11-01T01:00:00Z', 3));
    const run = await runCli(['export', '--month', '2026-10', '--type', 'vm'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const csv = readFileSync(join(dir, 'export-2026-10-01-2026-10-31', 'vm.csv'), 'utf8');
    const seen = days(csv);
    assert.equal(seen.length, 31);
    assert.equal(seen[0], '2026-10-01');
    assert.equal(seen.at(-1), '2026-10-31');
  });

  it('--from yesterday --to yesterday is the previous UTC day, --to today the current one', async () => {
    const dir = tempDir();
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const yesterday = today - 86_400_000;
    const at = (day: number) => new Date(day + 2 * 3_600_000).toISOString();
    await ingest(dir, vmSnapshot(dir, at(yesterday - 86_400_000), 2), vmSnapshot(dir, at(yesterday), 2), vmSnapshot(dir, at(today), 2));
    const one = await runCli(['export', '--from', 'yesterday', '--to', 'yesterday', '--type', 'vm', '--stdout'], { cwd: dir });
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(days(one.stdout), [utcDay(yesterday)]);
    const two = await runCli(['export', '--from', 'yesterday', '--to', 'today', '--type', 'vm', '--stdout'], { cwd: dir });
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(days(two.stdout), [utcDay(yesterday), utcDay(today)]);
  });
});

describe('which files an export writes', () => {
  let cwd: string;
  before(async () => {
    cwd = tempDir();
    await ingest(cwd, join(FIXTURES, 'sequence'));
  });

  it('--stdout: a type whose snapshots all lie outside the range does not count as a second file', async () => {
    // Nov 3-4: every type but vm was last seen on Nov 1 or 2 (SPEC 8.1: no rows after that day).
    const run = await runCli(['export', '--from', '2026-11-03', '--to', '2026-11-04', '--stdout'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^source,resource_type,stats_on_date,id,status,/);
    assert.match(run.stdout, /^nectar-sa,vm,2026-11-04,/m);
  });

  it('writes a type only when it has rows in the range, unless it is named with --type', async () => {
    // On the 3rd and 4th only the instances have rows: the other types were last seen before.
    const all = await runCli(['export', '--from', '2026-11-03', '--to', '2026-11-04', '--out', 'quiet'], { cwd });
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(readdirSync(join(cwd, 'quiet')), ['vm.csv']);
    const named = await runCli(['export', '--from', '2026-11-03', '--to', '2026-11-04', '--type', 'image', '--type', 'vm', '--out', 'named'], { cwd });
    assert.equal(named.code, 0, named.stderr);
    assert.deepEqual(readdirSync(join(cwd, 'named')).sort(), ['image.csv', 'vm.csv']);
    assert.equal(readFileSync(join(cwd, 'named', 'image.csv'), 'utf8').split('\n').length, 2, 'the header only');
  });

  it('writes no file and warns when no type has rows in the range', async () => {
    const run = await runCli(['export', '--from', '2026-10-01', '--to', '2026-10-31', '--out', 'october'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!existsSync(join(cwd, 'october')));
    assert.match(run.stderr, /^warning: nothing to export: no type has rows in this range/);
  });

  it('always writes the documented files of a report asked for by name, so a monthly script finds them', async () => {
    const run = await runCli(['export', '--month', '2026-10', '--report', 'usage', '--report', 'changes', '--out', 'reports'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(join(cwd, 'reports')).sort(), ['changes.csv', 'usage_job.csv', 'usage_storage.csv', 'usage_vm.csv', 'usage_volume.csv']);
  });

  it('writes the one CSV asked for on stdout, header only, even without rows', async () => {
    const dir = tempDir();
    await ingest(dir, vmSnapshot(dir, '2026-11-01T02:00:00Z', 2));
    const run = await runCli(['export', '--from', '2026-10-01', '--to', '2026-10-31', '--stdout'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^source,resource_type,stats_on_date,id,[^\n]*\n$/);
  });
});

describe('one time precision in every export', () => {
  it('prints whole seconds, also for snapshots and records that carry milliseconds', async () => {
    const dir = tempDir();
    // A live snapshot's taken_at has milliseconds; a dump's has none: both print alike.
    await ingest(
      dir,
      vmSnapshot(dir, '2026-11-20T02:00:00Z', 1, { launched_at: '2026-11-19T10:00:00.123456Z' }),
      vmSnapshot(dir, '2026-11-21T02:00:00.457Z', 1, { created_at: '2026-09-01T00:00:00.250Z', launched_at: '2026-11-21T01:30:00.999Z' }),
    );
    const changes = await runCli(['export', '--from', '2026-11-21', '--to', '2026-11-21', '--report', 'changes', '--stdout'], { cwd: dir });
    assert.equal(changes.code, 0, changes.stderr);
    assert.deepEqual(
      rows(changes.stdout).map((r) => `${r.at} ${r.field} ${r.old} -> ${r.new}`),
      ['2026-11-21T02:00:00Z created_at 2026-09-01T00:00:00Z -> 2026-09-01T00:00:00Z', '2026-11-21T02:00:00Z launched_at 2026-11-19T10:00:00Z -> 2026-11-21T01:30:00Z'],
    );
    const inventory = await runCli(['export', '--from', '2026-11-21', '--to', '2026-11-21', '--type', 'vm', '--stdout'], { cwd: dir });
    assert.equal(rows(inventory.stdout)[0]!.created_at, '2026-09-01T00:00:00Z');
    assert.equal(rows(inventory.stdout)[0]!.launched_at, '2026-11-21T01:30:00Z');
    const lifecycles = await runCli(['export', '--from', '2026-11-21', '--to', '2026-11-21', '--report', 'lifecycles', '--type', 'vm', '--stdout'], { cwd: dir });
    assert.equal(lifecycles.code, 0, lifecycles.stderr);
    // The lifecycles' start and end are billed exactly: milliseconds, always, one format for the column.
    assert.deepEqual(rows(lifecycles.stdout).map((r) => r.start), ['2026-11-19T10:00:00.123Z']);
    assert.doesNotMatch(changes.stdout + inventory.stdout, /\d\d:\d\d:\d\d\.\d/);
  });
});

describe('export --excel', () => {
  const BOM = [0xef, 0xbb, 0xbf];

  it('starts every CSV (files, zip entries, stdout) with a UTF-8 byte-order mark; without it, none', async () => {
    const dir = tempDir();
    await ingest(dir, vmSnapshot(dir, '2026-11-21T02:00:00Z', 2, { tenant_id: 'projet-été' }));
    const range = ['--from', '2026-11-21', '--to', '2026-11-21'];
    const out = await runCli(['export', ...range, '--report', 'inventory', '--report', 'changes', '--excel', '--out', 'excel'], { cwd: dir });
    assert.equal(out.code, 0, out.stderr);
    for (const name of ['vm.csv', 'changes.csv']) {
      const bytes = readFileSync(join(dir, 'excel', name));
      assert.deepEqual([...bytes.subarray(0, 3)], BOM, name);
      assert.match(bytes.subarray(3).toString('utf8'), /^source,/, `${name}: then the CSV`);
    }
    assert.match(readFileSync(join(dir, 'excel', 'vm.csv'), 'utf8'), /,projet-été,/, 'accents as UTF-8');
    const zip = await runCli(['export', ...range, '--excel', '--zip', 'excel.zip'], { cwd: dir });
    assert.equal(zip.code, 0, zip.stderr);
    assert.deepEqual([...execFileSync('unzip', ['-p', join(dir, 'excel.zip'), 'vm.csv']).subarray(0, 3)], BOM);
    const stdout = spawnSync(process.execPath, [BIN, 'export', ...range, '--excel', '--stdout'], { cwd: dir, env: { ...process.env, HOME: dir } });
    assert.equal(stdout.status, 0, String(stdout.stderr));
    assert.deepEqual([...stdout.stdout.subarray(0, 3)], BOM);
    const plain = await runCli(['export', ...range, '--out', 'plain'], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(readFileSync(join(dir, 'plain', 'vm.csv'), 'utf8').slice(0, 7), 'source,', 'no mark by default (pandas and R do not want it)');
  });
});

describe('export progress', () => {
  let dir: string;
  const args = ['export', '--from', '2026-11-01', '--to', '2026-11-03', '--type', 'vm', '--out', 'out'];
  before(async () => {
    dir = tempDir();
    await ingest(dir, vmSnapshot(dir, '2026-11-01T02:00:00Z', 500));
  });

  it('shows nothing but the result without a terminal, and nothing at all with -q or JSON logs', async () => {
    const plain = await runCli(args, { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stderr, '');
    assert.match(plain.stdout, /^wrote out\/vm\.csv\n$/);
    const quiet = await runCli(['-q', ...args], { cwd: dir });
    assert.equal(quiet.stdout + quiet.stderr, '');
    const json = await runCli(['--log-format', 'json', ...args], { cwd: dir });
    assert.equal(json.stderr, '');
    assert.doesNotMatch(json.stdout, /rows written/);
  });

  // `script` (util-linux) gives the CLI a terminal of 100 columns.
  const script = spawnSync('script', ['--version']).status === 0;
  const onTerminal = (cli: string) =>
    spawnSync('script', ['-qc', `stty cols 100 rows 30; ${process.execPath} ${BIN} ${cli}`, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, HOME: dir, USAGE_ETL_DB: undefined, USAGE_ETL_CONFIG: undefined, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      encoding: 'utf8',
    });

  it('shows the rows written on a terminal, but not with -q or JSON logs', { skip: !script && 'no `script` command' }, () => {
    const shown = onTerminal(args.join(' '));
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /vm\.csv: [\d,]+ rows written/);
    assert.match(shown.stdout, /wrote out\/vm\.csv/);
    const quiet = onTerminal(['-q', ...args].join(' '));
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout, '');
    const json = onTerminal(['--log-format', 'json', ...args].join(' '));
    assert.equal(json.status, 0, json.stderr);
    assert.doesNotMatch(json.stdout, /rows written/);
    for (const line of json.stdout.split(/\r?\n/).filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
  });
});
