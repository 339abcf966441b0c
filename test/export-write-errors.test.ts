// An export whose output fails under it (issue 13 item 11): a full disk, /dev/full, a zip onto a
// pipe. One line naming the cause and the place, exit 1 — never "unexpected error: This database
// connection is busy", which the database's close used to print over the cause while the rows'
// statement was still open. The history is big enough (over 2000 changes, over two days) for the
// failure to come while that statement is mid-way.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { BIN, runCli, tempDir } from './support/cli.ts';

const VMS = 1500;
const RANGE = ['--from', '2026-11-20', '--to', '2026-11-21'];
let dir: string;
let db: string;

/** Canonical snapshots of a cloud of VMS servers on two days, each one resized on the second. */
function writeSnapshots(into: string): string[] {
  return ['2026-11-20', '2026-11-21'].map((day, d) => {
    const file = join(into, `tango-cloud-vm-${day}.jsonl`);
    const header = JSON.stringify({ source: 'tango-cloud', resource_type: 'vm', taken_at: `${day}T02:00:00Z`, complete: true });
    const servers = Array.from({ length: VMS }, (_, i) =>
      JSON.stringify({
        id: `tc-${String(i).padStart(5, '0')}`,
        status: 'ACTIVE',
        tenant_id: `proj-${i % 17}`,
        flavor_id: d ? 'c2.large' : 'c2.small',
        vcpus: d ? 8 : 2,
        ram_mb: d ? 32768 : 8192,
        hypervisor: `cn${String(i % 97).padStart(3, '0')}.tango.example.org`,
        availability_zone: 'tango',
        created_at: '2026-09-01T00:00:00Z',
      }),
    );
    writeFileSync(file, `${[header, ...servers].join('\n')}\n`);
    return file;
  });
}

/** The one line of stderr, checked to be the cause and not the database's complaint. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.doesNotMatch(lines[0]!, /unexpected error|busy/, stderr);
  return lines[0]!;
}

/** The CLI with its stdout on `fd` (a file or a device); exit code and stderr. */
function runWithStdout(args: string[], fd: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', db, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const canMount = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs ${tempDir()}`]).status === 0;
if (!canMount) console.log('# export-write-errors: skipping the full-disk test: this machine cannot mount a tmpfs in a private namespace (unshare -m, as root)');

/**
 * A full device for --zip: as root, a private node like /dev/full (an export that replaced its
 * target would replace only that one); otherwise /dev/full itself, which no other user can replace.
 */
function fullDevice(): string | undefined {
  if (process.getuid?.() !== 0) return '/dev/full';
  const node = join(tempDir(), 'full');
  // Linux's /dev/full is the character device 1,7. As root, never /dev/full itself.
  return spawnSync('mknod', ['-m', '666', node, 'c', '1', '7']).status === 0 ? node : undefined;
}
const zipDevice = fullDevice();
if (!zipDevice) console.log('# export-write-errors: skipping the --zip onto a full device test: as root it needs mknod, to leave /dev/full alone');

before(async () => {
  dir = tempDir();
  db = join(dir, 'usage.db');
  const run = await runCli(['-q', '--db', db, 'ingest', '--dump', ...writeSnapshots(dir)], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
});

describe('export onto a full disk (issue 13)', () => {
  it('--stdout onto /dev/full: exit 1, "no space left on device writing standard output"', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const run = await runWithStdout(['export', ...RANGE, '--type', 'vm', '--stdout'], full);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(oneLine(run.stderr), 'usage-etl: no space left on device writing standard output');
    } finally {
      closeSync(full);
    }
  });

  it('--zip onto a full device: exit 1, the device named, and left a device', { skip: !zipDevice }, async () => {
    const device = zipDevice!;
    const run = await runCli(['--db', db, 'export', ...RANGE, '--report', 'inventory', '--report', 'changes', '--zip', device], { cwd: dir });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(oneLine(run.stderr), `usage-etl: no space left on device writing ${device}`);
    assert.ok(lstatSync(device).isCharacterDevice(), 'not replaced by a file');
  });

  // The zip compresses this repetitive history well below 64 KiB: its disk is smaller.
  for (const { output, size, args, failed } of [
    { output: '--out', size: '64k', args: (disk: string) => ['--out', disk], failed: (disk: string) => join(disk, 'vm.csv') },
    { output: '--zip', size: '8k', args: (disk: string) => ['--report', 'inventory', '--report', 'changes', '--zip', join(disk, 'nov.zip')], failed: (disk: string) => join(disk, 'nov.zip') },
  ]) {
    it(`${output} on a disk that fills: exit 1, the file named, nothing half-written left`, { skip: !canMount }, () => {
      const disk = tempDir();
      const cli = [process.execPath, BIN, '--db', db, 'export', ...RANGE, ...args(disk)].map((a) => `'${a}'`).join(' ');
      const run = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=${size} tmpfs '${disk}' && ${cli}; echo "exit $?"; ls -A '${disk}'`], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      const [exit, ...files] = run.stdout.trim().split('\n');
      assert.equal(exit, 'exit 1', run.stderr);
      assert.equal(oneLine(run.stderr), `usage-etl: no space left on device writing ${failed(disk)}`);
      assert.deepEqual(files, [], 'no .partial left');
    });
  }
});

describe('--zip onto something that is not a regular file', () => {
  it('writes a pipe in place (a link to /proc/self/fd/1, like /dev/stdout), never replacing the link', () => {
    const link = join(tempDir(), 'stdout');
    symlinkSync('/proc/self/fd/1', link);
    const zip = join(tempDir(), 'piped.zip');
    // A shell pipe, as `usage-etl export --zip /dev/stdout | ssh …` has; -q keeps the "wrote" line out of the zip.
    const cli = [process.execPath, BIN, '-q', '--db', db, 'export', ...RANGE, '--type', 'vm', '--zip', link].map((a) => `'${a}'`).join(' ');
    const run = spawnSync('sh', ['-c', `${cli} | cat > '${zip}'`], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.equal(spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).stdout.trim(), 'vm.csv');
    assert.equal(readlinkSync(link), '/proc/self/fd/1', 'still the link');
    assert.deepEqual(readdirSync(join(link, '..')), ['stdout'], 'no .partial beside it');
  });

  it('a pipe whose reader is gone: exit 1, "its reader closed the pipe before the end", unlike --stdout', () => {
    // `true` reads nothing and exits long before the CLI has started: the first write finds no reader.
    const cli = [process.execPath, BIN, '-q', '--db', db, 'export', ...RANGE, '--type', 'vm', '--zip', '/dev/stdout'].map((a) => `'${a}'`).join(' ');
    const run = spawnSync('bash', ['-c', `${cli} | true; echo "exit \${PIPESTATUS[0]}" >&2`], { cwd: dir, encoding: 'utf8' });
    const [line, exit] = run.stderr.trim().split('\n');
    assert.equal(exit, 'exit 1', run.stderr);
    assert.equal(oneLine(`${line}\n`), 'usage-etl: /dev/stdout: cannot write the export: its reader closed the pipe before the end');
  });
});
