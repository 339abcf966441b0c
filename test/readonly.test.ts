// Users who may only read the database (issue 13 item 13): an analyst's status, export, dry run and
// validate work in a folder they cannot write, and leave nothing in one they can that would lock the
// database's owner out. Root ignores file permissions, so the other users are run with `setpriv`:
// nobody (65534) reads, uid 4242 stands for the operator account that owns the database.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, FIXTURES, tempDir } from './support/cli.ts';

const NOBODY = 65534;
const OWNER = 4242;
const canDropPrivileges = process.getuid?.() === 0 && spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'true']).status === 0;
if (!canDropPrivileges) console.log('# readonly: skipping: these tests need root and setpriv, to run the CLI as other users');

const DAY1 = join(FIXTURES, 'sequence', '2026-11-01');
const DAY2 = join(FIXTURES, 'sequence', '2026-11-02');

/** A database folder with `mode`, and a folder every user may write for their own files (HOME, exports). */
function folders(mode: number): { dir: string; db: string; work: string } {
  const top = tempDir();
  chmodSync(top, 0o755);
  const dir = join(top, 'db');
  const work = join(top, 'work');
  mkdirSync(dir);
  mkdirSync(work);
  chmodSync(dir, mode);
  chmodSync(work, 0o777);
  return { dir, db: join(dir, 'usage.db'), work };
}

/** The CLI as `uid` (root when 0). */
function cli(uid: number, work: string, args: string[]) {
  const command = [process.execPath, BIN, ...args];
  const as = uid === 0 ? command : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...command];
  const run = spawnSync(as[0]!, as.slice(1), {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, HOME: work, NO_COLOR: '1', USAGE_ETL_DB: undefined, USAGE_ETL_CONFIG: undefined },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Each file in the database folder with its owner. */
function owners(dir: string): string[] {
  return readdirSync(dir).sort().map((name) => `${name} ${statSync(join(dir, name)).uid}`);
}

/** What an analyst runs; each must exit 0. */
function readAll(uid: number, db: string, work: string): void {
  const status = cli(uid, work, ['--db', db, 'status']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /nectar-sa \/ vm/);
  const out = join(work, `export-${Math.random().toString(36).slice(2)}`);
  const exported = cli(uid, work, ['--db', db, 'export', '--from', '2026-11-01', '--to', '2026-11-02', '--out', out]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(existsSync(join(out, 'vm.csv')), 'vm.csv written');
  const dry = cli(uid, work, ['--db', db, 'ingest', '--dry-run', '--dump', DAY2]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout + dry.stderr, /\[dry run\]/);
  const validate = cli(uid, work, ['--db', db, 'validate', DAY2]);
  assert.equal(validate.code, 0, validate.stderr);
}

describe('users who may only read the database (issue 13)', { skip: !canDropPrivileges }, () => {
  it('in a folder they cannot write: status, export, ingest --dry-run and validate work, create nothing, and see the next ingest', () => {
    const { dir, db, work } = folders(0o755);
    assert.equal(cli(0, work, ['-q', '--db', db, 'ingest', '--dump', DAY1]).code, 0);
    readAll(NOBODY, db, work);
    assert.deepEqual(owners(dir), ['usage.db 0', 'usage.db-shm 0', 'usage.db-wal 0']);

    const next = cli(0, work, ['-q', '--db', db, 'ingest', '--dump', DAY2]);
    assert.equal(next.code, 0, next.stderr);
    const status = cli(NOBODY, work, ['--db', db, 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /nectar-sa \/ volume_snapshot/, 'the reader sees what the last ingest added');
  });

  it("in a shared folder they can write: nothing of theirs is left there, and the owner's next ingest works", () => {
    const { dir, db, work } = folders(0o777);
    const first = cli(OWNER, work, ['-q', '--db', db, 'ingest', '--dump', DAY1]);
    assert.equal(first.code, 0, first.stderr);
    readAll(NOBODY, db, work);
    assert.deepEqual(owners(dir), [`usage.db ${OWNER}`, `usage.db-shm ${OWNER}`, `usage.db-wal ${OWNER}`]);

    const next = cli(OWNER, work, ['-q', '--db', db, 'ingest', '--dump', DAY2]);
    assert.equal(next.code, 0, next.stderr);
  });

  it('a database its owner made read-only (chmod a-w on it, its WAL files and its folder): the owner and others read it, nothing changes', () => {
    const { dir, db, work } = folders(0o777);
    assert.equal(cli(OWNER, work, ['-q', '--db', db, 'ingest', '--dump', DAY1]).code, 0);
    for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o444);
    chmodSync(dir, 0o555);
    const before = owners(dir).map((line) => `${line} ${statSync(join(dir, line.split(' ')[0]!)).mtimeMs}`);
    for (const uid of [NOBODY, OWNER]) readAll(uid, db, work);
    assert.deepEqual(
      owners(dir).map((line) => `${line} ${statSync(join(dir, line.split(' ')[0]!)).mtimeMs}`),
      before,
    );
  });

  it('a database without its WAL files (removed, or an older usage-etl): the read is refused in one line, nothing is created', () => {
    const { dir, db, work } = folders(0o777);
    assert.equal(cli(OWNER, work, ['-q', '--db', db, 'ingest', '--dump', DAY1]).code, 0);
    for (const suffix of ['-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });

    const refused = cli(NOBODY, work, ['--db', db, 'export', '--from', '2026-11-01', '--to', '2026-11-01', '--out', join(work, 'out')]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /usage\.db-wal and usage\.db-shm, which every ingest leaves beside it for readers, are missing .* run an ingest as the owner first/);
    assert.deepEqual(owners(dir), [`usage.db ${OWNER}`]);

    // The owner's own read may create them: they are the owner's.
    const own = cli(OWNER, work, ['--db', db, 'status']);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(cli(NOBODY, work, ['--db', db, 'status']).code, 0);
  });

  it("WAL files another user's read left (an older usage-etl): the owner's ingest names them", () => {
    const { db, work } = folders(0o777);
    assert.equal(cli(OWNER, work, ['-q', '--db', db, 'ingest', '--dump', DAY1]).code, 0);
    for (const suffix of ['-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
    // What a read-only command did before: SQLite made both files as the reader.
    const made = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'sh', '-c', `touch '${db}-wal' '${db}-shm'`]);
    assert.equal(made.status, 0, String(made.stderr));

    const run = cli(OWNER, work, ['--db', db, 'ingest', '--dump', DAY2]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`usage\\.db-wal belongs to uid ${NOBODY} and is not writable by this user .* give it to the database's owner \\(chown\\) or remove it if it is empty`));
  });
});
