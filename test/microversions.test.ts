// Issue 13 item 3: the same Nova servers saved at microversion 2.1 (flavor {id, links}) and at 2.96
// (flavor {original_name, vcpus, ram, disk, ephemeral, swap, extra_specs}, no id) are one history:
// no modification either way, flavor_id joins flavor.csv, flavor_name is the flavor's name.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, workspace } from './support/cli.ts';

const SHAPES = join(FIXTURES, 'real-shapes', 'nova-microversions');
const FLAVORS = join(SHAPES, 'flavors.json');
const AT_21 = join(SHAPES, 'servers-2.1.json');
const AT_296 = join(SHAPES, 'servers-2.96.json');

async function ingest(db: string, at: string, ...files: string[]): Promise<string> {
  const run = await runCli(['--db', db, 'ingest', '--dump', ...files, '--source', 'tango', '--at', at]);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

/** One day's rows of `<type>.csv`. */
async function inventory(db: string, type: string, day: string): Promise<Record<string, string>[]> {
  const run = await runCli(['--db', db, 'export', '--type', type, '--from', day, '--to', day, '--stdout']);
  assert.equal(run.code, 0, run.stderr);
  const [header, ...lines] = run.stdout.trimEnd().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [names[i], value])));
}

function vmLine(stdout: string): string {
  const line = stdout.split('\n').find((l) => /\btango vm\b/.test(l));
  assert.ok(line, `no summary line for tango vm in:\n${stdout}`);
  return line;
}

/** What the servers' flavors must read as, whichever microversion was saved. */
const EXPECTED = [
  'alignment-01: 0c4b1d2e-7f3a-4e51-9b6d-2a8c5e7f9a10 m3.small 2/4096/30',
  'assembly-big: 6b2e4f1a-9c8d-4a7b-b3e2-1f0d9c8b7a65 m3.xlarge 16/65536/30',
  'db-replica: 3 r3.large 4/16384/60',
];

/** The servers' flavors on `day`, checked against flavor.csv of the first day (every test lists the flavors then). */
async function flavorsOfVms(db: string, day: string): Promise<string[]> {
  const names: Record<string, string> = {
    '1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0': 'alignment-01',
    '8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586': 'assembly-big',
    'c3b2a190-8f7e-4d6c-a5b4-93827160f5e4': 'db-replica',
  };
  const flavorIds = new Set((await inventory(db, 'flavor', '2026-11-21')).map((f) => f.id));
  assert.equal(flavorIds.size, 3);
  return (await inventory(db, 'vm', day)).map((vm) => {
    assert.ok(flavorIds.has(vm.flavor_id), `${vm.flavor_id} of ${vm.id} is an id of flavor.csv`);
    return `${names[vm.id!]}: ${vm.flavor_id} ${vm.flavor_name} ${vm.vcpus}/${vm.ram_mb}/${vm.disk_gb}`;
  });
}

describe('Nova microversions do not churn history', () => {
  for (const [first, second, what] of [
    [AT_21, AT_296, '2.1 then 2.96'],
    [AT_296, AT_21, '2.96 then 2.1'],
  ] as const) {
    it(`the same servers saved at ${what}, each with the flavor list: nothing modified, flavor_id joins flavor.csv`, async () => {
      const { db } = workspace();
      await ingest(db, '2026-11-21T02:00:00Z', FLAVORS, first);
      assert.deepEqual(await flavorsOfVms(db, '2026-11-21'), EXPECTED, 'the first microversion');
      const out = await ingest(db, '2026-11-22T02:00:00Z', FLAVORS, second);
      assert.match(vmLine(out), /added 0, modified 0, removed 0, unchanged 3\b/);
      assert.deepEqual(await flavorsOfVms(db, '2026-11-22'), EXPECTED);
    });
  }

  it('servers saved without flavors are joined with the flavors already stored for their source', async () => {
    const { db } = workspace();
    await ingest(db, '2026-11-21T02:00:00Z', FLAVORS, AT_296);
    const out = await ingest(db, '2026-11-22T02:00:00Z', AT_21);
    assert.match(vmLine(out), /added 0, modified 0, removed 0, unchanged 3\b/);
    assert.deepEqual(await flavorsOfVms(db, '2026-11-22'), EXPECTED);
  });

  it('a flavor deleted since keeps its servers whole: the server\'s own record gives the other half', async () => {
    const { dir, db } = workspace();
    await ingest(db, '2026-11-21T02:00:00Z', FLAVORS, AT_296);
    // r3.large (id 3) retired: Nova no longer lists it, while db-replica still runs on it.
    const flavors = JSON.parse(readFileSync(FLAVORS, 'utf8')) as { flavors: { id: string }[] };
    const retired = join(dir, 'flavors.json');
    writeFileSync(retired, JSON.stringify({ flavors: flavors.flavors.filter((f) => f.id !== '3') }));
    const out = await ingest(db, '2026-11-22T02:00:00Z', retired, AT_21);
    assert.match(vmLine(out), /added 0, modified 0, removed 0, unchanged 3\b/);
    const replica = (await inventory(db, 'vm', '2026-11-22')).find((vm) => vm.id === 'c3b2a190-8f7e-4d6c-a5b4-93827160f5e4')!;
    assert.deepEqual([replica.flavor_id, replica.flavor_name, replica.vcpus], ['3', 'r3.large', '4']);
  });

  it('the usage report names the flavor by id and name; without the flavor list, by the name the servers give', async () => {
    const usage = async (db: string) => {
      const run = await runCli(['--db', db, 'export', '--report', 'usage', '--type', 'vm', '--from', '2026-11-21', '--to', '2026-11-21', '--stdout']);
      assert.equal(run.code, 0, run.stderr);
      return run.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(',').slice(3, 8).join(','));
    };
    const joined = workspace();
    await ingest(joined.db, '2026-11-21T02:00:00Z', FLAVORS, AT_21);
    await ingest(joined.db, '2026-11-22T02:00:00Z', FLAVORS, AT_296);
    const alone = workspace();
    await ingest(alone.db, '2026-11-21T02:00:00Z', AT_296);
    await ingest(alone.db, '2026-11-22T02:00:00Z', AT_296);
    // flavor_id, flavor_name, instances, instance_hours, vcpu_hours: the same hours either way.
    assert.deepEqual(await usage(joined.db), [
      '6b2e4f1a-9c8d-4a7b-b3e2-1f0d9c8b7a65,m3.xlarge,1,24,384',
      '0c4b1d2e-7f3a-4e51-9b6d-2a8c5e7f9a10,m3.small,1,24,48',
      '3,r3.large,1,24,96',
    ]);
    assert.deepEqual(await usage(alone.db), [',m3.xlarge,1,24,384', ',m3.small,1,24,48', ',r3.large,1,24,96']);
  });
});
