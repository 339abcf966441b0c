// Dump readers: each format recognised by content, compression by magic bytes, errors with places.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { InputError } from '../src/errors.ts';
import { readBytes } from '../src/sources/files/bytes.ts';
import { listDumpFiles } from '../src/sources/files/list.ts';
import type { Snapshot } from '../src/snapshot.ts';
import { formatInstant } from '../src/time.ts';
import { ingestDumps } from './support/ingest.ts';
import { readDumps, surveyFile } from './support/read.ts';
import { FIXTURES, ROOT, runCli, tempDir, workspace } from './support/cli.ts';
import { resourceType } from '../src/types/index.ts';
import { normaliser } from '../src/types/normalise.ts';

async function read(paths: string[], options: { at?: number; source?: string } = {}) {
  const { snapshots, skipped } = await readDumps(paths, options);
  return { snapshots, skipped: Object.fromEntries(skipped), find: (type: string) => snapshots.find((s) => s.type.name === type)! };
}

function summary(s: Snapshot) {
  return { source: s.source, type: s.type.name, at: formatInstant(s.takenAt), records: s.records.size, complete: s.complete };
}

async function readError(file: string, options: { at?: number } = {}): Promise<InputError> {
  try {
    await read([file], options);
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${file} was read without an error`);
}

function write(name: string, text: string | Buffer): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

describe('canonical snapshots', () => {
  it('reads JSON, converting taken_at to UTC', async () => {
    const { snapshots } = await read([join(FIXTURES, 'canonical/tango-cloud-vm.json')]);
    assert.deepEqual(snapshots.map(summary), [
      { source: 'tango-cloud', type: 'vm', at: '2026-11-11T13:30:00Z', records: 2, complete: true },
    ]);
  });

  it('reads gzipped JSONL: a header line, then one resource per line', async () => {
    const { snapshots } = await read([join(FIXTURES, 'canonical/tango-cloud-volumes.jsonl.gz')]);
    assert.deepEqual(snapshots.map(summary), [
      { source: 'tango-cloud', type: 'volume', at: '2026-11-11T13:30:00Z', records: 2, complete: true },
    ]);
  });

  it('recognises gzip by content, not by name', async () => {
    const text = JSON.stringify({ source: 's', resource_type: 'flavor', taken_at: '2026-11-01T00:00:00Z', resources: [{ id: 'f1' }] });
    const { snapshots } = await read([write('plain-name.json', gzipSync(text))]);
    assert.equal(snapshots[0]!.records.size, 1);
  });

  it('reads a one-line document and a byte-order mark', async () => {
    const text = `\ufeff${JSON.stringify({ source: 's', resource_type: 'flavor', taken_at: '2026-11-01T00:00:00Z', resources: [{ id: 'f1' }, { id: 'f2' }] })}\n`;
    const { snapshots } = await read([write('one-line.json', text)]);
    assert.equal(snapshots[0]!.records.size, 2);
  });

  it('honours complete: false', async () => {
    const text = JSON.stringify({ source: 's', resource_type: 'flavor', taken_at: '2026-11-01T00:00:00Z', complete: false, resources: [] });
    const { snapshots } = await read([write('partial.json', text)]);
    assert.equal(snapshots[0]!.complete, false);
  });

  it('merges identical copies of a key and keeps the later of differing ones', async () => {
    const text = JSON.stringify({
      source: 's',
      resource_type: 'vm',
      taken_at: '2026-11-01T00:00:00Z',
      resources: [{ id: 'a', status: 'ACTIVE' }, { id: 'a', status: 'ACTIVE' }, { id: 'b', status: 'ACTIVE' }, { id: 'b', status: 'SHUTOFF' }],
    });
    const { snapshots } = await read([write('dups.json', text)]);
    const s = snapshots[0]!;
    assert.equal(s.records.size, 2);
    assert.equal(s.duplicates, 1);
    assert.deepEqual(s.conflicts, ['b']);
    assert.match(s.records.get('b')!.json, /SHUTOFF/);
  });

  it('quarantines bad records with their place, and the snapshot is then incomplete', async () => {
    const { snapshots } = await read([join(FIXTURES, 'bad/quarantine.json')]);
    const s = snapshots[0]!;
    assert.equal(s.records.size, 1);
    assert.equal(s.complete, false);
    assert.deepEqual(
      s.rejects.map((r) => `${r.location}: ${r.field ?? ''}`),
      ['resources[1]: vcpus', 'resources[2]: id', 'resources[3]: created_at', 'resources[4]: '],
    );
  });
});

describe('raw OpenStack list responses', () => {
  it('reads every list key of the bundled sequence with its wrapper time and source', async () => {
    const { snapshots } = await read([join(FIXTURES, 'sequence/2026-11-01')]);
    assert.deepEqual(
      snapshots.map((s) => `${s.type.name}:${s.records.size}:${s.complete}`),
      ['flavor:4:true', 'image:2:true', 'keystone_user:3:true', 'membership:3:true', 'tenant:2:true', 'vm:3:true', 'volume:2:true'],
    );
    assert.ok(snapshots.every((s) => s.source === 'nectar-sa' && formatInstant(s.takenAt) === '2026-11-01T02:00:00Z'));
  });

  it('counts domain-scoped and group role assignments as skipped, not lost', async () => {
    const { find } = await read([join(FIXTURES, 'sequence/2026-11-01/role_assignments.json')]);
    assert.equal(find('membership').skipped, 2);
    assert.equal(find('membership').examined, 6);
  });

  it('needs --at for a bare response, and names its folder as the source', async () => {
    const error = await readError(join(FIXTURES, 'bad/no-time.json'));
    assert.match(error.message, /bad\/no-time\.json: carries no time \(taken_at\); give one with --at/);
    const { snapshots } = await read([join(FIXTURES, 'bad/no-time.json')], { at: Date.parse('2026-11-21T02:00:00Z') });
    assert.deepEqual(snapshots.map(summary), [{ source: 'bad', type: 'vm', at: '2026-11-21T02:00:00Z', records: 1, complete: true }]);
  });

  it('lets --source override the name in the dump', async () => {
    const { snapshots } = await read([join(FIXTURES, 'sequence/2026-11-01/flavors.json')], { source: 'other' });
    assert.equal(snapshots[0]!.source, 'other');
  });

  it('marks one page of several as incomplete (servers_links next)', async () => {
    const { snapshots } = await read([join(FIXTURES, 'incomplete/paged-response.json')]);
    assert.equal(snapshots[0]!.complete, false);
    assert.match(snapshots[0]!.incompleteBecause.join(), /servers_links has a next link/);
  });

  it('marks Keystone truncated lists and Glance next pages as incomplete', async () => {
    const users = write('users.json', JSON.stringify({ taken_at: '2026-11-01T00:00:00Z', users: [{ id: 'u1' }], truncated: true }));
    const images = write('images.json', JSON.stringify({ taken_at: '2026-11-01T00:00:00Z', images: [{ id: 'i1' }], next: '/v2/images?marker=i1' }));
    const { snapshots } = await read([users, images]);
    assert.deepEqual(snapshots.map((s) => s.complete), [false, false]);
  });

  it('keeps down-cell servers as partial: seen, incomplete, never diffed', async () => {
    const { snapshots } = await read([join(FIXTURES, 'incomplete/down-cell.json')]);
    const s = snapshots[0]!;
    assert.equal(s.records.size, 1);
    assert.equal(s.partial.size, 1);
    assert.equal(s.complete, false);
  });
});

describe('reporting-unified envelopes', () => {
  it('joins the pages of one nova.list scan across an .xz batch and a JSONL batch into one snapshot', async () => {
    const { snapshots, skipped } = await read([join(FIXTURES, 'envelopes')]);
    assert.deepEqual(snapshots.map(summary), [
      { source: 'reporting.sa.example.org', type: 'flavor', at: '2026-11-10T02:00:00Z', records: 2, complete: true },
      { source: 'reporting.sa.example.org', type: 'vm', at: '2026-11-10T02:00:00Z', records: 4, complete: true },
      { source: 'reporting.sa.example.org', type: 'keystone_user', at: '2026-11-10T02:01:00Z', records: 3, complete: true },
      { source: 'reporting.sa.example.org', type: 'membership', at: '2026-11-10T02:01:00Z', records: 3, complete: true },
      { source: 'reporting.sa.example.org', type: 'tenant', at: '2026-11-10T02:01:00Z', records: 2, complete: true },
      { source: 'reporting.sa.example.org', type: 'volume', at: '2026-11-10T02:01:30Z', records: 2, complete: true },
      { source: 'reporting.sa.example.org', type: 'volume_snapshot', at: '2026-11-10T02:01:30Z', records: 0, complete: true },
      { source: 'hpc-nfs1.sa.example.org', type: 'xfs_quota', at: '2026-11-10T02:02:00Z', records: 1, complete: true },
    ]);
    assert.deepEqual(skipped, { 're-delivered messages': 1 });
  });

  it('marks a scan with a missing page incomplete instead of removing what was on it', async () => {
    const { find } = await read([join(FIXTURES, 'envelopes/reporting-2026-11-10-b.jsonl')]);
    assert.equal(find('vm').complete, false);
    assert.match(find('vm').incompleteBecause.join(), /page\(s\) 1 of 2 missing/);
  });

  it('refuses a message whose time is not epoch seconds, naming the message', async () => {
    const error = await readError(join(FIXTURES, 'bad/bad-envelope.json'));
    assert.equal(error.location, '[0]');
    assert.match(error.detail, /data\.timestamp: expected epoch seconds, found "yesterday"/);
  });
});

describe('broken files', () => {
  it('names the line and column of a token JSON.parse does not place ("Unexpected token \'x\', … is not valid JSON")', async () => {
    const dir = tempDir();
    const file = join(dir, 'typo.json');
    writeFileSync(file, '{\n  "source": "s",\n  "resource_type": "flavor",\n  "taken_at": "2026-11-01T00:00:00Z",\n  "resources": [{"id": "f1", "vcpus": tru}]\n}\n');
    const error = await readError(file);
    // Line 5: `  "resources": [{"id": "f1", "vcpus": tru}]`, where `}` (column 42) follows the broken `tru`.
    assert.equal(error.location, 'line 5, column 42');
    assert.match(error.detail, /not valid JSON \(Unexpected token/);
  });

  it('names the line and column where a truncated file ends', async () => {
    const error = await readError(join(FIXTURES, 'bad/truncated.json'));
    assert.match(error.location ?? '', /^line \d+, column \d+$/);
    assert.match(error.detail, /ends too early \(is the file truncated\?\)/);
  });

  it('says a file is not JSON', async () => {
    const error = await readError(join(FIXTURES, 'bad/not-json.json'));
    assert.match(error.message, /not-json\.json: line 1, column 1: not valid JSON \(Unexpected token '<'/);
  });

  it('puts a syntax error on one line, where JSON.parse quotes lines of the file around it (issue 13 fuzz)', async () => {
    const { dir, db } = workspace();
    const text = readFileSync(join(FIXTURES, 'bad/quarantine.json'), 'utf8').replace('    },\n', '    },\n    },\n');
    const file = join(dir, 'extra-brace.json');
    writeFileSync(file, text);
    const run = await runCli(['--db', db, 'ingest', '--dump', file], { cwd: dir });
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    // The first `    },` of the fixture is line 11: the extra one is line 12, its `}` in column 5.
    assert.match(run.stderr, /extra-brace\.json: line 12, column 5: not valid JSON \(Unexpected token '}', .*\\n.* is not valid JSON\)/);
  });

  it('says what formats it expected for an unknown shape', async () => {
    const error = await readError(join(FIXTURES, 'bad/unknown-format.json'));
    assert.match(error.detail, /not a recognised dump: expected a canonical snapshot/);
  });

  it('refuses a zone-less taken_at and an unknown resource type', async () => {
    assert.match((await readError(join(FIXTURES, 'bad/zoneless-time.json'))).detail, /taken_at: a time without a time zone/);
    assert.match((await readError(join(FIXTURES, 'bad/unknown-type.json'))).detail, /resource_type: unknown type "spaceship" \(known: vm, /);
  });

  it('names the line of a broken JSONL line', async () => {
    const file = write('bad.jsonl', '{"source":"s","resource_type":"flavor","taken_at":"2026-11-01T00:00:00Z"}\n{"id":"f1"}\n{"id": "f2"\n');
    const error = await readError(file);
    assert.equal(error.location, 'line 3');
  });

  it('refuses an empty file and a corrupt gzip stream', async () => {
    assert.match((await readError(write('empty.json', '\n'))).detail, /is empty/);
    const gz = gzipSync('{"a": 1}');
    assert.match((await readError(write('cut.json.gz', gz.subarray(0, gz.length - 6)))).detail, /not a valid gzip stream/);
  });

  it('refuses a truncated xz file, naming it and what xz found', async () => {
    const xz = readFileSync(join(FIXTURES, 'envelopes/reporting-2026-11-10-a.json.xz'));
    const file = write('cut.json.xz', xz.subarray(0, xz.length - 40));
    const error = await readError(file);
    assert.equal(error.file, file);
    assert.match(error.detail, /not a valid xz stream: Unexpected end of input/);
  });

  it('says what to install when an .xz dump meets a machine without `xz`, and loads nothing', async () => {
    const { dir } = workspace();
    const noXz = join(dir, 'bin'); // a PATH with no xz on it
    mkdirSync(noXz);
    const result = await runCli(['--db', join(dir, 'usage.db'), 'ingest', '--dump', join(FIXTURES, 'envelopes/reporting-2026-11-10-a.json.xz')], {
      env: { PATH: noXz },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /reporting-2026-11-10-a\.json\.xz: is xz-compressed, but the `xz` program was not found: install xz-utils/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});

describe('xz dumps are streamed (issue 12: reporting-unified archives are large .xz files)', () => {
  const MIB = 1 << 20;
  /** 32 MiB of JSONL lines, xz-compressed to a few kilobytes. */
  function bigXz(): string {
    const line = `${JSON.stringify({ event_type: 'compute.instance.exists', payload: { instance_id: 'x'.repeat(200) } })}\n`;
    const text = Buffer.from(line.repeat(Math.ceil((32 * MIB) / line.length)));
    return write('big.jsonl.xz', execFileSync('xz', ['-0', '--stdout'], { input: text, maxBuffer: 64 * MIB }));
  }
  /** Live processes whose command line names `file` (an xz decoding it). */
  const decoding = (file: string) =>
    readdirSync('/proc').filter((pid) => {
      try {
        return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(file);
      } catch {
        return false; // gone meanwhile
      }
    });

  it('come in small chunks as xz writes them, never the whole file as one buffer', async () => {
    const file = bigXz();
    let total = 0;
    let largest = 0;
    let chunks = 0;
    for await (const chunk of readBytes(file)) {
      total += chunk.length;
      largest = Math.max(largest, chunk.length);
      chunks++;
    }
    assert.ok(total >= 32 * MIB, `${total} bytes`);
    assert.ok(largest <= MIB, `a chunk of ${largest} bytes`);
    assert.ok(chunks >= 32, `${chunks} chunks`);
  });

  it('a reader that stops after the head ends its xz process', async () => {
    const file = bigXz();
    const bytes = readBytes(file);
    assert.ok(!(await bytes.next()).done);
    assert.equal(decoding(file).length, 1, 'xz is still decoding: it has not written the file whole');
    await bytes.return(undefined);
    for (let i = 0; i < 100 && decoding(file).length; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(decoding(file), [], 'no xz left writing into a full pipe');
  });
});

describe('surveying files for their turn', () => {
  it('learns a single snapshot header from the first megabyte', async () => {
    const survey = await surveyFile(join(FIXTURES, 'sequence/2026-11-02/servers.json'));
    assert.equal(survey.kind, 'single');
    if (survey.kind === 'single') assert.equal(formatInstant(survey.header.takenAt), '2026-11-02T02:00:00Z');
  });

  it('reads envelope batches at once (they may hold many snapshots)', async () => {
    assert.equal((await surveyFile(join(FIXTURES, 'envelopes/reporting-2026-11-10-b.jsonl'))).kind, 'many');
  });
});

describe('documents too large to parse whole', () => {
  // The limit is lowered for these runs only, so the streamed reader handles every file.
  it('give the same history as when parsed whole', async () => {
    const dirs = [join(FIXTURES, 'sequence'), join(FIXTURES, 'envelopes'), join(FIXTURES, 'canonical')];
    const whole = tempDir();
    const streamed = tempDir();
    assert.equal((await runCli(['ingest', '--dump', ...dirs], { cwd: whole })).code, 0);
    const run = await ingestDumps(join(streamed, 'usage.db'), dirs, { wholeJsonLimit: 600 });
    assert.equal(run.code, 0, run.stderr.join('\n'));
    const exportArgs = ['export', '--from', '2026-11-01', '--to', '2026-11-12', '--report', 'changes', '--stdout'];
    const a = await runCli(exportArgs, { cwd: whole });
    const b = await runCli(exportArgs, { cwd: streamed });
    assert.equal(a.code, 0, a.stderr);
    assert.ok(a.stdout.split('\n').length > 50);
    assert.equal(b.stdout, a.stdout);
  });

  it('see an empty list as a whole document does: a complete, empty snapshot', async () => {
    const dir = tempDir();
    const file = join(dir, 'lists.json');
    const servers = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, status: 'ACTIVE', tenant_id: 't1', flavor: { id: 'f1' }, created: '2026-11-01T00:00:00Z' }));
    writeFileSync(file, JSON.stringify({ taken_at: '2026-11-02T02:00:00Z', source: 'c', flavors: [], servers }));
    const shape = (read: Awaited<ReturnType<typeof readDumps>>) => read.snapshots.map((s) => `${s.type.name}:${s.records.size}:${s.complete}`).sort();
    const whole = shape(await readDumps([file]));
    assert.deepEqual(whole, ['flavor:0:true', 'vm:20:true']);
    assert.deepEqual(shape(await readDumps([file], { wholeJsonLimit: 600 })), whole);
  });

  // Records of a streamed document are parsed and normalised by a worker, a thousand at a time
  // (dump/normalise-pool.ts): what it hands back must be what this thread would have made of them.
  it('read thousands of records, a bad one and a key given twice among them, to the same snapshot', async () => {
    const servers: Record<string, unknown>[] = Array.from({ length: 2600 }, (_, i) => ({
      id: `s${i}`, status: 'ACTIVE', tenant_id: `t${i % 7}`, flavor_id: 'm1', vcpus: 2, created_at: '2026-11-01T00:00:00Z', name: `caf\u00e9 ${i}`,
    }));
    servers[1700] = { ...servers[1700], vcpus: 'two' };
    // The later of two differing copies stands (SPEC §6), whichever batch each is in.
    servers.push({ ...servers[5], status: 'SHUTOFF' });
    const file = write('fleet.json', JSON.stringify({ source: 'c', resource_type: 'vm', taken_at: '2026-11-02T02:00:00Z', resources: servers }));
    const content = async (options: { wholeJsonLimit?: number }) => {
      const [vm] = (await readDumps([file], { ...options, privacy: { mode: 'keep' } })).snapshots;
      return { ...summary(vm!), hash: vm!.contentHash, rejects: vm!.rejects, conflicts: vm!.conflicts, records: [...vm!.records.values()] };
    };
    const whole = await content({});
    assert.equal(whole.records.length, 2599);
    assert.deepEqual(whole.rejects, [{ file, location: 'resources[1700]', field: 'vcpus', reason: 'expected an integer, found "two"' }]);
    assert.deepEqual(whole.conflicts, ['s5']);
    assert.match(whole.records.find((r) => r.key === 's5')!.json, /SHUTOFF/);
    assert.deepEqual(await content({ wholeJsonLimit: 600 }), whole);
  });

  it('are normalised by the worker of the built CLI as by the sources', async () => {
    // The CLI runs dist/, whose worker is a .js file: the test above runs the .ts one.
    const built = (await import(join(ROOT, 'dist/sources/dump/normalise-pool.js'))) as typeof import('../src/sources/dump/normalise-pool.ts');
    const taken: unknown[] = [];
    const writer = { type: resourceType('vm')!, privacy: { mode: 'drop' as const }, add() {}, incomplete() {}, reject() {}, take: (outcome: unknown, at: string) => taken.push([outcome, at]) };
    const batches = new built.WorkerBatches('f.json');
    const texts = ['{"id": "a", "vcpus": 2, "created_at": "2026-11-01T10:00:00+10:00"}', '{"id": "b", "vcpus": "two"}', '{"status": "ACTIVE"}'];
    texts.forEach((text, i) => batches.add(writer, 'canonical', text, `resources[${i}]`));
    await batches.finish();
    const record = normaliser(resourceType('vm')!, 'canonical', { mode: 'drop' })(JSON.parse(texts[0]!));
    assert.ok(record.kind === 'record');
    const [[first]] = taken as [[{ kind: string; record: { key: string; hash: string; bytes: Uint8Array } }]];
    assert.deepEqual([first.kind, first.record.key, first.record.hash, Buffer.from(first.record.bytes).toString()], ['encoded', 'a', record.record.hash, record.record.json]);
    assert.deepEqual(taken.slice(1), [
      [{ kind: 'rejected', field: 'vcpus', detail: 'expected an integer, found "two"' }, 'resources[1]'],
      [{ kind: 'rejected', field: 'id', detail: 'missing key field (found nothing)' }, 'resources[2]'],
    ]);
  });

  it('refuse a document whose element is not JSON, naming the element, and store nothing of it', async () => {
    const elements = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ id: `s${i}`, status: 'ACTIVE', created_at: '2026-11-01T00:00:00Z' }));
    elements[1800] = '{"id": "s1800", "status": ACTIVE}';
    const file = write('broken.json', `{"source": "c", "resource_type": "vm", "taken_at": "2026-11-02T02:00:00Z", "resources": [${elements.join(',\n')}]}`);
    const dir = tempDir();
    const run = await ingestDumps(join(dir, 'usage.db'), [file], { wholeJsonLimit: 600 });
    assert.equal(run.code, 1);
    assert.match(run.stderr.join('\n'), /broken\.json: resources\[1800\]: not valid JSON/);
    const status = await runCli(['--log-format', 'json', 'status'], { cwd: dir });
    assert.deepEqual((JSON.parse(status.stdout) as { series: unknown[] }).series, []);
  });

  it('still see a next link that comes after the list', async () => {
    const dir = tempDir();
    const run = await ingestDumps(join(dir, 'usage.db'), [join(FIXTURES, 'incomplete/paged-response.json')], { wholeJsonLimit: 600 });
    assert.equal(run.code, 0, run.stderr.join('\n'));
    assert.match(run.stdout.join('\n'), /incomplete, nothing removed: servers_links has a next link/);
  });
});
