// The CLI end to end, as cron, an analyst or a developer runs it: a child process on a real
// SQLite file in a temp dir (and the suites that read or write history on a fresh PostgreSQL
// database too). SPEC §2 (commands, exit codes), §6 (diff, guards, order), §9 (errors), §10.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { type CliResult, FIXTURES, ROOT, runCli, tempDir, workspace } from './support/cli.ts';
import { countRows, currentKeys, query, STORES, workspaceOn } from './support/stores.ts';

const SEQUENCE = join(FIXTURES, 'sequence');
const BAD = join(FIXTURES, 'bad');

/** The snapshots of fixtures/sequence, in taken_at order: type and taken_at. */
const SEQUENCE_SNAPSHOTS = [
  ['flavor', '2026-11-01T02:00:00Z'],
  ['image', '2026-11-01T02:00:00Z'],
  ['keystone_user', '2026-11-01T02:00:00Z'],
  ['membership', '2026-11-01T02:00:00Z'],
  ['tenant', '2026-11-01T02:00:00Z'],
  ['vm', '2026-11-01T02:00:00Z'],
  ['volume', '2026-11-01T02:00:00Z'],
  ['vm', '2026-11-02T02:00:00Z'],
  ['volume', '2026-11-02T02:00:00Z'],
  ['volume_snapshot', '2026-11-02T02:00:00Z'],
  ['vm', '2026-11-03T02:00:00Z'],
  ['vm', '2026-11-03T14:00:00Z'],
  ['vm', '2026-11-05T02:00:00Z'],
] as const;

interface Canonical {
  readonly source: string;
  readonly taken_at: string;
  readonly complete?: boolean;
  readonly resources: readonly Record<string, unknown>[];
}

/** Writes a canonical vm snapshot (SPEC §4.1.1) and returns its path. */
function writeCanonical(dir: string, name: string, snapshot: Canonical): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ resource_type: 'vm', complete: true, ...snapshot }, null, 2));
  return file;
}

const vms = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `vm-${String(i).padStart(3, '0')}`, status: 'ACTIVE', vcpus: 2 }));

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** How many rows the history tables hold (either store). */
async function dbCounts(db: string): Promise<{ snapshots: number; changes: number; current: number; runs: number; rejects: number }> {
  const [snapshots, changes, current, runs, rejects] = await Promise.all(['snapshots', 'changes', 'current', 'runs', 'rejects'].map((table) => countRows(db, table)));
  return { snapshots: snapshots!, changes: changes!, current: current!, runs: runs!, rejects: rejects! };
}

/** The whole history, to tell "unchanged" from "changed in a way the counts hide". */
async function historyDump(db: string): Promise<string> {
  return JSON.stringify({
    snapshots: await query(db, 'SELECT series_id, taken_at, complete, content_hash, added, modified, removed FROM snapshots ORDER BY id'),
    changes: await query(db, 'SELECT series_id, snapshot_id, taken_at, resource_key, action, record, fields FROM changes ORDER BY id'),
    current: await query(db, 'SELECT * FROM current ORDER BY series_id, resource_key'),
  });
}

/** SPEC §2/§9: a failure is told on stderr in one line, without a stack trace. */
function assertOneLineError(result: CliResult, code: number): string {
  assert.equal(result.code, code, `exit code (stdout: ${result.stdout}, stderr: ${result.stderr})`);
  const errors = lines(result.stderr);
  assert.equal(errors.length, 1, `one line on stderr, found:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  return errors[0]!;
}

/** `--log-format json`: one JSON object per line, so log shippers can read every line. */
function assertJsonLines(text: string, what: string): void {
  for (const line of lines(text)) {
    let value: unknown;
    assert.doesNotThrow(() => (value = JSON.parse(line)), `${what} line is not JSON: ${line}`);
    assert.equal(typeof value, 'object', `${what} line is not a JSON object: ${line}`);
  }
}

// Suites run two at a time, their tests three at a time: each case is a separate process.
describe('usage-etl CLI', { concurrency: 2 }, () => {
  for (const { kind, skip } of STORES) {
  describe(`usage-etl ingest --dump fixtures/sequence (${kind})`, { concurrency: 3, skip }, () => {
    const space = () => workspaceOn(kind);
    // One ingested history, shared by the tests that only read it.
    let shared: { dir: string; db: string };
    let first: CliResult;
    before(async () => {
      shared = await space();
      first = await runCli(['--db', shared.db, 'ingest', '--dump', SEQUENCE], { cwd: shared.dir });
    });

    it('exits 0 and prints one summary line per snapshot, in taken_at order, with its counts', () => {
      assert.equal(first.code, 0, first.stderr);
      const summary = lines(first.stdout);
      assert.equal(summary.length, SEQUENCE_SNAPSHOTS.length, first.stdout);
      for (const [type, takenAt] of SEQUENCE_SNAPSHOTS) {
        const line = summary.find((l) => l.startsWith(`nectar-sa ${type} ${takenAt}`));
        assert.ok(line, `a summary line for nectar-sa ${type} ${takenAt}:\n${first.stdout}`);
        for (const count of ['added', 'modified', 'removed', 'unchanged', 'rejected']) {
          assert.match(line, new RegExp(`\\b${count} \\d+`), `${count} count in: ${line}`);
        }
        assert.match(line, /\d+(\.\d+)?\s?s\b/, `elapsed time in: ${line}`);
      }
      const times = summary.map((line) => /\b(2026-\S+Z)\b/.exec(line)?.[1] ?? '');
      assert.deepEqual(times, [...times].sort(), 'oldest snapshot first');
      // The second day: one new server, one stopped (modified), the other two as they were.
      const vmDay2 = summary.find((line) => line.startsWith('nectar-sa vm 2026-11-02T02:00:00Z'))!;
      assert.match(vmDay2, /added 1\b.*modified 1\b.*removed 0\b.*unchanged 2\b/);
      // The third day: 5b4c... is gone, 7d6e... is new.
      const vmDay3 = summary.find((line) => line.startsWith('nectar-sa vm 2026-11-03T02:00:00Z'))!;
      assert.match(vmDay3, /added 1\b.*removed 1\b.*unchanged 3\b/);
    });

    it('status shows every source and type with its last snapshot, and the last runs', async () => {
      const status = await runCli(['--db', shared.db, 'status'], { cwd: shared.dir });
      assert.equal(status.code, 0, status.stderr);
      const latest = new Map<string, string>();
      for (const [type, takenAt] of SEQUENCE_SNAPSHOTS) latest.set(type, takenAt);
      for (const [type, takenAt] of latest) {
        const line = lines(status.stdout).find((l) => new RegExp(`\\bnectar-sa\\b.*\\b${type}\\b`).test(l) && l.includes(takenAt));
        assert.ok(line, `a line for nectar-sa ${type} with its last snapshot ${takenAt}:\n${status.stdout}`);
      }
      assert.match(status.stdout, /runs/i, 'a section about runs');
      assert.match(status.stdout, /\bok\b.*\b13 snapshot/, 'the run that applied the 13 snapshots, and that it went well');
    });

    const exportErrors: { name: string; args: string[]; says: RegExp }[] = [
      { name: 'export of an unknown --type', args: ['--type', 'spaceship'], says: /spaceship/ },
      { name: 'export of an unknown --source', args: ['--source', 'no-such-cloud'], says: /no-such-cloud/ },
      { name: 'export --stdout that would make several files', args: ['--stdout'], says: /--stdout/ },
    ];
    for (const { name, args, says } of exportErrors) {
      it(`${name}: exit 2, no CSV written`, async () => {
        const result = await runCli(['--db', shared.db, 'export', '--from', '2026-11-01', '--to', '2026-11-30', ...args], { cwd: shared.dir });
        assert.match(assertOneLineError(result, 2), says);
        assert.equal(result.stdout, '', 'no partial CSV on stdout');
        const made = readdirSync(shared.dir).filter((name) => !name.startsWith('usage.db'));
        assert.deepEqual(made, [], 'no export directory or file made');
      });
    }

    const unwritable: { name: string; args: string[]; says: RegExp }[] = [
      { name: '--zip into a folder that does not exist', args: ['--zip', '/nonexistent/usage-etl/nov.zip'], says: /\/nonexistent\/usage-etl\/nov\.zip: cannot write the export: its folder does not exist/ },
      // Node's own recursive mkdir spins for ever here: the export must stop and say why.
      { name: '--out where no folder can be made', args: ['--out', '/proc/usage-etl-export'], says: /\/proc\/usage-etl-export: cannot write the export/ },
      { name: '--out naming a file', args: ['--out', '/etc/hostname'], says: /\/etc\/hostname: cannot write the export: it is a file/ },
    ];
    for (const { name, args, says } of unwritable) {
      it(`export ${name}: exit 1, one line naming the path`, async () => {
        const result = await runCli(['--db', shared.db, 'export', '--from', '2026-11-01', '--to', '2026-11-30', ...args], { cwd: shared.dir });
        assert.match(assertOneLineError(result, 1), says);
        assert.equal(result.stdout, '');
      });
    }

    it('--log-format json: status prints JSON lines', async () => {
      const result = await runCli(['--log-format', 'json', '--db', shared.db, 'status'], { cwd: shared.dir });
      assert.equal(result.code, 0, result.stderr);
      assertJsonLines(result.stdout, 'stdout');
    });

    it('says "already ingested" when run again, exits 0 and leaves the history as it was', async () => {
      const { dir, db } = await space();
      assert.equal((await runCli(['-q', '--db', db, 'ingest', '--dump', SEQUENCE], { cwd: dir })).code, 0);
      const before = await historyDump(db);
      const again = await runCli(['--db', db, 'ingest', '--dump', SEQUENCE], { cwd: dir });
      assert.equal(again.code, 0, again.stderr);
      const summary = lines(again.stdout);
      assert.equal(summary.length, SEQUENCE_SNAPSHOTS.length, again.stdout);
      for (const line of summary) assert.match(line, /already ingested/);
      assert.equal(await historyDump(db), before, 'history unchanged by the re-run');
    });

    it('prints nothing at all with -q when all goes well', async () => {
      const { dir, db } = await space();
      const result = await runCli(['-q', '--db', db, 'ingest', '--dump', SEQUENCE], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, '');
      assert.equal((await dbCounts(db)).snapshots, SEQUENCE_SNAPSHOTS.length, 'the work was done all the same');
    });
  });
  }

  describe('usage errors: exit 2, one line, nothing done', { concurrency: 3 }, () => {
    const cases: { name: string; args: string[]; says: RegExp }[] = [
      { name: 'a --from that is no date', args: ['export', '--from', '2026-13-01', '--to', '2026-11-30'], says: /--from.*2026-13-01/ },
      { name: '--from after --to', args: ['export', '--from', '2026-11-30', '--to', '2026-11-01'], says: /--from.*--to|after/ },
      { name: 'an unknown option', args: ['ingest', '--dump', SEQUENCE, '--bogus'], says: /--bogus/ },
      { name: '--dump without a path', args: ['ingest', '--dump'], says: /--dump/ },
      { name: '--dump of a path that does not exist', args: ['ingest', '--dump', '/nonexistent/usage-etl/servers.json'], says: /\/nonexistent\/usage-etl\/servers\.json/ },
      { name: '--at without a time zone', args: ['ingest', '--dump', join(BAD, 'no-time.json'), '--at', '2026-11-21T02:00:00'], says: /--at.*(zone|2026-11-21T02:00:00)/ },
      { name: '--dump of an empty folder', args: ['ingest', '--dump', tempDir()], says: /no dump files in/ },
      { name: 'an empty --source', args: ['ingest', '--dump', SEQUENCE, '--source', ''], says: /--source/ },
      { name: 'an unknown --log-format', args: ['--log-format', 'yaml', 'ingest', '--dump', SEQUENCE], says: /log-format.*yaml|yaml.*log-format/ },
    ];
    for (const { name, args, says } of cases) {
      it(`${name}: exit 2 and no database file created`, async () => {
        const { dir } = workspace();
        const result = await runCli(args, { cwd: dir });
        assert.match(assertOneLineError(result, 2), says);
        assert.equal(result.stdout, '');
        assert.deepEqual(readdirSync(dir), [], 'nothing written in the working directory (no ./usage.db)');
      });
    }
  });

  for (const { kind, skip } of STORES) {
  describe(`bad dumps: exit 1, the file and the place named, nothing from it stored (${kind})`, { concurrency: 3, skip }, () => {
    const space = () => workspaceOn(kind);
    /** Per file of fixtures/bad, the place the message must point at (SPEC §9). */
    const places: Record<string, (message: string) => void> = {
      'truncated.json': (m) => assert.match(m, /line \d+, column \d+/),
      // A 502 page saved instead of JSON: the problem is its first character, not a truncation.
      'not-json.json': (m) => {
        assert.match(m, /JSON/);
        assert.doesNotMatch(m, /truncated|ends too early/, 'an HTML page is not a truncated file');
        assert.doesNotMatch(m, /line (?!1\b)\d+/, 'the bad character is on line 1');
      },
      // SPEC §9: what was expected and what was found.
      'unknown-format.json': (m) => assert.match(m, /hypervisors/, 'names what it found at the top'),
      'no-time.json': (m) => assert.match(m, /--at/),
      'zoneless-time.json': (m) => assert.match(m, /taken_at.*(zone)/),
      'unknown-type.json': (m) => assert.match(m, /resource_type.*spaceship/),
      'bad-envelope.json': (m) => assert.match(m, /\[0\].*data\.timestamp.*yesterday/),
    };
    // All of them in one run, as cron would meet them in one directory.
    let shared: { dir: string; db: string };
    let result: CliResult;
    before(async () => {
      shared = await space();
      result = await runCli(['--db', shared.db, 'ingest', '--dump', ...Object.keys(places).map((name) => join(BAD, name))], { cwd: shared.dir });
    });

    it('exit 1, nothing stored, no stack trace', async () => {
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stdout, '', 'no snapshot summary: none was applied');
      assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
      if (kind === 'postgres' || existsSync(shared.db)) {
        const counts = await dbCounts(shared.db);
        assert.equal(counts.snapshots, 0, 'no snapshot stored');
        assert.equal(counts.changes, 0, 'no change stored');
        assert.equal(counts.current, 0, 'no resource present');
      }
    });

    for (const [name, checkPlace] of Object.entries(places)) {
      it(`${name}: one line naming the file and the place`, () => {
        const about = lines(result.stderr).filter((line) => line.includes(name));
        assert.equal(about.length, 1, `one line about ${name}:\n${result.stderr}`);
        checkPlace(about[0]!);
      });
    }

    it('a directory mixing good and bad files: the good snapshots are committed, exit 1 naming the bad file', async () => {
      const { dir, db } = await space();
      const dumps = join(dir, 'dumps');
      mkdirSync(dumps);
      cpSync(join(SEQUENCE, '2026-11-01'), dumps, { recursive: true });
      cpSync(join(BAD, 'not-json.json'), join(dumps, 'not-json.json'));
      const result = await runCli(['--db', db, 'ingest', '--dump', dumps], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /not-json\.json/);
      assert.doesNotMatch(result.stderr, /^\s+at /m);
      assert.equal(lines(result.stdout).length, 7, `a summary for each good snapshot:\n${result.stdout}`);
      const status = await runCli(['--db', db, 'status'], { cwd: dir });
      for (const type of ['flavor', 'image', 'keystone_user', 'membership', 'tenant', 'vm', 'volume']) {
        assert.match(status.stdout, new RegExp(`nectar-sa\\b.*\\b${type}\\b.*2026-11-01T02:00:00Z`), `${type} stored`);
      }
      assert.equal((await dbCounts(db)).snapshots, 7);
    });

    it('a batch of messages broken part-way: exit 1, and none of its messages stored (a copy elsewhere still is)', async () => {
      const { dir, db } = await space();
      const message = (id: string, hostname: string, timestamp: unknown) => ({
        id,
        session: 's',
        schema: 'nova',
        version: 1,
        data: { timestamp, hostname, flavors: [{ id: `f-${id}`, name: 'm1', vcpus: 1, ram: 512, disk: 1 }] },
      });
      const batch = join(dir, 'batch.json');
      writeFileSync(batch, JSON.stringify([message('m1', 'cloud-a', 1795140000), message('m2', 'cloud-b', 1795140000), message('m3', 'cloud-c', 'soon')]));
      // m1 again, delivered in another file: read there, not skipped as a re-delivery of the failed one.
      const again = join(dir, 'again.json');
      writeFileSync(again, JSON.stringify([message('m1', 'cloud-a', 1795140000)]));
      const result = await runCli(['--db', db, 'ingest', '--dump', batch, again], { cwd: dir });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /batch\.json: \[2\]: data\.timestamp: expected epoch seconds, found "soon"/);
      assert.deepEqual(lines(result.stdout).map((l) => l.split(' ').slice(0, 2).join(' ')), ['cloud-a flavor'], result.stdout);
      assert.equal((await dbCounts(db)).snapshots, 1, 'nothing of batch.json: cloud-b stays unknown');
    });

    it('quarantine.json: exit 0, good records stored, bad ones quarantined and listed by status, nothing removed', async () => {
      const { dir, db } = await space();
      // An earlier complete snapshot with a VM (q-9) that the quarantined one does not list.
      const earlier = writeCanonical(dir, 'earlier.json', {
        source: 'quarantine-demo',
        taken_at: '2026-11-20T02:00:00Z',
        resources: [{ id: 'q-1', status: 'ACTIVE', vcpus: 2 }, { id: 'q-9', status: 'ACTIVE', vcpus: 4 }],
      });
      assert.equal((await runCli(['--db', db, 'ingest', '--dump', earlier], { cwd: dir })).code, 0);
      const result = await runCli(['--db', db, 'ingest', '--dump', join(BAD, 'quarantine.json')], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      const summary = lines(result.stdout).join('\n');
      assert.match(summary, /quarantine-demo vm 2026-11-21T02:00:00Z/);
      assert.match(summary, /removed 0\b/);
      assert.match(summary, /rejected 4\b/);
      assert.match(summary, /incomplete/);
      assert.deepEqual(await currentKeys(db, 'quarantine-demo'), ['q-1', 'q-9'], 'q-1 kept, q-9 not removed by an incomplete snapshot');

      const status = await runCli(['--db', db, 'status'], { cwd: dir });
      assert.equal(status.code, 0, status.stderr);
      for (const place of ['resources[1]', 'resources[2]', 'resources[3]', 'resources[4]']) {
        const line = lines(status.stdout).find((l) => l.includes('quarantine.json') && l.includes(place));
        assert.ok(line, `status lists the quarantined record at ${place}:\n${status.stdout}`);
      }
      assert.match(status.stdout, /resources\[1\].*vcpus/, 'and the field at fault');
    });
  });
  }

  for (const { kind, skip } of STORES) {
  describe(`--dry-run (${kind})`, { concurrency: 3, skip }, () => {
    const space = () => workspaceOn(kind);
    it('on a new database: prints the counts, creates no database file (no tables in an empty PostgreSQL one)', async () => {
      const { dir, db } = await space();
      const result = await runCli([...(kind === 'sqlite' ? [] : ['--db', db]), 'ingest', '--dump', SEQUENCE, '--dry-run'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(lines(result.stdout).length, SEQUENCE_SNAPSHOTS.length);
      for (const line of lines(result.stdout)) assert.match(line, /added \d+, modified \d+, removed \d+, unchanged \d+/);
      assert.deepEqual(readdirSync(dir), [], 'no ./usage.db');
      if (kind === 'postgres') assert.equal(await countRows(db, "information_schema.tables WHERE table_schema = 'public'"), 0);
    });

    it('on an existing database: prints the counts, changes nothing', async () => {
      const { dir, db } = await space();
      assert.equal((await runCli(['-q', '--db', db, 'ingest', '--dump', join(SEQUENCE, '2026-11-01')], { cwd: dir })).code, 0);
      const before = { counts: await dbCounts(db), history: await historyDump(db) };
      const result = await runCli(['--db', db, 'ingest', '--dump', join(SEQUENCE, '2026-11-02'), '--dry-run'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      const vm = lines(result.stdout).find((line) => line.includes('nectar-sa vm 2026-11-02T02:00:00Z'));
      assert.ok(vm, result.stdout);
      assert.match(vm, /added 1\b.*modified 1\b.*removed 0\b.*unchanged 2\b/);
      assert.deepEqual({ counts: await dbCounts(db), history: await historyDump(db) }, before, 'nothing written, not even a run');
    });

    it('prints the same counts as the real ingest that follows it', async () => {
      const { dir, db } = await space();
      const strip = (text: string) => lines(text).map((line) => line.replace(/ \(\d+(\.\d+)?s\)/, '').replace(/ \[dry run\]/, '')).sort();
      const dry = await runCli(['--db', db, 'ingest', '--dump', SEQUENCE, '--dry-run'], { cwd: dir });
      const real = await runCli(['--db', db, 'ingest', '--dump', SEQUENCE], { cwd: dir });
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(real.code, 0, real.stderr);
      assert.deepEqual(strip(dry.stdout), strip(real.stdout), 'a dry run previews what the ingest will do');
    });
  });
  }

  describe('validate', { concurrency: 3 }, () => {
    it('fixtures/sequence: exit 0, and writes nothing', async () => {
      const { dir } = workspace();
      const result = await runCli(['validate', SEQUENCE], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(lines(result.stdout).length, SEQUENCE_SNAPSHOTS.length, result.stdout);
      assert.deepEqual(readdirSync(dir), []);
    });

    it('fixtures/bad: exit 1, every problem listed, no stack trace', async () => {
      const { dir } = workspace();
      const result = await runCli(['validate', BAD], { cwd: dir });
      assert.equal(result.code, 1);
      assert.doesNotMatch(result.stderr, /^\s+at /m);
      for (const name of readdirSync(BAD)) {
        if (name === 'quarantine.json') continue;
        assert.ok(lines(result.stderr).some((line) => line.includes(name)), `${name} reported:\n${result.stderr}`);
      }
      for (const place of ['resources[1]', 'resources[2]', 'resources[3]', 'resources[4]']) {
        assert.ok(
          lines(result.stderr).some((line) => line.includes('quarantine.json') && line.includes(place)),
          `quarantine.json ${place} reported:\n${result.stderr}`,
        );
      }
      assert.deepEqual(readdirSync(dir), []);
    });
  });

  describe('help and log formats', { concurrency: 3 }, () => {
    for (const command of ['ingest', 'export', 'status', 'validate', 'prune']) {
      it(`${command} --help shows an Examples section with a real command line`, async () => {
        const result = await runCli([command, '--help'], { cwd: workspace().dir });
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /^Examples:/m);
        assert.match(result.stdout, new RegExp(`^\\s+usage-etl .*\\b${command}\\b`, 'm'));
      });
    }

    it('--version prints the version of package.json, and the top-level help lists every command', async () => {
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const result = await runCli(['--version'], { cwd: workspace().dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${version}\n`);
      const help = await runCli(['--help'], { cwd: workspace().dir });
      assert.equal(help.code, 0, help.stderr);
      for (const command of ['ingest', 'export', 'status', 'validate', 'prune']) assert.match(help.stdout, new RegExp(`^  ${command} +\\w`, 'm'));
    });

    it('--log-format json: every line of an ingest with a bad file is JSON, summaries carry the counts', async () => {
      const { dir, db } = workspace();
      const dumps = join(dir, 'dumps');
      mkdirSync(dumps);
      cpSync(join(SEQUENCE, '2026-11-01', 'servers.json'), join(dumps, 'servers.json'));
      cpSync(join(BAD, 'quarantine.json'), join(dumps, 'quarantine.json'));
      cpSync(join(BAD, 'truncated.json'), join(dumps, 'truncated.json'));
      const result = await runCli(['--log-format', 'json', '--db', db, 'ingest', '--dump', dumps], { cwd: dir });
      assert.equal(result.code, 1);
      assertJsonLines(result.stdout, 'stdout');
      assertJsonLines(result.stderr, 'stderr');
      const summaries = lines(result.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
      const vm = summaries.find((s) => s.source === 'nectar-sa' && s.resource_type === 'vm');
      assert.ok(vm, result.stdout);
      assert.equal(vm.added, 3);
      assert.ok(lines(result.stderr).some((line) => line.includes('truncated.json')), 'the bad file named');
    });

    it('--log-format json: validate prints only JSON lines', async () => {
      const result = await runCli(['--log-format', 'json', 'validate', BAD], { cwd: workspace().dir });
      assert.equal(result.code, 1);
      assertJsonLines(result.stdout, 'stdout');
      assertJsonLines(result.stderr, 'stderr');
    });

    it('--log-format json: a usage error is a JSON line too', async () => {
      const result = await runCli(['--log-format', 'json', 'export', '--from', '2026-13-01', '--to', '2026-11-30'], { cwd: workspace().dir });
      assert.equal(result.code, 2);
      assert.notEqual(result.stderr, '');
      assertJsonLines(result.stderr, 'stderr');
    });
  });

  for (const { kind, skip } of STORES) {
  describe(`guards on the history (SPEC §6) (${kind})`, { concurrency: 3, skip }, () => {
    const space = () => workspaceOn(kind);
    it('refuses a snapshot that removes 25 of 30 VMs unless --allow-mass-removal', async () => {
      const { dir, db } = await space();
      const full = writeCanonical(dir, 'full.json', { source: 'tango-cloud', taken_at: '2026-11-20T02:00:00Z', resources: vms(30) });
      const few = writeCanonical(dir, 'few.json', { source: 'tango-cloud', taken_at: '2026-11-21T02:00:00Z', resources: vms(5) });
      assert.equal((await runCli(['--db', db, 'ingest', '--dump', full], { cwd: dir })).code, 0);

      const refused = await runCli(['--db', db, 'ingest', '--dump', few], { cwd: dir });
      assert.match(assertOneLineError(refused, 1), /--allow-mass-removal/);
      assert.equal((await currentKeys(db, 'tango-cloud')).length, 30, 'nothing removed');
      assert.equal((await dbCounts(db)).snapshots, 1, 'the refused snapshot is not stored');

      const allowed = await runCli(['--db', db, 'ingest', '--dump', few, '--allow-mass-removal'], { cwd: dir });
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(allowed.stdout, /tango-cloud vm 2026-11-21T02:00:00Z: .*removed 25\b/);
      assert.deepEqual(await currentKeys(db, 'tango-cloud'), vms(5).map((vm) => vm.id));
    });

    it('refuses a snapshot older than the latest one applied, naming both times', async () => {
      const { dir, db } = await space();
      const newer = writeCanonical(dir, 'newer.json', { source: 'tango-cloud', taken_at: '2026-11-21T02:00:00Z', resources: vms(3) });
      const older = writeCanonical(dir, 'older.json', { source: 'tango-cloud', taken_at: '2026-11-20T02:00:00Z', resources: vms(4) });
      assert.equal((await runCli(['--db', db, 'ingest', '--dump', newer], { cwd: dir })).code, 0);
      const refused = await runCli(['--db', db, 'ingest', '--dump', older], { cwd: dir });
      const message = assertOneLineError(refused, 1);
      assert.ok(message.includes('2026-11-20T02:00:00Z'), `names the older time: ${message}`);
      assert.ok(message.includes('2026-11-21T02:00:00Z'), `names the newer time: ${message}`);
      assert.equal((await dbCounts(db)).snapshots, 1);
      assert.deepEqual(await currentKeys(db, 'tango-cloud'), vms(3).map((vm) => vm.id));
    });
  });
  }
});
