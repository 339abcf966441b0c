// Exports of the bundled sequence, compared whole, plus the rules of SPEC §7 and §8 one by one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli, tempDir } from './support/cli.ts';
import { freshDb, query, type StoreKind, STORES } from './support/stores.ts';

const GOLDEN = join(ROOT, 'test', 'golden');
const LETTERS: Record<string, string> = {
  '3f2a7c1e-8b4d-4e6a-9c2f-5d1b8e7a6c01': 'A',
  '4a3b8d2f-9c5e-4f7b-a13d-6e2c9f8b7d02': 'B',
  '5b4c9e3a-ad6f-4a8c-b24e-7f3dae9c8e03': 'C',
  '6c5dae4b-be7a-4b9d-c35f-8a4ebfad9f04': 'D',
  '7d6ebf5c-cf8b-4cae-d46a-9b5fcabe0a05': 'E',
};

let cwd: string;
let kind: StoreKind = 'sqlite';
/** Each test folder's history ($USAGE_ETL_DB): usage.db in it, or a fresh PostgreSQL database. */
const dbs = new Map<string, string>();

/** The CLI in `cwd` on that folder's history, on the store of the suite running. */
async function cli(args: string[], options: { cwd: string }) {
  let db = dbs.get(options.cwd);
  if (!db) dbs.set(options.cwd, (db = kind === 'sqlite' ? join(options.cwd, 'usage.db') : await freshDb('postgres')));
  return runCli(args, { ...options, env: { USAGE_ETL_DB: db } });
}

async function exportCsv(args: string[], dir = cwd): Promise<string> {
  const run = await cli(['export', ...args, '--stdout'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

/** Rows as objects keyed by the header, for assertions that read like the spec. */
function rows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [names[i], value])));
}

const flags = (r: Record<string, string>) =>
  ['is_added', 'is_modified', 'is_removed'].filter((f) => r[f] === 'true').map((f) => f.slice(3)).join('+') || '-';

// Every suite on both stores: the same exports, byte for byte, the goldens included (SPEC §10).
for (const store of STORES) {
describe(`on ${store.kind}`, { skip: store.skip }, () => {
  before(async () => {
    kind = store.kind;
    cwd = tempDir();
    const run = await cli(['ingest', '--dump', join(FIXTURES, 'sequence')], { cwd });
    assert.equal(run.code, 0, run.stderr);
  });

  describe('inventory report (OSWL)', () => {
    it('gives each day its resources with flags, the removed ones once, and nothing after the last snapshot', async () => {
      const csv = await exportCsv(['--from', '2026-11-02', '--to', '2026-11-06', '--type', 'vm']);
      assert.deepEqual(
        rows(csv).map((r) => `${r.stats_on_date} ${LETTERS[r.id!]} ${r.status} ${flags(r)}`),
        [
          // A was stopped, D created.
          '2026-11-02 A SHUTOFF modified',
          '2026-11-02 B ACTIVE -',
          '2026-11-02 C ERROR -',
          '2026-11-02 D ACTIVE added',
          // C deleted (its last state), B migrated at 14:00, E created at 02:00 and deleted at 14:00: one row.
          '2026-11-03 A SHUTOFF -',
          '2026-11-03 B ACTIVE modified',
          '2026-11-03 C ERROR removed',
          '2026-11-03 D ACTIVE -',
          '2026-11-03 E ACTIVE added+removed',
          // No snapshot on the 4th: the state is carried forward.
          '2026-11-04 A SHUTOFF -',
          '2026-11-04 B ACTIVE -',
          '2026-11-04 D ACTIVE -',
          '2026-11-05 A SHUTOFF -',
          '2026-11-05 B ACTIVE -',
          '2026-11-05 D ACTIVE modified',
        ],
      );
      const byDay = (day: string, letter: string) => rows(csv).find((r) => r.stats_on_date === day && LETTERS[r.id!] === letter)!;
      assert.equal(byDay('2026-11-03', 'B').hypervisor, 'cn-0104.sa.example.org', 'the state at the end of the day');
      assert.equal(byDay('2026-11-05', 'D').vcpus, '4');
      assert.equal(byDay('2026-11-02', 'B').image_id, '', 'boot-from-volume: empty image_id');
      assert.equal(byDay('2026-11-02', 'C').availability_zone, '', 'no zone: kept, empty');
      assert.equal(csv, readFileSync(join(GOLDEN, 'sequence-vm-2026-11-02-to-06.csv'), 'utf8'));
    });

    it('carries state forward into a range with no snapshot in it', async () => {
      const csv = await exportCsv(['--from', '2026-11-04', '--to', '2026-11-04', '--type', 'vm']);
      assert.deepEqual(rows(csv).map((r) => `${LETTERS[r.id!]} ${flags(r)}`), ['A -', 'B -', 'D -']);
    });

    it('starts at the first snapshot when the range begins earlier', async () => {
      const csv = await exportCsv(['--from', '2026-10-01', '--to', '2026-11-01', '--type', 'vm']);
      assert.deepEqual(rows(csv).map((r) => `${r.stats_on_date} ${LETTERS[r.id!]} ${flags(r)}`), [
        '2026-11-01 A added',
        '2026-11-01 B added',
        '2026-11-01 C added',
      ]);
    });

    it('writes lists space-separated and a field that appears as a modification', async () => {
      const csv = await exportCsv(['--from', '2026-11-01', '--to', '2026-11-02', '--type', 'volume']);
      assert.equal(csv, readFileSync(join(GOLDEN, 'sequence-volume-2026-11-01-to-02.csv'), 'utf8'));
    });

    it('gives composite keys an id and a column per part', async () => {
      const csv = await exportCsv(['--from', '2026-11-01', '--to', '2026-11-01', '--type', 'membership']);
      const first = rows(csv)[0]!;
      assert.equal(csv.split('\n')[0], 'source,resource_type,stats_on_date,id,tenant_id,user_id,is_added,is_modified,is_removed');
      assert.equal(first.id, `${first.tenant_id}/${first.user_id}`);
    });

    it('gives only the header for a range before the first snapshot', async () => {
      assert.equal(await exportCsv(['--from', '2026-10-01', '--to', '2026-10-31', '--type', 'vm']), `${(await exportCsv(['--from', '2026-11-01', '--to', '2026-11-01', '--type', 'vm'])).split('\n')[0]}\n`);
    });

    it('limits each (source, type) to the days between its own first and last snapshot', async () => {
      // Images were observed once, on the 1st; VMs until the 5th.
      const csv = await exportCsv(['--from', '2026-11-01', '--to', '2026-11-30', '--type', 'image']);
      assert.deepEqual([...new Set(rows(csv).map((r) => r.stats_on_date))], ['2026-11-01']);
    });
  });

  describe('changes report', () => {
    it('has one row per added or removed resource and per changed field, ordered by time', async () => {
      const csv = await exportCsv(['--from', '2026-11-01', '--to', '2026-11-06', '--report', 'changes']);
      const vm = rows(csv).filter((r) => r.resource_type === 'vm' && r.at! >= '2026-11-03');
      assert.deepEqual(vm.map((r) => `${r.at} ${LETTERS[r.id!]} ${r.action}${r.field ? ` ${r.field} ${r.old}->${r.new}` : ''}`), [
        '2026-11-03T02:00:00Z C removed',
        '2026-11-03T02:00:00Z E added',
        '2026-11-03T14:00:00Z B modified hypervisor cn-0102.sa.example.org->cn-0104.sa.example.org',
        '2026-11-03T14:00:00Z E removed',
        // The sequence's servers are at Nova >= 2.47 (flavor name, no id): the id comes from its flavors.
        '2026-11-05T02:00:00Z D modified flavor_id 0c2a7b6e-small->1d3b8c7f-medium',
        '2026-11-05T02:00:00Z D modified flavor_name m3.small->m3.medium',
        '2026-11-05T02:00:00Z D modified ram_mb 4096->8192',
        '2026-11-05T02:00:00Z D modified vcpus 2->4',
      ]);
      assert.equal(csv, readFileSync(join(GOLDEN, 'sequence-changes-2026-11-01-to-06.csv'), 'utf8'));
    });

    it('keeps only changes inside the range (both days inclusive)', async () => {
      const csv = await exportCsv(['--from', '2026-11-03', '--to', '2026-11-03', '--report', 'changes']);
      assert.deepEqual([...new Set(rows(csv).map((r) => r.at!.slice(0, 10)))], ['2026-11-03']);
      assert.equal(rows(csv).length, 4);
    });
  });

  describe('CSV rules', () => {
    it('escapes text a spreadsheet would run, quotes per RFC 4180, and leaves numbers alone', async () => {
      const dir = tempDir();
      const dump = join(dir, 'evil.json');
      writeFileSync(
        dump,
        JSON.stringify({
          source: 'lab',
          resource_type: 'vm',
          taken_at: '2026-11-20T23:30:00-05:00',
          resources: [{ id: '=HYPERLINK("http://x","y")', status: '-ACTIVE', tenant_id: '@t1', user_id: 'a,b', power_state: -1, hypervisor: 'line\nbreak' }],
        }),
      );
      assert.equal((await cli(['ingest', '--dump', dump], { cwd: dir })).code, 0);
      const csv = await exportCsv(['--from', '2026-11-21', '--to', '2026-11-21'], dir);
      const line = csv.slice(csv.indexOf('\n') + 1);
      // The snapshot was taken on the 20th in New York, the 21st in UTC.
      assert.ok(line.startsWith(`lab,vm,2026-11-21,"'=HYPERLINK(""http://x"",""y"")",'-ACTIVE,,-1,'@t1,"a,b",,"line\nbreak",`), line);
    });

    it('quotes a cell holding a bare carriage return: Python reads two rows, not three', async () => {
      const dir = tempDir();
      const dump = join(dir, 'tango-vm.json');
      // A hypervisor name with a stray CR, as an API pasted from Windows gives it.
      writeFileSync(
        dump,
        JSON.stringify({
          source: 'tango-cloud',
          resource_type: 'vm',
          taken_at: '2026-11-12T00:00:00Z',
          resources: [
            { id: 'tc-0001', status: 'ACTIVE', tenant_id: 'proj-a', hypervisor: 'cn07\rrack2', vcpus: 8 },
            { id: 'tc-0002', status: 'SHUTOFF', tenant_id: 'proj-b', hypervisor: 'cn08', vcpus: 2 },
          ],
        }),
      );
      assert.equal((await cli(['ingest', '--dump', dump], { cwd: dir })).code, 0);
      const run = await cli(['export', '--from', '2026-11-12', '--to', '2026-11-12', '--type', 'vm', '--out', 'out'], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      // What an analyst runs: the csv module, strict, on the file opened as its documentation says.
      const read = execFileSync(
        'python3',
        ['-c', "import csv, json, sys\nwith open(sys.argv[1], newline='') as f: print(json.dumps([[r['id'], r['hypervisor']] for r in csv.DictReader(f, strict=True)]))", join(dir, 'out', 'vm.csv')],
        { encoding: 'utf8' },
      );
      assert.deepEqual(JSON.parse(read), [
        ['tc-0001', 'cn07\rrack2'],
        ['tc-0002', 'cn08'],
      ]);
    });

    it('writes integers beyond 2^53 as bare digits, negative ones too (numbers, not formulas)', async () => {
      const dir = tempDir();
      const dump = join(dir, 'hnas1-filesystems.json');
      // Written by hand: JSON.stringify would round the numbers. An over-committed file system reports negative free space.
      writeFileSync(
        dump,
        `{"source": "hnas1", "resource_type": "filesystem", "taken_at": "2026-11-12T00:00:00Z",
          "resources": [{"host": "hnas1", "name": "scratch", "capacity_bytes": 9007199254740993, "free_bytes": -9007199254740995}]}`,
      );
      assert.equal((await cli(['ingest', '--dump', dump], { cwd: dir })).code, 0);
      const [row] = rows(await exportCsv(['--from', '2026-11-12', '--to', '2026-11-12', '--type', 'filesystem'], dir));
      assert.equal(row!.capacity_bytes, '9007199254740993');
      assert.equal(row!.free_bytes, '-9007199254740995');
    });

    it('keeps the formula guard on a text that merely looks like a negative number', async () => {
      const dir = tempDir();
      const dump = join(dir, 'vm.json');
      writeFileSync(dump, JSON.stringify({ source: 'c', resource_type: 'vm', taken_at: '2026-11-12T00:00:00Z', resources: [{ id: 'a', status: 'ACTIVE', availability_zone: '-42', hypervisor: '-0012' }] }));
      assert.equal((await cli(['ingest', '--dump', dump], { cwd: dir })).code, 0);
      const [row] = rows(await exportCsv(['--from', '2026-11-12', '--to', '2026-11-12', '--type', 'vm'], dir));
      assert.equal(row!.availability_zone, "'-42");
      assert.equal(row!.hypervisor, "'-0012");
    });

    it('is identical from one run to the next', async () => {
      const args = ['--from', '2026-11-01', '--to', '2026-11-06', '--type', 'vm'];
      assert.equal(await exportCsv(args), await exportCsv(args));
    });
  });

  describe('private fields', () => {
    const servers = join(FIXTURES, 'sequence/2026-11-01/servers.json');
    const NAME = 'genomics-pipeline-01';

    async function ingestWith(mode: string | undefined): Promise<string> {
      const dir = tempDir();
      const args = ['-q', 'ingest', '--dump', servers];
      if (mode) {
        writeFileSync(join(dir, 'usage-etl.yaml'), `sources:\n  nectar-sa:\n    kind: dump\n    path: ${servers}\n    private_fields: ${mode}\n`);
      }
      const run = await cli(args, { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      return dir;
    }

    /** Everything stored: the SQLite database and its write-ahead log, or every record of the PostgreSQL one. */
    const onDisk = async (dir: string) =>
      kind === 'sqlite'
        ? ['usage.db', 'usage.db-wal'].filter((f) => existsSync(join(dir, f))).map((f) => readFileSync(join(dir, f), 'latin1')).join('')
        : (await query<{ record: string }>(dbs.get(dir)!, 'SELECT record FROM changes')).map((r) => r.record).join('');

    it('are neither stored nor exported by default', async () => {
      const dir = await ingestWith(undefined);
      const csv = await exportCsv(['--from', '2026-11-01', '--to', '2026-11-01', '--type', 'vm'], dir);
      const columns = csv.split('\n')[0]!.split(',');
      for (const column of ['name', 'key_name', 'ip_addresses']) assert.ok(!columns.includes(column), column);
      assert.ok(!(await onDisk(dir)).includes(NAME), 'the VM name is nowhere in the database');
      assert.ok(!(await onDisk(dir)).includes('10.0.0.5'), 'nor its address');
    });

    it('are exported as stored with private_fields: keep', async () => {
      const dir = await ingestWith('keep');
      const csv = await exportCsv(['--from', '2026-11-01', '--to', '2026-11-01', '--type', 'vm'], dir);
      assert.match(csv.split('\n')[0]!, /,launched_at,name,key_name,ip_addresses,is_added,/);
      const row = rows(csv).find((r) => LETTERS[r.id!] === 'A')!;
      assert.equal(row.name, NAME);
      assert.equal(row.ip_addresses, '10.0.0.5');
    });

    it('are exported as keyed hashes with private_fields: hash, and the value is not stored', async () => {
      const dir = await ingestWith('hash');
      const csv = await exportCsv(['--from', '2026-11-01', '--to', '2026-11-01', '--type', 'vm'], dir);
      const row = rows(csv).find((r) => LETTERS[r.id!] === 'A')!;
      assert.match(row.name!, /^[0-9a-f]{32}$/);
      assert.ok(!(await onDisk(dir)).includes(NAME));
    });
  });

  describe('outputs', () => {
    it('writes one file per type into ./export-<from>-<to>/ by default, nothing half-written left', async () => {
      const run = await cli(['export', '--from', '2026-11-01', '--to', '2026-11-05'], { cwd });
      assert.equal(run.code, 0, run.stderr);
      const dir = join(cwd, 'export-2026-11-01-2026-11-05');
      assert.deepEqual(readdirSync(dir).sort(), [
        'flavor.csv',
        'image.csv',
        'keystone_user.csv',
        'membership.csv',
        'tenant.csv',
        'vm.csv',
        'volume.csv',
        'volume_snapshot.csv',
      ]);
      assert.match(run.stdout, /wrote .*export-2026-11-01-2026-11-05\/vm\.csv/);
    });

    it('puts every report into one zip', async () => {
      const zip = join(cwd, 'november.zip');
      const run = await cli(['export', '--from', '2026-11-01', '--to', '2026-11-06', '--report', 'inventory', '--report', 'changes', '--zip', zip], { cwd });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!existsSync(`${zip}.partial`));
      const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').sort();
      assert.ok(listing.includes('vm.csv') && listing.includes('changes.csv'), listing.join());
      const changes = execFileSync('unzip', ['-p', zip, 'changes.csv'], { encoding: 'utf8' });
      assert.equal(changes, readFileSync(join(GOLDEN, 'sequence-changes-2026-11-01-to-06.csv'), 'utf8'));
    });
  });
});
}
