// `usage-etl ingest` as a new user meets it (issue 12): every path given is read, a snapshot from the
// wrong cloud is refused, and inputs we do not read are named. The real CLI on a real SQLite file,
// and on a fresh PostgreSQL database where the history matters.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli, workspace } from './support/cli.ts';
import { currentKeys, postgresSkip, STORES, workspaceOn } from './support/stores.ts';

const lines = (text: string) => text.split('\n').filter(Boolean);

for (const { kind, skip } of STORES) {
describe(`ingest --dump: a path after another option is read, not dropped (${kind})`, { concurrency: 2, skip }, () => {
  it('the command of the issue: exits 1 naming the trailing bad file, the good dump still lands', async () => {
    const { db } = await workspaceOn(kind);
    const result = await runCli(['--db', db, 'ingest', '--dump', 'fixtures/pbs/lyra', '--source', 'lyra', 'fixtures/bad/not-json.json'], { cwd: ROOT });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^usage-etl: fixtures\/bad\/not-json\.json: line 1, column 1: not valid JSON/m);
    assert.match(result.stdout, /^lyra job .*added 2\b/m);
  });

  it('a good trailing file is loaded like the others', async () => {
    const { dir, db } = await workspaceOn(kind);
    const day = join(FIXTURES, 'sequence', '2026-11-01');
    const result = await runCli(['--db', db, 'ingest', '--dump', join(day, 'flavors.json'), '--source', 'demo', join(day, 'servers.json')], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(lines(result.stdout).map((line) => line.split(' ').slice(0, 2).join(' ')), ['demo flavor', 'demo vm']);
  });
});
}

describe('globs (SPEC §4.3: a path may be a file, a directory or a glob)', () => {
  const snapshot = (dir: string, name: string, day: string) =>
    writeFileSync(join(dir, name), JSON.stringify({ source: 'g', resource_type: 'flavor', taken_at: `2026-11-${day}T02:00:00Z`, resources: [{ id: 'f1', name: `m${day}` }] }));

  it('read exactly their matches, in order; a glob matching nothing is a usage error', async () => {
    const { dir, db } = workspace();
    mkdirSync(join(dir, 'd'));
    for (const [name, day] of [['s2.json', '02'], ['s1.json', '01'], ['s3.json', '03']]) snapshot(join(dir, 'd'), name!, day!);
    const run = await runCli(['--db', db, 'ingest', '--dump', join(dir, 'd', 's[12].json')], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout).map((line) => line.split(' ')[2]), ['2026-11-01T02:00:00Z:', '2026-11-02T02:00:00Z:'], 's3.json is not matched');
    const none = await runCli(['--db', db, 'ingest', '--dump', join(dir, 'd', 'x*.json')], { cwd: dir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no files match .*x\*\.json/);
  });

  it("in a config's path, are read from the config file's folder whatever the working folder", async () => {
    const { dir } = workspace();
    mkdirSync(join(dir, 'etc', 'd'), { recursive: true });
    snapshot(join(dir, 'etc', 'd'), 'a.json', '01');
    writeFileSync(join(dir, 'etc', 'usage-etl.yaml'), 'db: usage.db\nsources:\n  g:\n    kind: dump\n    path: d/*.json\n');
    const run = await runCli(['--config', join(dir, 'etc', 'usage-etl.yaml'), 'ingest'], { cwd: ROOT });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^g flavor 2026-11-01T02:00:00Z: added 1/m);
  });

  it("a config's db: postgres://… URL is the database, not a path under the config's folder", { skip: postgresSkip }, async () => {
    const { dir, db } = await workspaceOn('postgres');
    mkdirSync(join(dir, 'etc', 'd'), { recursive: true });
    snapshot(join(dir, 'etc', 'd'), 'a.json', '01');
    writeFileSync(join(dir, 'etc', 'usage-etl.yaml'), `db: ${db}\nsources:\n  g:\n    kind: dump\n    path: d/*.json\n`);
    const run = await runCli(['--config', join(dir, 'etc', 'usage-etl.yaml'), 'ingest'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await currentKeys(db, 'g'), ['f1']);
    assert.deepEqual(readdirSync(join(dir, 'etc')).sort(), ['d', 'usage-etl.yaml'], 'no SQLite file made');
  });
});

for (const { kind, skip } of STORES) {
describe(`a snapshot that shares no resource with the current state is refused (SPEC §6 guard) (${kind})`, { skip }, () => {
  it('another cloud\'s VMs under --source nectar-sa: exit 1, nothing removed; --allow-mass-removal applies it', async () => {
    const { dir, db } = await workspaceOn(kind);
    const nectar = join(FIXTURES, 'sequence', '2026-11-01', 'servers.json');
    const tango = join(FIXTURES, 'canonical', 'tango-cloud-vm.json');
    assert.equal((await runCli(['-q', '--db', db, 'ingest', '--dump', nectar, '--source', 'nectar-sa'], { cwd: dir })).code, 0);
    const before = await currentKeys(db, 'nectar-sa');
    assert.equal(before.length, 3);

    const refused = await runCli(['--db', db, 'ingest', '--dump', tango, '--source', 'nectar-sa'], { cwd: dir });
    assert.equal(refused.code, 1);
    assert.equal(lines(refused.stderr).length, 1, refused.stderr);
    assert.match(refused.stderr, /refusing to replace all 3 vm resources of nectar-sa with 2 others .*shares no resource.*--allow-mass-removal/);
    assert.deepEqual(await currentKeys(db, 'nectar-sa'), before, 'nothing removed, nothing added');

    const allowed = await runCli(['--db', db, 'ingest', '--dump', tango, '--source', 'nectar-sa', '--allow-mass-removal'], { cwd: dir });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^nectar-sa vm .*added 2, modified 0, removed 3\b/m);
    assert.deepEqual(await currentKeys(db, 'nectar-sa'), ['tc-0001', 'tc-0002']);
  });

  it('a snapshot that keeps one resource, or lists none at all, is not this guard\'s business', async () => {
    const { dir, db } = await workspaceOn(kind);
    const snapshot = (name: string, takenAt: string, ids: string[]) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify({ source: 'small', resource_type: 'vm', taken_at: takenAt, resources: ids.map((id) => ({ id, status: 'ACTIVE', tenant_id: 'p' })) }));
      return file;
    };
    const run = (file: string) => runCli(['--db', db, 'ingest', '--dump', file], { cwd: dir });
    assert.equal((await run(snapshot('a.json', '2026-11-01T02:00:00Z', ['a', 'b', 'c']))).code, 0);
    const kept = await run(snapshot('b.json', '2026-11-02T02:00:00Z', ['c', 'd', 'e']));
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /added 2, modified 0, removed 2\b/);
    const emptied = await run(snapshot('c.json', '2026-11-03T02:00:00Z', []));
    assert.equal(emptied.code, 0, emptied.stderr);
    assert.deepEqual(await currentKeys(db, 'small'), []);
  });
});
}

describe('`openstack server list -f json` output', () => {
  it('is refused, saying what it is and which request to save instead; nothing stored', async () => {
    const { dir, db } = workspace();
    const result = await runCli(['--db', db, 'ingest', '--dump', join(FIXTURES, 'bad', 'openstack-server-list.json'), '--at', '2026-11-21T02:00:00Z'], { cwd: dir });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr, /openstack-server-list\.json: this is `openstack server list -f json` output .*no tenant ids.*servers\/detail\?all_tenants=1/);
    assert.doesNotMatch(result.stderr, /reporting-unified/);
  });
});
