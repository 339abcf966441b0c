// Storage that fails under us (issue 13): a full disk, a database read-only to this user. One clear
// line each, exit 1, nothing half-made left behind. A full disk is a small tmpfs in a private mount
// namespace (`unshare -m`, as root); another user is `setpriv` to nobody. Where the machine cannot
// do either, the test says so and is skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, FIXTURES, runCli, tempDir } from './support/cli.ts';

const canMount = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs ${tempDir()}`]).status === 0;
const canDropPrivileges = process.getuid?.() === 0 && spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0;
if (!canMount) console.log('# storage-errors: skipping the full-disk tests: this machine cannot mount a tmpfs in a private namespace (unshare -m, as root)');
if (!canDropPrivileges) console.log('# storage-errors: skipping the read-only tests: they need root and setpriv, to run the CLI as another user');

/** Runs the CLI with a tmpfs of `size` at `dir` (first filled with `fill` KiB of zeros); sh's output. */
function onSmallDisk(dir: string, size: string, fillKiB: number, args: string[]) {
  const cli = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const script = `mount -t tmpfs -o size=${size} tmpfs '${dir}' && ` +
    (fillKiB ? `dd if=/dev/zero of='${dir}/fill' bs=1k count=${fillKiB} 2>/dev/null; ` : '') +
    `${cli}; echo "exit $?"; ls -1 '${dir}'`;
  const run = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', USAGE_ETL_DB: undefined } });
  const lines = run.stdout.trim().split('\n');
  const at = lines.findIndex((l) => l.startsWith('exit '));
  return { code: Number(lines[at]!.slice(5)), files: lines.slice(at + 1), stderr: run.stderr };
}

describe('storage that fails under us (issue 13)', () => {
  it('a disk that fills during an ingest: one line saying so, exit 1, no stack trace', { skip: !canMount }, () => {
    const dir = tempDir();
    const run = onSmallDisk(dir, '300k', 0, ['-q', '--db', join(dir, 'usage.db'), 'ingest', '--dump', join(FIXTURES, 'sequence'), join(FIXTURES, 'envelopes')]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^usage-etl: database error: the disk holding the database is full: free some space and run it again \(database or disk is full\)/);
  });

  it('a database that cannot even be created on a full disk leaves no stub file behind', { skip: !canMount }, () => {
    const dir = tempDir();
    const run = onSmallDisk(dir, '64k', 64, ['--db', join(dir, 'usage.db'), 'ingest', '--dump', join(FIXTURES, 'sequence', '2026-11-01')]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /database error: the disk holding the database is full/);
    assert.deepEqual(run.files, ['fill'], 'no usage.db, -wal or -shm left');
  });

  it('a database read-only to this user: one line saying so, exit 1', { skip: !canDropPrivileges }, async () => {
    const dir = tempDir();
    const db = join(dir, 'usage.db');
    const first = await runCli(['--db', db, 'ingest', '--dump', join(FIXTURES, 'sequence', '2026-11-01')], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    chmodSync(dir, 0o777); // nobody may create its journal files here; the database itself stays root's, 0644
    for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o644);
    const work = join(dir, 'nobody');
    mkdirSync(work);
    chmodSync(work, 0o777);
    const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '--db', db, 'ingest', '--dump', join(FIXTURES, 'sequence', '2026-11-02')], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, HOME: work, NO_COLOR: '1', USAGE_ETL_DB: undefined },
    });
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /database error: the database is read-only to this user/);
  });
});
