// `--report reconcile` (SPEC §8.5): a source's notifications against its polled snapshots, through the
// real CLI. Every scenario is the same small cloud, snapshots every night at 02:00 from Nov 1 to Nov 6
// and a listener that hears instance `a` every day, plus what the scenario breaks; each expected row,
// hours included, is worked out by hand beside it.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, workspace } from './support/cli.ts';
import { cinder, MEDIUM, nova, server } from './support/notifications.ts';

const HEADER = 'source,day,resource_type,id,tenant_id,kind,events_value,snapshot_value,last_seen_at,first_absent_at,hours_delta';

type Resource = Record<string, unknown>;

const NIGHTS = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'].map((d) => `${d}T02:00:00Z`);

/** Instance `a`: launched Nov 2 09:00 (heard at once), then heard at noon every day and at 02:00 on Nov 6, the last night. */
const A_EVENTS = [
  nova('create.end', '2026-11-02T09:00:05Z', 'a'),
  ...['2026-11-03', '2026-11-04', '2026-11-05'].map((d) => nova('update', `${d}T12:00:00Z`, 'a')),
  nova('update', '2026-11-06T02:00:00Z', 'a'),
];
const A = server('a', '2026-11-02T09:00:00Z');

/** Snapshots night by night: `a` from Nov 3, and whatever `extra(night index)` lists. */
function nights(extra: (i: number) => Resource[], type = 'vm'): Resource[][] {
  return NIGHTS.map((_, i) => [...(type === 'vm' && i >= 2 ? [A] : []), ...extra(i)]);
}

async function reconcile(events: string[], snapshots: Resource[][], options: { type?: string; config?: string; incomplete?: number[] } = {}): Promise<string[]> {
  const ws = workspace();
  const dumps = join(ws.dir, 'dumps');
  mkdirSync(dumps);
  const type = options.type ?? 'vm';
  snapshots.forEach((resources, i) => {
    const complete = !options.incomplete?.includes(i);
    writeFileSync(join(dumps, `${i}.json`), JSON.stringify({ source: 'cloud', resource_type: type, taken_at: NIGHTS[i], complete, resources }));
  });
  writeFileSync(join(ws.dir, 'events.jsonl'), `${events.join('\n')}\n`);
  if (options.config) writeFileSync(join(ws.dir, 'usage-etl.yaml'), options.config);
  const ingest = await runCli(['ingest', '--dump', dumps, join(ws.dir, 'events.jsonl'), '--source', 'cloud'], { cwd: ws.dir });
  assert.equal(ingest.code, 0, ingest.stderr);
  const run = await runCli(['export', '--from', '2026-11-01', '--to', '2026-11-30', '--report', 'reconcile', '--stdout'], { cwd: ws.dir });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trimEnd().split('\n');
}

describe('reconcile.csv: events against snapshots (SPEC §8.5)', () => {
  it('is empty where the two agree, an instance older than the listener included', async () => {
    // `old` was launched in October, before anything was heard: no event could have opened it.
    const rows = await reconcile(A_EVENTS, nights(() => [server('old', '2026-10-01T00:00:00Z')]));
    assert.deepEqual(rows, [HEADER]);
  });

  it('missed_create: listed by the snapshots, never heard of', async () => {
    // b launched Nov 3 12:00, first listed Nov 4 02:00. The snapshots bill it from its launched_at to
    // the last night both sides observed (Nov 6 02:00): 12 + 24 + 24 + 2 = 62 h; the events nothing.
    const rows = await reconcile(A_EVENTS, nights((i) => (i >= 3 ? [server('b', '2026-11-03T12:00:00Z')] : [])));
    assert.deepEqual(rows, [HEADER, 'cloud,2026-11-04,vm,b,t1,missed_create,no events,"listed, billable",2026-11-06T02:00:00Z,,62']);
  });

  it('missed_delete: heard of, then gone from the snapshots with no delete', async () => {
    // c heard launched Nov 2 10:00; listed Nov 3 and Nov 4, gone on Nov 5. The snapshots end it at the
    // midpoint of Nov 4 02:00 and Nov 5 02:00 (Nov 4 14:00); the events bill it on to the last night
    // both sides observed, Nov 6 02:00: 10 + 24 + 2 = 36 h that the snapshots do not bill.
    const events = [...A_EVENTS, nova('create.end', '2026-11-02T10:00:05Z', 'c', { launched_at: '2026-11-02T10:00:00Z' })];
    const rows = await reconcile(events, nights((i) => (i === 2 || i === 3 ? [server('c', '2026-11-02T10:00:00Z')] : [])));
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-05,vm,c,t1,missed_delete,open since 2026-11-02T10:00:00Z,absent,2026-11-04T02:00:00Z,2026-11-05T02:00:00Z,-36',
    ]);
  });

  it('zombie: deleted by the events, still listed as active', async () => {
    // d launched Nov 2 11:00, deleted by its event at Nov 3 12:00, yet listed ACTIVE every night to the
    // last: the snapshots bill Nov 3 12:00 -> Nov 6 02:00 = 12 + 24 + 24 + 2 = 62 h more.
    const events = [
      ...A_EVENTS,
      nova('create.end', '2026-11-02T11:00:05Z', 'd', { launched_at: '2026-11-02T11:00:00Z' }),
      nova('delete.end', '2026-11-03T12:00:05Z', 'd', { launched_at: '2026-11-02T11:00:00Z', state: 'deleted', terminated_at: '2026-11-03T12:00:00Z' }),
    ];
    const rows = await reconcile(events, nights((i) => (i >= 2 ? [server('d', '2026-11-02T11:00:00Z')] : [])));
    assert.deepEqual(rows, [HEADER, 'cloud,2026-11-04,vm,d,t1,zombie,ended 2026-11-03T12:00:00Z,"listed, billable",2026-11-06T02:00:00Z,,62']);
  });

  it('flavor_drift: resized without an event, counted in vCPU hours', async () => {
    // e heard as m1.small (2 vCPUs) from Nov 2 13:00; listed with 4 vCPUs from Nov 4. The snapshots place
    // the resize at the midpoint of Nov 3 02:00 and Nov 4 02:00 (Nov 3 14:00): to Nov 6 02:00 that is
    // 10 + 24 + 24 + 2 = 60 h at 4 - 2 = 2 vCPUs more: 120 vCPU hours.
    const events = [...A_EVENTS, nova('create.end', '2026-11-02T13:00:05Z', 'e', { launched_at: '2026-11-02T13:00:00Z' })];
    const e = (i: number) => server('e', '2026-11-02T13:00:00Z', i >= 3 ? { flavor_id: MEDIUM.flavorid, vcpus: 4, ram_mb: 8192, disk_gb: 40 } : {});
    const rows = await reconcile(events, nights((i) => (i >= 2 ? [e(i)] : [])));
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-04,vm,e,t1,flavor_drift,vcpus=2 ram_mb=4096 disk_gb=20,vcpus=4 ram_mb=8192 disk_gb=40,2026-11-06T02:00:00Z,,120',
    ]);
  });

  it('tenant_drift: the same instance billed to another tenant, with the hours at stake', async () => {
    // f heard launched Nov 2 14:00 for t1; the snapshots list it under t2 from Nov 3 on: every hour of it
    // to Nov 6 02:00 (10 + 24 + 24 + 24 + 2 = 84 h, the whole overlap) would go to the other tenant.
    const events = [...A_EVENTS, nova('create.end', '2026-11-02T14:00:05Z', 'f', { launched_at: '2026-11-02T14:00:00Z' })];
    const rows = await reconcile(events, nights((i) => (i >= 2 ? [server('f', '2026-11-02T14:00:00Z', { tenant_id: 't2' })] : [])));
    assert.deepEqual(rows, [HEADER, 'cloud,2026-11-03,vm,f,t1,tenant_drift,t1,t2,2026-11-06T02:00:00Z,,84']);
  });

  it('state_drift: stopped without an event, where only active instances are billed', async () => {
    // g heard launched Nov 2 15:00 and never since; listed SHUTOFF from Nov 5. Billing active states
    // only, the snapshots stop billing it at the midpoint of Nov 4 02:00 and Nov 5 02:00 (Nov 4 14:00):
    // 10 + 24 + 2 = 36 h fewer than the events bill.
    const events = [...A_EVENTS, nova('create.end', '2026-11-02T15:00:05Z', 'g', { launched_at: '2026-11-02T15:00:00Z' })];
    const g = (i: number) => server('g', '2026-11-02T15:00:00Z', i >= 4 ? { status: 'SHUTOFF', vm_state: 'stopped' } : {});
    const rows = await reconcile(events, nights((i) => (i >= 2 ? [g(i)] : [])), { config: 'usage:\n  billable_states: [active]\n' });
    assert.deepEqual(rows, [HEADER, 'cloud,2026-11-05,vm,g,t1,state_drift,billable,stopped,2026-11-06T02:00:00Z,,-36']);
  });

  it('missing_exists: no audit message for an instance listed through a whole audit period', async () => {
    // The audit sent `exists` for a for Nov 3 and Nov 4 (whole UTC days); h, launched before the listener,
    // is listed through both and got none: one row for the two periods, nothing billed differently.
    const exists = (d: string, next: string) =>
      nova('exists', `${next}T00:05:00Z`, 'a', { audit_period: { 'nova_object.data': { audit_period_beginning: `${d}T00:00:00Z`, audit_period_ending: `${next}T00:00:00Z` } } });
    const events = [...A_EVENTS, exists('2026-11-03', '2026-11-04'), exists('2026-11-04', '2026-11-05')];
    const rows = await reconcile(events, nights(() => [server('h', '2026-10-20T00:00:00Z')]));
    assert.deepEqual(rows, [HEADER, 'cloud,2026-11-03,vm,h,t1,missing_exists,no exists for 2 audit period(s) to 2026-11-05T00:00:00Z,listed throughout,,,']);
  });

  it('size_drift and type_drift: a volume extended and retyped without events', async () => {
    // v heard created Nov 2 09:00 (10 GB, type-std, named `standard` by its volume_type.create); listed
    // at 20 GB of type `fast` from Nov 4. Extended at the midpoint Nov 3 14:00 by the snapshots: to the
    // last event (Nov 6 02:00) 60 h × 10 GB more = 600 GB hours; retyped: 60 h × 10 GB (the events'
    // size) = 600 GB hours billed under the other type. Events are heard on every day by the volume's
    // own updates.
    const events = [
      JSON.stringify({ message_id: 'vt', publisher_id: 'volume.ctl-1', event_type: 'volume_type.create', priority: 'INFO', payload: { volume_types: { id: 'type-std', name: 'standard' } }, timestamp: '2026-11-01 08:00:00.000000' }),
      cinder('create.end', '2026-11-02T09:00:05Z', 'v'),
      ...['2026-11-03', '2026-11-04', '2026-11-05'].map((d) => cinder('update.end', `${d}T12:00:00Z`, 'v')),
      cinder('update.end', '2026-11-06T02:00:00Z', 'v'),
    ];
    const volume = (i: number) => ({ id: 'v', status: 'available', tenant_id: 't1', size_gb: i >= 3 ? 20 : 10, volume_type: i >= 3 ? 'fast' : 'standard', created_at: '2026-11-02T09:00:00Z' });
    const rows = await reconcile(events, nights((i) => (i >= 2 ? [volume(i)] : []), 'volume'), { type: 'volume' });
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-04,volume,v,t1,size_drift,10,20,2026-11-06T02:00:00Z,,600',
      'cloud,2026-11-04,volume,v,t1,type_drift,standard,fast,2026-11-06T02:00:00Z,,600',
    ]);
  });

  it('lets a snapshot settle: a delete heard five minutes before it is no zombie', async () => {
    // k is deleted at Nov 4 01:55; the Nov 4 02:00 listing, taken as it happened, still shows it ACTIVE.
    // Within ten minutes of an event nothing is compared; by Nov 5 it is gone from both sides.
    const events = [
      ...A_EVENTS,
      nova('create.end', '2026-11-02T17:00:05Z', 'k', { launched_at: '2026-11-02T17:00:00Z' }),
      nova('delete.end', '2026-11-04T01:55:05Z', 'k', { launched_at: '2026-11-02T17:00:00Z', state: 'deleted', terminated_at: '2026-11-04T01:55:00Z' }),
    ];
    const rows = await reconcile(events, nights((i) => (i === 2 || i === 3 ? [server('k', '2026-11-02T17:00:00Z')] : [])));
    assert.deepEqual(rows, [HEADER]);
  });

  it('compares complete snapshots only', async () => {
    // The resize of e (as in flavor_drift) is first listed by the Nov 4 snapshot, marked incomplete:
    // the disagreement is first seen on Nov 5, the first complete snapshot to list it. Its hours are
    // those of the snapshots' periods all the same (incomplete snapshots add and modify, SPEC §6): 120.
    const events = [...A_EVENTS, nova('create.end', '2026-11-02T13:00:05Z', 'e', { launched_at: '2026-11-02T13:00:00Z' })];
    const e = (i: number) => server('e', '2026-11-02T13:00:00Z', i >= 3 ? { flavor_id: MEDIUM.flavorid, vcpus: 4, ram_mb: 8192, disk_gb: 40 } : {});
    const rows = await reconcile(events, nights((i) => (i >= 2 ? [e(i)] : [])), { incomplete: [3] });
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-05,vm,e,t1,flavor_drift,vcpus=2 ram_mb=4096 disk_gb=20,vcpus=4 ram_mb=8192 disk_gb=40,2026-11-06T02:00:00Z,,120',
    ]);
  });

  it('event_gap: the listener down for a day, and what changed that day priced', async () => {
    // Nothing is heard on Nov 4 (a's noon update is lost with the rest). That day x was launched
    // (10:00) and y, heard launched on Nov 2, was deleted (15:00): the stretch Nov 4 02:00 -> Nov 5 02:00
    // holds two changes no event explains.
    // - x: listed from Nov 5; the snapshots bill it from its launched_at, Nov 4 10:00, to Nov 6 02:00: 14 + 24 + 2 = 40 h.
    // - y: gone on Nov 5; the snapshots end it at the midpoint Nov 4 14:00, the events bill it to Nov 6 02:00: 36 h too many.
    const events = [
      ...A_EVENTS.filter((line) => !line.includes('2026-11-04 12:00')),
      nova('create.end', '2026-11-02T16:00:05Z', 'y', { launched_at: '2026-11-02T16:00:00Z' }),
    ];
    const rows = await reconcile(
      events,
      nights((i) => [...(i >= 2 && i <= 3 ? [server('y', '2026-11-02T16:00:00Z')] : []), ...(i >= 4 ? [server('x', '2026-11-04T10:00:00Z')] : [])]),
    );
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-04,vm,,,event_gap,no events for 1 day,2 change(s) no event explains,2026-11-03T12:00:00Z,2026-11-04T00:00:00Z,',
      'cloud,2026-11-05,vm,x,t1,missed_create,no events,"listed, billable",2026-11-06T02:00:00Z,,40',
      'cloud,2026-11-05,vm,y,t1,missed_delete,open since 2026-11-02T16:00:00Z,absent,2026-11-04T02:00:00Z,2026-11-05T02:00:00Z,-36',
    ]);
  });
});

describe('reconcile without both sides', () => {
  it('says there is nothing to reconcile, and refuses types it does not cover', async () => {
    const ws = workspace();
    const dumps = join(ws.dir, 'dumps');
    mkdirSync(dumps);
    writeFileSync(join(dumps, '0.json'), JSON.stringify({ source: 'cloud', resource_type: 'vm', taken_at: NIGHTS[0], resources: [A] }));
    assert.equal((await runCli(['ingest', '--dump', dumps], { cwd: ws.dir })).code, 0);
    const run = await runCli(['export', '--from', '2026-11-01', '--to', '2026-11-30', '--report', 'reconcile', '--stdout'], { cwd: ws.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${HEADER}\n`);
    assert.match(run.stderr, /no source has both notifications and polled snapshots of its instances or volumes/);
    const job = await runCli(['export', '--from', '2026-11-01', '--to', '2026-11-30', '--report', 'reconcile', '--type', 'job', '--stdout'], { cwd: ws.dir });
    assert.equal(job.code, 2);
    assert.match(job.stderr, /--report reconcile has no job rows \(it covers vm, volume\)/);
  });
});
