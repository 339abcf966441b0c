// `--report reconcile` (SPEC §8.5): a source's notifications against its polled snapshots, through the
// real CLI. Every scenario is the same small cloud, snapshots every night at 02:00 from Nov 1 to Nov 6
// and a listener that hears instance `a` every day, plus what the scenario breaks; each expected row,
// hours included, is worked out by hand beside it.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

interface Scenario {
  type?: string;
  config?: string;
  incomplete?: number[];
  /** The export's days, both inclusive (default: the whole of November). */
  range?: [string, string];
}

/** The scenario's database: its snapshots and (if any) its events ingested into a fresh workspace. */
async function load(events: string[], snapshots: Resource[][], options: Scenario = {}): Promise<string> {
  const ws = workspace();
  const dumps = join(ws.dir, 'dumps');
  mkdirSync(dumps);
  const type = options.type ?? 'vm';
  snapshots.forEach((resources, i) => {
    const complete = !options.incomplete?.includes(i);
    writeFileSync(join(dumps, `${i}.json`), JSON.stringify({ source: 'cloud', resource_type: type, taken_at: NIGHTS[i], complete, resources }));
  });
  const inputs = [dumps];
  if (events.length) {
    writeFileSync(join(ws.dir, 'events.jsonl'), `${events.join('\n')}\n`);
    inputs.push(join(ws.dir, 'events.jsonl'));
  }
  if (options.config) writeFileSync(join(ws.dir, 'usage-etl.yaml'), options.config);
  const ingest = await runCli(['ingest', '--dump', ...inputs, '--source', 'cloud'], { cwd: ws.dir });
  assert.equal(ingest.code, 0, ingest.stderr);
  return ws.dir;
}

/** `report`: `--report` and any options of it, e.g. `['usage', '--type', 'vm']`. */
async function exported(dir: string, report: string[], range: [string, string] = ['2026-11-01', '2026-11-30']): Promise<string[]> {
  const run = await runCli(['export', '--from', range[0], '--to', range[1], '--report', ...report, '--stdout'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trimEnd().split('\n');
}

/**
 * Volume `v`: created Nov 2 09:00 at 10 GB of type-std (named `standard` by its volume_type.create),
 * heard every day by its own updates to the last night.
 */
function volumeEvents(): string[] {
  return [
    JSON.stringify({ message_id: 'vt', publisher_id: 'volume.ctl-1', event_type: 'volume_type.create', priority: 'INFO', payload: { volume_types: { id: 'type-std', name: 'standard' } }, timestamp: '2026-11-01 08:00:00.000000' }),
    cinder('create.end', '2026-11-02T09:00:05Z', 'v'),
    ...['2026-11-03', '2026-11-04', '2026-11-05'].map((d) => cinder('update.end', `${d}T12:00:00Z`, 'v')),
    cinder('update.end', '2026-11-06T02:00:00Z', 'v'),
  ];
}

/** Volume `v` as polled, agreeing with `volumeEvents()` unless `over` says otherwise. */
const volume = (over: Resource = {}): Resource => ({ id: 'v', status: 'available', tenant_id: 't1', size_gb: 10, volume_type: 'standard', created_at: '2026-11-02T09:00:00Z', ...over });

async function reconcile(events: string[], snapshots: Resource[][], options: Scenario = {}): Promise<string[]> {
  return exported(await load(events, snapshots, options), ['reconcile'], options.range);
}

describe('reconcile.csv: events against snapshots (SPEC §8.5)', () => {
  it('is empty where the two agree, an instance older than the listener included', async () => {
    // `old` was launched in October, before anything was heard: no event could have opened it.
    const dir = await load(A_EVENTS, nights(() => [server('old', '2026-10-01T00:00:00Z')]));
    assert.deepEqual(await exported(dir, ['reconcile']), [HEADER]);
    // Written to a directory, it is reconcile.csv, and nothing else.
    const out = join(dir, 'out');
    const run = await runCli(['export', '--from', '2026-11-01', '--to', '2026-11-30', '--report', 'reconcile', '--out', out], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out), ['reconcile.csv']);
    assert.equal(readFileSync(join(out, 'reconcile.csv'), 'utf8'), `${HEADER}\n`);
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

  it('missed_delete: ended by the events, yet still listed (not active)', async () => {
    // m launched Nov 2 12:00, deleted by its event at Nov 3 12:00, yet listed SHELVED_OFFLOADED every
    // night from Nov 4 to the last: first seen at Nov 4 02:00. Neither side bills an offloaded
    // instance (SPEC §8.3); but the snapshots bill m to the midpoint of its last ACTIVE listing and
    // the first offloaded one (Nov 3 14:00), the events to Nov 3 12:00: 2 h more.
    const events = [
      ...A_EVENTS,
      nova('create.end', '2026-11-02T12:00:05Z', 'm', { launched_at: '2026-11-02T12:00:00Z' }),
      nova('delete.end', '2026-11-03T12:00:05Z', 'm', { launched_at: '2026-11-02T12:00:00Z', state: 'deleted', terminated_at: '2026-11-03T12:00:00Z' }),
    ];
    const m = (i: number) => server('m', '2026-11-02T12:00:00Z', i >= 3 ? { status: 'SHELVED_OFFLOADED', vm_state: 'shelved_offloaded' } : {});
    const rows = await reconcile(events, nights((i) => (i >= 2 ? [m(i)] : [])));
    assert.deepEqual(rows, [HEADER, 'cloud,2026-11-04,vm,m,t1,missed_delete,ended 2026-11-03T12:00:00Z,"listed, shelved_offloaded",2026-11-06T02:00:00Z,,2']);
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

  it('flavor_drift compares sizes, not flavor ids', async () => {
    // p and q heard launched Nov 2 as m1.small (2 vCPUs, 4096 MB, 20 GB). The snapshots list p under
    // another flavor id with the same sizes (no row), and q under the same id `f-small` with sizes
    // edited in place from Nov 4 (4 vCPUs): q's edit falls at the midpoint Nov 3 14:00, to Nov 6
    // 02:00 that is 10 + 24 + 24 + 2 = 60 h at 4 - 2 = 2 vCPUs more: 120 vCPU hours.
    const events = [
      ...A_EVENTS,
      nova('create.end', '2026-11-02T13:00:05Z', 'p', { launched_at: '2026-11-02T13:00:00Z' }),
      nova('create.end', '2026-11-02T13:00:05Z', 'q', { launched_at: '2026-11-02T13:00:00Z' }),
    ];
    const p = server('p', '2026-11-02T13:00:00Z', { flavor_id: '6f1c0d7e-small-again' });
    const q = (i: number) => server('q', '2026-11-02T13:00:00Z', i >= 3 ? { vcpus: 4 } : {});
    const rows = await reconcile(events, nights((i) => (i >= 2 ? [p, q(i)] : [])));
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-04,vm,q,t1,flavor_drift,vcpus=2 ram_mb=4096 disk_gb=20,vcpus=4 ram_mb=4096 disk_gb=20,2026-11-06T02:00:00Z,,120',
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

  it('size_drift: a volume extended without an event', async () => {
    // v heard created Nov 2 09:00 at 10 GB, listed at 20 GB from Nov 4: the snapshots place the extend
    // at the midpoint Nov 3 14:00; to the last event (Nov 6 02:00) that is 10 + 24 + 24 + 2 = 60 h ×
    // (20 − 10) GB = 600 GB hours more. Its type agrees: no type_drift.
    const rows = await reconcile(volumeEvents(), nights((i) => (i >= 2 ? [volume(i >= 3 ? { size_gb: 20 } : {})] : []), 'volume'), { type: 'volume' });
    assert.deepEqual(rows, [HEADER, 'cloud,2026-11-04,volume,v,t1,size_drift,10,20,2026-11-06T02:00:00Z,,600']);
  });

  it('type_drift: a volume retyped without an event, its hours billed under the other type', async () => {
    // v as above, listed as type `fast` from Nov 4 at its own 10 GB: from the midpoint Nov 3 14:00 to
    // Nov 6 02:00, 60 h × 10 GB = 600 GB hours under the other type. Its size agrees: no size_drift.
    const rows = await reconcile(volumeEvents(), nights((i) => (i >= 2 ? [volume(i >= 3 ? { volume_type: 'fast' } : {})] : []), 'volume'), { type: 'volume' });
    assert.deepEqual(rows, [HEADER, 'cloud,2026-11-04,volume,v,t1,type_drift,standard,fast,2026-11-06T02:00:00Z,,600']);
  });

  it('lets a snapshot settle for ten minutes either side of an event, no more', async () => {
    // k is deleted at Nov 4 01:55 and the Nov 4 02:00 listing, taken as it happened, still shows it
    // ACTIVE; n's resize is heard at 02:05, after a listing that already shows the new flavor. Within
    // ten minutes of an event nothing is compared, and by Nov 5 both sides agree: no row for either.
    // k2 is deleted at 01:49, eleven minutes before the listing that still shows it: a zombie at Nov 4
    // 02:00, gone from both sides at Nov 5 02:00, so one row from Nov 3 02:00 (the comparison before) to
    // Nov 5 02:00. The snapshots end k2 at the midpoint Nov 4 14:00, the events at 01:49: 12 h 11 min
    // = 12.183333 h more.
    const deleted = (id: string, at: string) => nova('delete.end', `${at}:05Z`, id, { launched_at: '2026-11-02T17:00:00Z', state: 'deleted', terminated_at: `${at}:00Z` });
    const events = [
      ...A_EVENTS,
      ...['k', 'k2', 'n'].map((id) => nova('create.end', '2026-11-02T17:00:05Z', id, { launched_at: '2026-11-02T17:00:00Z' })),
      deleted('k', '2026-11-04T01:55'),
      deleted('k2', '2026-11-04T01:49'),
      nova('resize_finish.end', '2026-11-04T02:05:00Z', 'n', { launched_at: '2026-11-02T17:00:00Z', flavor: MEDIUM }),
    ];
    const n = (i: number) => server('n', '2026-11-02T17:00:00Z', i >= 3 ? { flavor_id: MEDIUM.flavorid, vcpus: 4, ram_mb: 8192, disk_gb: 40 } : {});
    const rows = await reconcile(events, nights((i) => [...(i === 2 || i === 3 ? ['k', 'k2'].map((id) => server(id, '2026-11-02T17:00:00Z')) : []), ...(i >= 2 ? [n(i)] : [])]));
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-04,vm,k2,t1,zombie,ended 2026-11-04T01:49:00Z,"listed, billable",2026-11-04T02:00:00Z,2026-11-05T02:00:00Z,12.183333',
    ]);
  });

  it('one row per disagreement, dated when first seen, its hours those of the range', async () => {
    // d is the zombie above (deleted by events Nov 3 12:00, listed ACTIVE every night). g2, heard
    // launched Nov 2 15:00, is listed SHUTOFF on Nov 5 alone, billing active states only: one row from
    // the comparison before (Nov 4 02:00) to the first that agrees again (Nov 6 02:00). The snapshots
    // stop billing it at the midpoint Nov 4 14:00 and start again at Nov 5 14:00: 24 h fewer.
    const events = [
      ...A_EVENTS,
      nova('create.end', '2026-11-02T11:00:05Z', 'd', { launched_at: '2026-11-02T11:00:00Z' }),
      nova('delete.end', '2026-11-03T12:00:05Z', 'd', { launched_at: '2026-11-02T11:00:00Z', state: 'deleted', terminated_at: '2026-11-03T12:00:00Z' }),
      nova('create.end', '2026-11-02T15:00:05Z', 'g2', { launched_at: '2026-11-02T15:00:00Z' }),
    ];
    const g2 = (i: number) => server('g2', '2026-11-02T15:00:00Z', i === 4 ? { status: 'SHUTOFF', vm_state: 'stopped' } : {});
    const dir = await load(events, nights((i) => (i >= 2 ? [server('d', '2026-11-02T11:00:00Z'), g2(i)] : [])), { config: 'usage:\n  billable_states: [active]\n' });
    assert.deepEqual(await exported(dir, ['reconcile']), [
      HEADER,
      'cloud,2026-11-04,vm,d,t1,zombie,ended 2026-11-03T12:00:00Z,"listed, billable",2026-11-06T02:00:00Z,,62',
      'cloud,2026-11-05,vm,g2,t1,state_drift,billable,stopped,2026-11-05T02:00:00Z,,-24',
    ]);
    // Nov 5 alone: d's row keeps its day (Nov 4) and counts Nov 5's 24 h; the Nov 6 snapshot is after
    // the range, so d was last seen Nov 5 02:00. g2 was stopped from Nov 4 14:00 to Nov 5 14:00: 14 h of Nov 5.
    assert.deepEqual(await exported(dir, ['reconcile'], ['2026-11-05', '2026-11-05']), [
      HEADER,
      'cloud,2026-11-04,vm,d,t1,zombie,ended 2026-11-03T12:00:00Z,"listed, billable",2026-11-05T02:00:00Z,,24',
      'cloud,2026-11-05,vm,g2,t1,state_drift,billable,stopped,2026-11-05T02:00:00Z,,-14',
    ]);
    // Up to Nov 3, neither had been seen yet.
    assert.deepEqual(await exported(dir, ['reconcile'], ['2026-11-01', '2026-11-03']), [HEADER]);
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
    const snapshots = nights((i) => [...(i >= 2 && i <= 3 ? [server('y', '2026-11-02T16:00:00Z')] : []), ...(i >= 4 ? [server('x', '2026-11-04T10:00:00Z')] : [])]);
    const dir = await load(events, snapshots);
    const rows = await exported(dir, ['reconcile']);
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-04,vm,,,event_gap,no events for 1 day,2 change(s) no event explains,2026-11-03T12:00:00Z,2026-11-04T00:00:00Z,',
      'cloud,2026-11-05,vm,x,t1,missed_create,no events,"listed, billable",2026-11-06T02:00:00Z,,40',
      'cloud,2026-11-05,vm,y,t1,missed_delete,open since 2026-11-02T16:00:00Z,absent,2026-11-04T02:00:00Z,2026-11-05T02:00:00Z,-36',
    ]);
    // What the usage report got wrong: it bills the events where they exist, so y to the last night.
    // a: Nov 2 09:00 -> Nov 6 02:00 = 15 + 72 + 2 = 89 h; y: Nov 2 16:00 -> Nov 6 02:00 = 8 + 72 + 2 = 82 h;
    // x (no event): from its snapshots, 40 h; 211 h in all. The snapshots alone end y at Nov 4 14:00
    // (8 + 24 + 14 = 46 h): 175 h. The 36 h between them are y's hours_delta.
    const instanceHours = async (at: string) => {
      const [header, ...lines] = await exported(at, ['usage', '--type', 'vm']);
      const column = header!.split(',').indexOf('instance_hours');
      return lines.reduce((sum, line) => sum + Number(line.split(',')[column]), 0);
    };
    assert.equal(await instanceHours(dir), 211);
    assert.equal(await instanceHours(await load([], snapshots)), 175);
  });

  it('event_gap: a listener down two days running is one row', async () => {
    // As above, but a's noon update of Nov 5 is lost as well: Nov 4 and Nov 5 are silent. The stretch
    // Nov 4 02:00 -> Nov 5 02:00 (x launched, y deleted) touches both; Nov 5 -> Nov 6 changes nothing.
    // One row from Nov 4, the last message before it still Nov 3 12:00; x's and y's rows as above.
    const events = [
      ...A_EVENTS.filter((line) => !line.includes('2026-11-04 12:00') && !line.includes('2026-11-05 12:00')),
      nova('create.end', '2026-11-02T16:00:05Z', 'y', { launched_at: '2026-11-02T16:00:00Z' }),
    ];
    const rows = await reconcile(
      events,
      nights((i) => [...(i >= 2 && i <= 3 ? [server('y', '2026-11-02T16:00:00Z')] : []), ...(i >= 4 ? [server('x', '2026-11-04T10:00:00Z')] : [])]),
    );
    assert.deepEqual(rows, [
      HEADER,
      'cloud,2026-11-04,vm,,,event_gap,no events for 2 days,2 change(s) no event explains,2026-11-03T12:00:00Z,2026-11-04T00:00:00Z,',
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
