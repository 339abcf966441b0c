// The configuration file (SPEC §4.3) and where the database lives (SPEC §2).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../src/config.ts';
import { UsageError } from '../src/errors.ts';
import { FIXTURES, runCli, workspace } from './support/cli.ts';

const refused = (document: unknown, message: RegExp) =>
  assert.throws(() => parseConfig('usage-etl.yaml', document), (err: unknown) => err instanceof UsageError && message.test(err.message));

describe('config validation', () => {
  it('accepts the example of the spec', () => {
    const config = parseConfig('usage-etl.yaml', {
      db: '/var/lib/usage-etl/usage.db',
      sources: {
        'nectar-sa': { kind: 'openstack', cloud: 'nectar', region: 'sa', types: ['vm', 'swift_account'], private_fields: 'drop', allow_mass_removal: false },
        emu: { kind: 'pbs', path: '/var/spool/pbs/server_priv/accounting', timezone: 'Australia/Adelaide' },
        tango: { kind: 'slurm', cluster: 'tango', lookback: '2d' },
        'ersa-archive': { kind: 'dump', path: '/srv/reporting/archive/' },
      },
    });
    assert.equal(config.db, '/var/lib/usage-etl/usage.db');
    assert.deepEqual([...config.sources.keys()], ['nectar-sa', 'emu', 'tango', 'ersa-archive']);
    assert.equal(config.sources.get('emu')!.settings.timezone, 'Australia/Adelaide');
    assert.equal(config.sources.get('ersa-archive')!.privateFields, 'drop');
  });

  it('names the key of every mistake', () => {
    refused({ database: 'x' }, /usage-etl\.yaml: database: unknown key \(expected db, sources, usage\)/);
    refused({ db: '' }, /usage-etl\.yaml: db: expected a path, found ""/);
    refused({ db: 7 }, /usage-etl\.yaml: db: expected a path, found 7/);
    refused({ usage: { billable_states: ['active', 'shelved_offloaded'] } }, /usage\.billable_states: shelved_offloaded is never billed/);
    refused({ usage: { billable_states: ['active', 'running'] } }, /usage\.billable_states: "running" is not an instance state \(expected some of active, building/);
    refused({ usage: { billable_states: 'active' } }, /usage\.billable_states: expected a list of instance states/);
    refused({ usage: { billable: ['active'] } }, /usage\.billable: unknown key \(expected billable_states\)/);
    refused({ sources: { a: { kind: 'dump', paht: '/x' } } }, /sources\.a\.paht: unknown key for kind dump/);
    refused({ sources: { a: { kind: 'nova' } } }, /sources\.a\.kind: expected one of openstack, pbs, slurm, dump, notifications, found "nova"/);
    refused({ sources: { a: { kind: 'dump', path: '/x', private_fields: 'encrypt' } } }, /sources\.a\.private_fields: expected drop, keep or hash/);
    refused({ sources: { a: { kind: 'dump', path: '/x', allow_mass_removal: 'yes' } } }, /sources\.a\.allow_mass_removal: expected true or false/);
    refused({ sources: { a: { kind: 'dump', path: 7 } } }, /sources\.a\.path: expected a path, found 7/);
    refused({ sources: ['a'] }, /sources: expected a mapping of source names/);
    refused({ sources: { a: { kind: 'dump', path: '/x', types: [] } } }, /sources\.a\.types: expected a list of resource types, found an empty list/);
    refused({ sources: { a: { kind: 'pbs' } } }, /sources\.a\.path: missing \(kind pbs needs it\)/);
    refused({ sources: { a: { kind: 'pbs', path: '/x', timezone: 'Adelaide' } } }, /sources\.a\.timezone: expected an IANA time zone/);
    refused({ sources: { a: { kind: 'slurm', lookback: 'two days' } } }, /sources\.a\.lookback: expected a duration like 2d/);
    refused({ sources: { a: { kind: 'openstack', timeout: -1 } } }, /sources\.a\.timeout: expected seconds/);
    refused({ sources: { a: { kind: 'openstack', types: ['vm', 'xfs_quota'] } } }, /sources\.a\.types: xfs_quota is not a type of kind openstack/);
  });
});

describe('configured sources', () => {
  it('collects a kind: dump source with `usage-etl ingest`, quietly with -q', async () => {
    const { dir } = workspace();
    writeFileSync(join(dir, 'usage-etl.yaml'), `sources:\n  ersa-archive:\n    kind: dump\n    path: ${join(FIXTURES, 'envelopes')}\n`);
    const run = await runCli(['-q', 'ingest'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout + run.stderr, '', 'cron hears nothing when all is well');
    const status = await runCli(['status'], { cwd: dir });
    // The configured name wins over the hostname the messages carry.
    assert.match(status.stdout, /ersa-archive \/ vm\s+4\s+1/);
  });

  it('previews hashed private fields with the database key (a dry run sees no false changes)', async () => {
    const { dir } = workspace();
    const day1 = join(FIXTURES, 'sequence/2026-11-01/servers.json');
    const day2 = join(dir, 'servers-again.json');
    writeFileSync(day2, readFileSync(day1, 'utf8').replace('"2026-11-01T02:00:00Z"', '"2026-11-02T02:00:00Z"'));
    writeFileSync(join(dir, 'usage-etl.yaml'), `sources:\n  nectar-sa:\n    kind: dump\n    path: ${day1}\n    private_fields: hash\n`);
    assert.equal((await runCli(['-q', 'ingest', '--dump', day1], { cwd: dir })).code, 0);
    const preview = await runCli(['ingest', '--dump', day2, '--dry-run'], { cwd: dir });
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /nectar-sa vm 2026-11-02T02:00:00Z: added 0, modified 0, removed 0, unchanged 3\b/);
  });

  it('says so, and does nothing, for an unknown source or a source whose files are not there', async () => {
    const { dir, db } = workspace();
    writeFileSync(join(dir, 'usage-etl.yaml'), 'sources:\n  emu:\n    kind: pbs\n    path: /var/spool/pbs/server_priv/accounting\n');
    const unknown = await runCli(['ingest', 'hnas1'], { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown source hnas1 \(configured: emu\)/);
    const live = await runCli(['ingest'], { cwd: dir });
    assert.equal(live.code, 2);
    assert.match(live.stderr, /no such file or directory: \/var\/spool\/pbs\/server_priv\/accounting/);
    assert.ok(!existsSync(db));
  });

  it('refuses a broken config with exit 2, naming the file and the key', async () => {
    const { dir } = workspace();
    writeFileSync(join(dir, 'usage-etl.yaml'), 'sources:\n  a:\n    kind: dump\n    path: /x\n    typo: 1\n');
    const run = await runCli(['ingest'], { cwd: dir });
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), 'usage-etl: usage-etl.yaml: sources.a.typo: unknown key for kind dump (expected kind, types, private_fields, allow_mass_removal, path)');
    writeFileSync(join(dir, 'usage-etl.yaml'), 'sources: [unclosed\n');
    const yaml = await runCli(['ingest'], { cwd: dir });
    assert.equal(yaml.code, 2);
    assert.match(yaml.stderr, /usage-etl\.yaml: not valid YAML/);
  });

  it('needs a config or --dump', async () => {
    const run = await runCli(['ingest']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no configuration found .*use --dump to load files/);
  });
});

describe('where the database is', () => {
  const dump = join(FIXTURES, 'sequence/2026-11-01/flavors.json');

  it('is --db, then $USAGE_ETL_DB, then the config db, then ./usage.db', async () => {
    const { dir } = workspace();
    writeFileSync(join(dir, 'usage-etl.yaml'), `db: ${join(dir, 'from-config.db')}\n`);
    assert.equal((await runCli(['-q', 'ingest', '--dump', dump], { cwd: dir })).code, 0);
    assert.ok(existsSync(join(dir, 'from-config.db')));
    assert.equal((await runCli(['-q', 'ingest', '--dump', dump], { cwd: dir, env: { USAGE_ETL_DB: join(dir, 'from-env.db') } })).code, 0);
    assert.ok(existsSync(join(dir, 'from-env.db')));
    assert.equal((await runCli(['-q', '--db', join(dir, 'from-flag.db'), 'ingest', '--dump', dump], { cwd: dir, env: { USAGE_ETL_DB: join(dir, 'from-env.db') } })).code, 0);
    assert.ok(existsSync(join(dir, 'from-flag.db')));
    assert.ok(!existsSync(join(dir, 'usage.db')));
  });

  it('reads a relative db: and path: from the config file\'s folder, whatever the working folder; --db stays relative to it', async () => {
    const { dir } = workspace();
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    cpSync(join(FIXTURES, 'pbs', 'lyra'), join(sub, 'accounting'), { recursive: true });
    writeFileSync(join(sub, 'usage-etl.yaml'), 'db: history.db\nsources:\n  lyra:\n    kind: pbs\n    path: accounting\n');
    const run = await runCli(['--config', 'sub/usage-etl.yaml', 'ingest'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^lyra job .*added 2\b/m);
    assert.ok(existsSync(join(sub, 'history.db')), 'the database next to the config');
    assert.ok(!existsSync(join(dir, 'history.db')));
    const flag = await runCli(['--config', 'sub/usage-etl.yaml', '--db', 'here.db', 'ingest'], { cwd: dir });
    assert.equal(flag.code, 0, flag.stderr);
    assert.ok(existsSync(join(dir, 'here.db')), '--db is relative to the working folder');
  });

  it('keeps absolute paths and database URLs; a command with a / is a file next to the config, a bare one is on the PATH', () => {
    const config = parseConfig('/etc/usage-etl/config.yaml', {
      db: 'postgres://etl@db.example.org/usage',
      sources: {
        emu: { kind: 'pbs', path: '/var/spool/pbs/server_priv/accounting' },
        archive: { kind: 'dump', path: 'archive/*.json.xz' },
        tango: { kind: 'slurm', command: './bin/sacct' },
        kelpie: { kind: 'slurm', command: 'sacct' },
      },
    });
    assert.equal(config.db, 'postgres://etl@db.example.org/usage');
    assert.equal(config.sources.get('emu')!.settings.path, '/var/spool/pbs/server_priv/accounting');
    assert.equal(config.sources.get('archive')!.settings.path, '/etc/usage-etl/archive/*.json.xz');
    assert.equal(config.sources.get('tango')!.settings.command, '/etc/usage-etl/bin/sacct');
    assert.equal(config.sources.get('kelpie')!.settings.command, 'sacct');
    assert.equal(parseConfig('sub/usage-etl.yaml', { sources: { t: { kind: 'slurm', command: './sacct' } } }).sources.get('t')!.settings.command, resolve('sub/sacct'));
  });

  it('export needs an existing database and says so', async () => {
    const run = await runCli(['export', '--from', '2026-11-01', '--to', '2026-11-30']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no database at usage\.db \(ingest something first, or pass --db\)/);
  });
});
