// OpenStack notifications end to end (SPEC §4.1.5, §4.4, §8.3, §8.4): captured messages loaded with
// the real CLI and folded into lifecycles, each rule of §4.4 in a scenario whose expected rows are
// worked out by hand from the messages' times.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, startCli, waitUntil, workspace } from './support/cli.ts';
import { readOnly, tryReadOnly } from './support/db.ts';
import { cinder, LARGE, MEDIUM, nova, server } from './support/notifications.ts';

const LIFECYCLE_HEADER = 'source,id,tenant_id,start,end,flavor_id,flavor_name,vcpus,ram_mb,disk_gb,state_class,origin,start_exact,end_exact';

function captures(files: Record<string, string[]>): { dir: string; db: string; path: (name: string) => string } {
  const ws = workspace();
  const dir = join(ws.dir, 'captures');
  mkdirSync(dir);
  for (const [name, lines] of Object.entries(files)) writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
  return { ...ws, path: (name) => join(dir, name) };
}

async function ingest(cwd: string, ...paths: string[]) {
  const run = await runCli(['ingest', '--dump', ...paths, '--source', 'cloud'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  return run;
}

async function csv(cwd: string, report: string, type: string, from = '2026-11-01', to = '2026-11-30'): Promise<string[]> {
  const run = await runCli(['export', '--from', from, '--to', to, '--report', report, '--type', type, '--stdout'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trimEnd().split('\n');
}

describe('notifications folded into lifecycles (SPEC §4.4)', () => {
  it('folds by event time, not arrival: the same lifecycle whichever file is read first', async () => {
    const early = [nova('create.end', '2026-11-02T09:00:05Z', 'a'), nova('power_off.end', '2026-11-03T10:00:00Z', 'a', { state: 'stopped' })];
    const late = [nova('power_on.end', '2026-11-04T10:00:00Z', 'a'), nova('delete.end', '2026-11-05T12:00:30Z', 'a', { state: 'deleted', terminated_at: '2026-11-05T12:00:00Z' })];
    const config = 'usage:\n  billable_states: [active]\n';
    const results: string[][] = [];
    for (const order of [['late', 'early'], ['early', 'late']]) {
      const ws = captures({ 'early.jsonl': early, 'late.jsonl': late });
      writeFileSync(join(ws.dir, 'usage-etl.yaml'), config);
      // Two runs: the later events arrive first in one workspace, last in the other.
      for (const name of order) await ingest(ws.dir, ws.path(`${name}.jsonl`));
      results.push(await csv(ws.dir, 'usage', 'vm'));
    }
    // Billed while active only: Nov 2 09:00 -> 24:00 = 15 h; Nov 3 00:00 -> 10:00 = 10 h (stopped
    // until Nov 4 10:00); Nov 4 10:00 -> 24:00 = 14 h; Nov 5 00:00 -> 12:00 (terminated_at) = 12 h. All exact.
    const expected = [
      'source,day,tenant_id,flavor_id,flavor_name,instances,instance_hours,vcpu_hours,ram_gb_hours,disk_gb_hours,estimated_hours',
      'cloud,2026-11-02,t1,f-small,m1.small,1,15,30,60,300,0',
      'cloud,2026-11-03,t1,f-small,m1.small,1,10,20,40,200,0',
      'cloud,2026-11-04,t1,f-small,m1.small,1,14,28,56,280,0',
      'cloud,2026-11-05,t1,f-small,m1.small,1,12,24,48,240,0',
    ];
    assert.deepEqual(results[0], expected);
    assert.deepEqual(results[1], expected);
  });

  it('changes nothing for a message delivered again, or the same event re-emitted under a new id', async () => {
    const create = nova('create.end', '2026-11-02T09:00:05Z', 'b', {}, 'same-id');
    const again = create;
    const reEmitted = create.replace('same-id', 'another-id');
    const ws = captures({ 'b.jsonl': [create, again, reEmitted] });
    const run = await ingest(ws.dir, ws.path('b.jsonl'));
    // One event stored; the two copies are counted unchanged.
    assert.match(run.stdout, /^cloud notification 2026-11-02T09:00:05Z: added 1, modified 0, removed 0, unchanged 2, rejected 0/m);
    assert.equal(readOnly(ws.db, (c) => c.prepare('SELECT count(*) FROM events').pluck().get()), 1);
    const second = await ingest(ws.dir, ws.path('b.jsonl'));
    assert.match(second.stdout, /: already ingested$/m);
  });

  it('starts at the first launched_at (not created_at), and a rebuild resetting launched_at starts nothing new', async () => {
    const ws = captures({
      'c.jsonl': [
        nova('create.start', '2026-11-02T08:55:01Z', 'c', { state: 'building', launched_at: null }),
        nova('create.end', '2026-11-02T09:00:05Z', 'c'),
        nova('rebuild.end', '2026-11-03T08:00:05Z', 'c', { launched_at: '2026-11-03T08:00:00Z' }),
      ],
    });
    await ingest(ws.dir, ws.path('c.jsonl'));
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'vm'), [
      LIFECYCLE_HEADER,
      // From launched_at 09:00 (built from 08:55, not billed), one period to this day: open.
      'cloud,c,t1,2026-11-02T09:00:00.000Z,,f-small,m1.small,2,4096,20,billable,events,true,',
    ]);
  });

  it('switches the flavor at resize_finish, back at revert, and not at confirm', async () => {
    const ws = captures({
      'r.jsonl': [
        nova('create.end', '2026-11-02T09:00:05Z', 'r'),
        nova('resize_finish.end', '2026-11-03T10:00:00Z', 'r', { flavor: MEDIUM, state: 'resized' }),
        nova('resize_confirm.end', '2026-11-03T11:00:00Z', 'r', { flavor: MEDIUM }),
        nova('resize_finish.end', '2026-11-04T10:00:00Z', 'r', { flavor: LARGE, state: 'resized' }),
        nova('resize_revert.end', '2026-11-04T10:30:00Z', 'r', { flavor: MEDIUM }),
      ],
    });
    await ingest(ws.dir, ws.path('r.jsonl'));
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'vm'), [
      LIFECYCLE_HEADER,
      'cloud,r,t1,2026-11-02T09:00:00.000Z,2026-11-03T10:00:00.000Z,f-small,m1.small,2,4096,20,billable,events,true,true',
      // `resized` (VERIFY_RESIZE) is billable by default: the confirm at 11:00 changes nothing.
      'cloud,r,t1,2026-11-03T10:00:00.000Z,2026-11-04T10:00:00.000Z,f-medium,m1.medium,4,8192,40,billable,events,true,true',
      'cloud,r,t1,2026-11-04T10:00:00.000Z,2026-11-04T10:30:00.000Z,f-large,m1.large,8,16384,80,billable,events,true,true',
      'cloud,r,t1,2026-11-04T10:30:00.000Z,,f-medium,m1.medium,4,8192,40,billable,events,true,',
    ]);
  });

  it('ends at terminated_at, else deleted_at, else the message time', async () => {
    const deleted = (uuid: string, over: Record<string, unknown>) => nova('delete.end', '2026-11-05T12:00:30Z', uuid, { state: 'deleted', ...over });
    const ws = captures({
      'd.jsonl': [
        nova('create.end', '2026-11-02T09:00:05Z', 'd1'),
        deleted('d1', { terminated_at: '2026-11-05T11:00:00Z', deleted_at: '2026-11-05T11:59:00Z' }),
        nova('create.end', '2026-11-02T09:00:05Z', 'd2'),
        deleted('d2', { terminated_at: '', deleted_at: '2026-11-05T11:59:00Z' }),
        nova('create.end', '2026-11-02T09:00:05Z', 'd3'),
        deleted('d3', {}),
      ],
    });
    await ingest(ws.dir, ws.path('d.jsonl'));
    assert.deepEqual((await csv(ws.dir, 'lifecycles', 'vm')).map((l) => l.split(',').slice(1, 5).join(' ')), [
      'id tenant_id start end',
      'd1 t1 2026-11-02T09:00:00.000Z 2026-11-05T11:00:00.000Z',
      'd2 t1 2026-11-02T09:00:00.000Z 2026-11-05T11:59:00.000Z',
      'd3 t1 2026-11-02T09:00:00.000Z 2026-11-05T12:00:30.000Z',
    ]);
  });

  it('bills nothing for an instance never launched, and an exists opens nothing', async () => {
    const ws = captures({
      'n.jsonl': [
        nova('create.error', '2026-11-02T09:00:05Z', 'n1', { state: 'error', launched_at: null }),
        nova('delete.end', '2026-11-02T09:10:00Z', 'n1', { state: 'deleted', launched_at: null, terminated_at: '2026-11-02T09:10:00Z' }),
        nova('exists', '2026-11-03T00:00:05Z', 'n2', { audit_period: { 'nova_object.data': { audit_period_beginning: '2026-11-02T00:00:00Z', audit_period_ending: '2026-11-03T00:00:00Z' } } }),
      ],
    });
    await ingest(ws.dir, ws.path('n.jsonl'));
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'vm'), [LIFECYCLE_HEADER]);
    assert.deepEqual(await csv(ws.dir, 'usage', 'vm'), ['source,day,tenant_id,flavor_id,flavor_name,instances,instance_hours,vcpu_hours,ram_gb_hours,disk_gb_hours,estimated_hours']);
  });

  it('folds only the events SPEC 4.4 lists: an update or a .start opens and changes nothing', async () => {
    const ws = captures({
      'o.jsonl': [
        // u1 is heard of only through an update carrying a launched_at: no lifecycle.
        nova('update', '2026-11-02T09:30:00Z', 'u1'),
        // u2: created small; an update and a resize_prep.start naming another flavor change nothing.
        nova('create.end', '2026-11-02T09:00:05Z', 'u2'),
        nova('update', '2026-11-03T10:00:00Z', 'u2', { flavor: LARGE }),
        nova('resize_prep.start', '2026-11-03T11:00:00Z', 'u2', { flavor: LARGE }),
      ],
    });
    await ingest(ws.dir, ws.path('o.jsonl'));
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'vm'), [LIFECYCLE_HEADER, 'cloud,u2,t1,2026-11-02T09:00:00.000Z,,f-small,m1.small,2,4096,20,billable,events,true,']);
  });

  it('reads the versioned fixture into its lifecycle: resize, shelve-offload (not billed) and unshelve', async () => {
    const ws = workspace();
    await ingest(ws.dir, join(FIXTURES, 'notifications', 'nova-versioned.jsonl'));
    const id = '6d3f9a2e-41c7-4b0e-9d55-2f8e1c7a4b90,3f8e2a9c4b7d41e6a0c5d9e8f7a6b5c4';
    const small = '8f1c2d3e-0a4b-4c5d-9e6f-7a8b9c0d1e2f,m3.small,2,4096,30';
    const medium = '2b7e4c1a-9d3f-4e8b-a6c5-0f1e2d3c4b5a,m3.medium,4,8192,30';
    // The story of fixtures/notifications/README.md, at the messages' own times: stopped and started
    // again (billable either way), resized at resize_finish (not at confirm), offloaded, unshelved,
    // deleted at terminated_at.
    // With the messages' milliseconds, as billed (README "Reports").
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'vm'), [
      LIFECYCLE_HEADER,
      `cloud,${id},2026-11-02T09:15:03.000Z,2026-11-10T13:02:45.731Z,${small},billable,events,true,true`,
      `cloud,${id},2026-11-10T13:02:45.731Z,2026-11-14T22:10:30.400Z,${medium},billable,events,true,true`,
      `cloud,${id},2026-11-14T22:10:30.400Z,2026-11-17T07:45:12.900Z,${medium},shelved_offloaded,events,true,true`,
      `cloud,${id},2026-11-17T07:45:12.900Z,2026-11-25T16:19:58.000Z,${medium},billable,events,true,true`,
    ]);
  });

  it('reads Cinder log lines into a volume lifecycle: resize, retype by type name, the audit re-send changing nothing', async () => {
    const ws = workspace();
    await ingest(ws.dir, join(FIXTURES, 'notifications', 'cinder.log'));
    const id = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d,3f8e2a9c4b7d41e6a0c5d9e8f7a6b5c4';
    // fixtures/notifications/README.md: created 4 Nov at 20 GB (its launched_at), extended to 50 GB 12 Nov
    // (the resize's message time), re-sent by the usage audit 13 Nov (no change), retyped to `ssd`
    // 18 Nov (named by volume_type.create), deleted 26 Nov (the delete's message time).
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'volume'), [
      'source,id,tenant_id,start,end,size_gb,volume_type,state_class,origin,start_exact,end_exact',
      `cloud,${id},2026-11-04T09:12:01.204Z,2026-11-12T14:05:10.442Z,20,standard,billable,events,true,true`,
      `cloud,${id},2026-11-12T14:05:10.442Z,2026-11-18T16:20:03.510Z,50,standard,billable,events,true,true`,
      `cloud,${id},2026-11-18T16:20:03.510Z,2026-11-26T12:00:12.336Z,50,ssd,billable,events,true,true`,
    ]);
  });

  it('ends a volume whose delete was missed at the time the usage audit re-sends, not at the re-send', async () => {
    // Cinder's usage audit re-sends a delete under a new id, stamped now, with both ends of its audit
    // period at the real delete's time.
    const ws = captures({
      'v.jsonl': [
        cinder('create.end', '2026-11-02T09:00:05Z', 'v'),
        cinder('delete.end', '2026-11-13T00:10:00Z', 'v', { status: 'deleted', audit_period_beginning: '2026-11-10 08:00:00', audit_period_ending: '2026-11-10 08:00:00' }),
      ],
    });
    await ingest(ws.dir, ws.path('v.jsonl'));
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'volume'), [
      'source,id,tenant_id,start,end,size_gb,volume_type,state_class,origin,start_exact,end_exact',
      'cloud,v,t1,2026-11-02T09:00:00.000Z,2026-11-10T08:00:00.000Z,10,type-std,billable,events,true,true',
    ]);
  });

  it('quarantines bad messages with file, line and reason, and counts other types as skipped', async () => {
    const ws = captures({
      'bad.log': [
        nova('create.end', '2026-11-02T09:00:05Z', 'q'),
        'not json at all',
        JSON.stringify({ message_id: 'x1', publisher_id: 'nova-compute:cn-1', payload: {}, timestamp: '2026-11-02 10:00:00.000000' }),
        nova('power_off.end', '2026-11-02T11:00:00Z', ''),
        JSON.stringify({ message_id: 'x2', publisher_id: 'glance', event_type: 'image.upload', priority: 'INFO', payload: { id: 'img' }, timestamp: '2026-11-02 12:00:00.000000' }),
      ],
    });
    const run = await ingest(ws.dir, ws.path('bad.log'));
    assert.match(run.stdout, /^cloud notification 2026-11-02T12:00:00Z: added 1, modified 0, removed 0, unchanged 0, rejected 3/m);
    assert.match(run.stderr, /quarantined .*bad\.log: line 2: no JSON message on this line/);
    assert.match(run.stderr, /quarantined .*bad\.log: line 3: event_type: /);
    assert.match(run.stderr, /quarantined .*bad\.log: line 4: /);
    assert.match(run.stderr, /bad\.log: skipped 1 messages of type image\.upload/);
    const status = await runCli(['status'], { cwd: ws.dir });
    assert.match(status.stdout, /^cloud\s+2\s+2026-11-02T12:00:00Z\s+1\s+3$/m, status.stdout);
  });

  it('quarantines a message from the far future: it neither ends the lifecycle nor keeps the listener alive', async () => {
    const ws = captures({
      'clock.jsonl': [
        nova('create.end', '2026-11-02T09:00:05Z', 'c'),
        // A producer whose clock is wrong by millennia: its delete must not end the lifecycle in 9999.
        nova('delete.end', '9999-12-31T00:00:00Z', 'c', { state: 'deleted', terminated_at: '9999-12-31T00:00:00Z' }),
      ],
    });
    const run = await ingest(ws.dir, ws.path('clock.jsonl'));
    assert.match(run.stdout, /^cloud notification 2026-11-02T09:00:05Z: added 1, modified 0, removed 0, unchanged 0, rejected 1/m);
    assert.match(run.stderr, /quarantined .*clock\.jsonl: line 2: instance\.delete\.end at 9999-12-31T00:00:00Z is more than 1d in the future .*--max-future/);
    const lifecycles = await csv(ws.dir, 'lifecycles', 'vm');
    assert.equal(lifecycles.length, 2, lifecycles.join('\n'));
    assert.equal(lifecycles[1]!.split(',')[4], '', 'the lifecycle is still open: no end');
    // One event stored, its time the listener's last; the quarantined message counted as such.
    const status = await runCli(['status'], { cwd: ws.dir });
    assert.match(status.stdout, /^cloud\s+1\s+2026-11-02T09:00:05Z\s+0\s+1$/m, status.stdout);
  });

  it('reads a JSON list of messages as every JSON dump: a syntax error named by line and column, nothing stored', async () => {
    // The oslo envelopes of two messages, one per line of a list; the second line's `tru` breaks it.
    const first = nova('create.end', '2026-11-02T09:00:05Z', 'l1');
    const ws = captures({ 'list.json': ['[', `  ${first},`, '  {"oslo.version": tru}', ']'] });
    const run = await runCli(['ingest', '--dump', ws.path('list.json'), '--source', 'cloud'], { cwd: ws.dir });
    assert.equal(run.code, 1);
    // Line 3, `  {"oslo.version": tru}`: the `}` after `tru` is column 23.
    assert.match(run.stderr, /list\.json: line 3, column 23: not valid JSON/);
    assert.equal(readOnly(ws.db, (c) => c.prepare('SELECT count(*) FROM events').pluck().get()), 0);
    writeFileSync(ws.path('list.json'), `[\n  ${first}\n]\n`);
    await ingest(ws.dir, ws.path('list.json'));
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'vm'), [LIFECYCLE_HEADER, 'cloud,l1,t1,2026-11-02T09:00:00.000Z,,f-small,m1.small,2,4096,20,billable,events,true,']);
  });

  it('refuses notifications without --source, saying what to give', async () => {
    const ws = captures({ 'x.jsonl': [nova('create.end', '2026-11-02T09:00:05Z', 'x')] });
    const run = await runCli(['ingest', '--dump', ws.path('x.jsonl')], { cwd: ws.dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /x\.jsonl: holds OpenStack notifications, which name no source: give --source/);
  });
});

describe('notifications beside polled snapshots of the same source', () => {
  it('bills exact times where events cover an instance, snapshot estimates elsewhere, and marks agreement', async () => {
    const ws = captures({ 'e.jsonl': [nova('create.end', '2026-11-01T20:00:05Z', 'ev', { launched_at: '2026-11-01T20:00:00Z' })] });
    const server = (id: string, launched: string) => ({ id, status: 'ACTIVE', vm_state: 'active', tenant_id: 't1', flavor_id: 'f-small', vcpus: 2, ram_mb: 4096, disk_gb: 20, launched_at: launched });
    const snapshots = join(ws.dir, 'snapshots');
    mkdirSync(snapshots);
    for (const [i, at] of ['2026-11-01T02:00:00Z', '2026-11-02T02:00:00Z', '2026-11-03T02:00:00Z'].entries()) {
      // The polled record of `ev` carries no launched_at: alone, its start would be the snapshot that first saw it.
      const resources = i === 0 ? [server('poll', '2026-10-01T00:00:00Z')] : [server('poll', '2026-10-01T00:00:00Z'), { ...server('ev', ''), launched_at: undefined }];
      writeFileSync(join(snapshots, `${i}.json`), JSON.stringify({ source: 'cloud', resource_type: 'vm', taken_at: at, resources }));
    }
    await ingest(ws.dir, snapshots, ws.path('e.jsonl'));
    const lifecycles = await csv(ws.dir, 'lifecycles', 'vm');
    assert.deepEqual(lifecycles, [
      LIFECYCLE_HEADER,
      // From the event, exactly; the snapshots agree on what it bills: both.
      'cloud,ev,t1,2026-11-01T20:00:00.000Z,,f-small,m1.small,2,4096,20,billable,both,true,',
      'cloud,poll,t1,2026-10-01T00:00:00.000Z,,f-small,,2,4096,20,billable,snapshots,true,',
    ]);
    // Nov 1: poll 24 h; ev 20:00 -> 24:00 = 4 h, exact, from its event (alone, the snapshots would
    // start it at Nov 2 02:00). Two rows: ev's period names its flavor (m1.small), poll's record does not.
    assert.deepEqual(await csv(ws.dir, 'usage', 'vm', '2026-11-01', '2026-11-01'), [
      'source,day,tenant_id,flavor_id,flavor_name,instances,instance_hours,vcpu_hours,ram_gb_hours,disk_gb_hours,estimated_hours',
      'cloud,2026-11-01,t1,f-small,,1,24,48,96,480,0',
      'cloud,2026-11-01,t1,f-small,m1.small,1,4,8,16,80,0',
    ]);
  });
});

describe('a resource the events ended while snapshots still list it (a zombie)', () => {
  it('bills the same for a day whether the range starts on it or before the delete', async () => {
    // v1 launched Oct 1, deleted Nov 2 12:00 by its event; the daily snapshots still list it to Nov 5.
    const ws = captures({ 'e.jsonl': [nova('create.end', '2026-11-01T00:00:05Z', 'v1', { launched_at: '2026-10-01T00:00:00Z' }), nova('delete.end', '2026-11-02T12:00:00Z', 'v1', { state: 'deleted', terminated_at: '2026-11-02T12:00:00Z' })] });
    const snapshots = join(ws.dir, 'snapshots');
    mkdirSync(snapshots);
    for (const day of ['01', '02', '03', '04', '05']) {
      writeFileSync(join(snapshots, `${day}.json`), JSON.stringify({ source: 'cloud', resource_type: 'vm', taken_at: `2026-11-${day}T02:00:00Z`, resources: [server('v1', '2026-10-01T00:00:00Z')] }));
    }
    await ingest(ws.dir, snapshots, ws.path('e.jsonl'));
    const header = 'source,day,tenant_id,flavor_id,flavor_name,instances,instance_hours,vcpu_hours,ram_gb_hours,disk_gb_hours,estimated_hours';
    // Nov 2: 00:00 -> 12:00 = 12 h, from the events; Nov 3 and 4: nothing, the events ended it.
    const wide = await csv(ws.dir, 'usage', 'vm', '2026-11-02', '2026-11-04');
    assert.deepEqual(wide, [header, 'cloud,2026-11-02,t1,f-small,m1.small,1,12,24,48,240,0']);
    assert.deepEqual(await csv(ws.dir, 'usage', 'vm', '2026-11-03', '2026-11-04'), [header]);
    assert.deepEqual(await csv(ws.dir, 'lifecycles', 'vm', '2026-11-03', '2026-11-04'), [LIFECYCLE_HEADER]);
  });
});

describe('kind: notifications', () => {
  it('reads a folder of captures, skips unchanged files, and re-reads a growing one without duplicating', async () => {
    const ws = captures({ 'day1.jsonl': [nova('create.end', '2026-11-02T09:00:05Z', 'k')], 'day2.jsonl': [nova('power_off.end', '2026-11-03T09:00:00Z', 'k', { state: 'stopped' })] });
    writeFileSync(join(ws.dir, 'usage-etl.yaml'), `sources:\n  cloud-events:\n    kind: notifications\n    path: ${join(ws.dir, 'captures', '*.jsonl')}\n    source: cloud\n`);
    const first = await runCli(['ingest'], { cwd: ws.dir });
    assert.equal(first.code, 0, first.stderr);
    assert.equal((first.stdout.match(/added 1,/g) ?? []).length, 2, first.stdout);
    appendFileSync(ws.path('day2.jsonl'), `${nova('power_on.end', '2026-11-04T09:00:00Z', 'k')}\n`);
    const second = await runCli(['ingest'], { cwd: ws.dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /cloud-events: 1 capture file\(s\) unchanged since they were read; not read again/);
    // The grown file: its old message recognised, its new one added.
    assert.match(second.stdout, /^cloud notification 2026-11-04T09:00:00Z: added 1, modified 0, removed 0, unchanged 1, rejected 0/m);
    assert.equal(readOnly(ws.db, (c) => c.prepare("SELECT count(*) FROM events e JOIN sources s ON s.id = e.source_id WHERE s.name = 'cloud'").pluck().get()), 3);
  });
});

describe('kill -9 while notifications are stored', { timeout: 180_000 }, () => {
  it('leaves whole batches only, and the next run stores the rest, none twice', async () => {
    const ws = workspace();
    const file = join(ws.dir, 'many.jsonl');
    const COUNT = 150_000;
    const lines: string[] = [];
    for (let i = 0; i < COUNT; i++) lines.push(nova('power_on.end', `2026-11-02T09:${String(i % 60).padStart(2, '0')}:00Z`, `vm-${i}`));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { child, result } = startCli(['ingest', '--dump', file, '--source', 'cloud'], ws.dir);
    const stored = () => tryReadOnly(ws.db, (c) => c.prepare('SELECT count(*) FROM events').pluck().get() as number) ?? 0;
    await waitUntil('a first batch is stored', () => stored() > 0, 120_000, child);
    child.kill('SIGKILL');
    assert.equal((await result).signal, 'SIGKILL');
    assert.equal(readOnly(ws.db, (c) => c.pragma('integrity_check', { simple: true })), 'ok');
    const kept = stored();
    // Batches of 20 000 messages, each one transaction: all of a batch or none of it.
    assert.equal(kept % 20_000, 0, `${kept} events: a batch was cut`);
    assert.ok(kept < COUNT, 'killed before the end; make the file bigger');
    const again = await runCli(['ingest', '--dump', file, '--source', 'cloud'], { cwd: ws.dir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`added ${COUNT - kept}, modified 0, removed 0, unchanged ${kept},`));
    assert.equal(stored(), COUNT);
  });
});

describe('stored payloads (SPEC §4.4 kept until prune, SPEC §5 private fields)', () => {
  /** The payloads stored from the versioned Nova fixture and the Panko `event list` capture, under the source's private_fields. */
  async function stored(privateFields?: string): Promise<string[]> {
    const ws = workspace();
    const privacy = privateFields ? `    private_fields: ${privateFields}\n` : '';
    writeFileSync(join(ws.dir, 'usage-etl.yaml'), `sources:\n  cloud:\n    kind: notifications\n    path: ${join(ws.dir, 'none')}\n${privacy}`);
    await ingest(ws.dir, join(FIXTURES, 'notifications', 'nova-versioned.jsonl'), join(FIXTURES, 'notifications', 'panko-events.json'));
    return readOnly(ws.db, (c) => c.prepare('SELECT payload FROM events ORDER BY id').pluck().all() as string[]);
  }
  const nova = (payloads: string[]) => JSON.parse(payloads[0]!)['nova_object.data'] as Record<string, unknown>;
  const panko = (payloads: string[]) => payloads.map((p) => JSON.parse(p) as Record<string, string>).find((p) => p['traits:name']?.startsWith('availability_zone\ndisk_gb\ndisplay_name'))!;

  it('keeps every payload without names, addresses and key names by default, and what the fold reads with it', async () => {
    const payloads = await stored();
    assert.equal(payloads.length, 9 + 4);
    const text = payloads.join('\n');
    for (const secret of ['genomics-worker-1', '10.255.12.41', 'fa:16:3e:5d:21:9a', 'lab-key', 'mri-preproc', 'mri-data']) assert.ok(!text.includes(secret), secret);
    const data = nova(payloads);
    for (const hidden of ['display_name', 'display_description', 'host_name', 'ip_addresses', 'key_name', 'metadata']) assert.ok(!(hidden in data), hidden);
    assert.equal(data.launched_at, '2026-11-02T09:15:03Z');
    assert.equal(data.uuid, '6d3f9a2e-41c7-4b0e-9d55-2f8e1c7a4b90');
    assert.equal(((data.flavor as Record<string, Record<string, unknown>>)['nova_object.data']!).name, 'm3.small');
    // Panko's columns: the display_name trait keeps its place, with no value.
    const traits = panko(payloads);
    assert.deepEqual(traits['traits:value']!.split('\n').slice(0, 4), ['sa-1', '40', '', '0']);
  });

  it('keeps a keyed hash in their place under private_fields: hash, and the payload as received under keep', async () => {
    const hashed = await stored('hash');
    const data = nova(hashed);
    assert.match(String(data.display_name), /^[0-9a-f]{32}$/);
    // The same name hashes the same in every message, so equality still works.
    assert.equal(nova([hashed[1]!]).display_name, data.display_name);
    assert.ok(!hashed.join('\n').includes('genomics-worker-1'));
    assert.match(panko(hashed)['traits:value']!.split('\n')[2]!, /^[0-9a-f]{32}$/);

    const kept = nova(await stored('keep'));
    assert.equal(kept.display_name, 'genomics-worker-1');
    assert.equal(kept.key_name, 'lab-key');
  });
});
