// OpenStack notification messages read into events (SPEC §4.1.5, §4.4): the fixtures' real shapes,
// every event name mapped to one vocabulary, times in UTC, the payload hash, and refusals by field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { NotificationEvent, ParsedMessage } from '../src/sources/notifications/event.ts';
import { isNotification, parseMessage } from '../src/sources/notifications/message.ts';
import { FIXTURES } from './support/cli.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test data

const DIR = join(FIXTURES, 'notifications');
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');
const lines = (name: string) => read(name).split('\n').filter((line) => line.trim() !== '');

const versioned: Json[] = lines('nova-versioned.jsonl').map((line) => JSON.parse(line));
const legacy: Json[] = JSON.parse(read('nova-legacy.json'));
// The oslo log driver's message starts at the line's first `{` (SPEC §4.1.5).
const cinder: Json[] = lines('cinder.log').map((line) => JSON.parse(line.slice(line.indexOf('{'))));
const panko: Json[] = JSON.parse(read('panko-events.json'));
const pankoApi: Json[] = JSON.parse(read('panko-api-events.json'));

const VM = '6d3f9a2e-41c7-4b0e-9d55-2f8e1c7a4b90';
const LEGACY_VM = 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e81';
const VOLUME = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const STANDARD = '0c7e5a3b-2d4f-4a6e-9b8c-1d2e3f4a5b6c';
const SSD = 'e9d8c7b6-a5f4-4e3d-8c2b-1a0f9e8d7c6b';
const utc = (month: number, day: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(2026, month - 1, day, h, mi, s, ms);

function event(value: unknown): NotificationEvent {
  const parsed = parseMessage(value);
  assert.equal(parsed.kind, 'event', JSON.stringify(parsed));
  return (parsed as Extract<ParsedMessage, { kind: 'event' }>).event;
}

function vm(value: unknown): Extract<NotificationEvent, { resource: 'vm' }> {
  const e = event(value);
  assert.equal(e.resource, 'vm');
  return e as Extract<NotificationEvent, { resource: 'vm' }>;
}

function volume(value: unknown): Extract<NotificationEvent, { resource: 'volume' }> {
  const e = event(value);
  assert.equal(e.resource, 'volume');
  return e as Extract<NotificationEvent, { resource: 'volume' }>;
}

function rejected(value: unknown): { field?: string; reason: string } {
  const parsed = parseMessage(value);
  assert.equal(parsed.kind, 'reject', JSON.stringify(parsed).slice(0, 300));
  return parsed as Extract<ParsedMessage, { kind: 'reject' }>;
}

/** The bare message inside a wire envelope. */
const inner = (envelope: Json): Json => JSON.parse(envelope['oslo.message'] as string);
/** A copy of a bare message with other members (`undefined` removes one). */
function changed(message: Json, over: Json): Json {
  const copy = structuredClone(message);
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete copy[k];
    else copy[k] = v;
  }
  return copy;
}

describe('versioned Nova notifications in oslo wire envelopes', () => {
  it('reads every instance.* event of one lifecycle, in the versioned vocabulary', () => {
    const events = versioned.map(event);
    assert.deepEqual(
      events.map((e) => [e.resource, e.resourceId, e.eventType, e.action]),
      ['create.end', 'power_off.end', 'power_on.end', 'resize_finish.end', 'resize_confirm.end', 'shelve_offload.end', 'unshelve.end', 'exists', 'delete.end'].map(
        (action) => ['vm', VM, `instance.${action}`, action],
      ),
    );
  });

  it("takes oslo's zone-less timestamp as UTC, keeping milliseconds, and the message id from inside the envelope", () => {
    const created = event(versioned[0]);
    assert.equal(created.at, utc(11, 2, 9, 15, 4, 512));
    assert.equal(created.messageId, '0b8d3c52-7f41-4c9e-8a16-3e5f7d9b1c20');
  });

  it('reads the flavor from flavor["nova_object.data"], the root disk as the disk', () => {
    assert.deepEqual(event(versioned[0]).facts, {
      tenantId: '3f8e2a9c4b7d41e6a0c5d9e8f7a6b5c4',
      userId: '9a1b2c3d4e5f40718293a4b5c6d7e8f9',
      flavorId: '8f1c2d3e-0a4b-4c5d-9e6f-7a8b9c0d1e2f',
      flavorName: 'm3.small',
      vcpus: 2,
      ramMb: 4096,
      diskGb: 30,
      state: 'active',
      createdAt: utc(11, 2, 9, 14, 31),
      launchedAt: utc(11, 2, 9, 15, 3),
    });
    // m3.medium has 30 GB root and 60 GB ephemeral: the disk is the root's.
    const resized = vm(versioned[3]).facts;
    assert.deepEqual([resized.flavorName, resized.vcpus, resized.ramMb, resized.diskGb, resized.state], ['m3.medium', 4, 8192, 30, 'resized']);
  });

  it('reads the audit period of instance.exists and the end times of delete.end', () => {
    assert.deepEqual(vm(versioned[7]).facts.auditPeriod, { beginning: utc(11, 19), ending: utc(11, 20) });
    const deleted = vm(versioned[8]).facts;
    assert.deepEqual([deleted.state, deleted.terminatedAt, deleted.deletedAt], ['deleted', utc(11, 25, 16, 19, 58), utc(11, 25, 16, 20)]);
    assert.equal(vm(versioned[5]).facts.state, 'shelved_offloaded');
    assert.equal(vm(versioned[6]).facts.launchedAt, utc(11, 17, 7, 45, 11));
  });

  it('keeps the payload for storage', () => {
    const parsed = parseMessage(versioned[0]);
    assert.equal(parsed.kind, 'event');
    assert.deepEqual((parsed as { payload: unknown }).payload, inner(versioned[0]!).payload);
  });

  it('names every other instance.* event by itself, still read with its facts', () => {
    const base = inner(versioned[4]!);
    for (const action of ['rebuild.end', 'resize_revert.end', 'suspend.end', 'resume.end', 'pause.end', 'unpause.end', 'shelve.end', 'create.start', 'create.error', 'update', 'live_migration_post.end']) {
      const e = vm(changed(base, { event_type: `instance.${action}` }));
      assert.deepEqual([e.action, e.resourceId, e.facts.flavorName], [action, VM, 'm3.medium'], action);
    }
  });
});

describe('legacy Nova notifications (compute.instance.*)', () => {
  it('maps legacy names onto the versioned ones', () => {
    assert.deepEqual(
      legacy.map((m) => [event(m).resourceId, event(m).action]),
      ['create.end', 'resize_finish.end', 'resize_confirm.end', 'exists', 'resize_finish.end', 'resize_revert.end', 'power_off.end', 'delete.start', 'delete.end'].map((a) => [LEGACY_VM, a]),
    );
    const names: Record<string, string> = {
      'rebuild.end': 'rebuild.end', 'power_on.end': 'power_on.end', 'suspend.end': 'suspend.end', 'resume.end': 'resume.end',
      'pause.end': 'pause.end', 'unpause.end': 'unpause.end', 'shelve.end': 'shelve.end', 'shelve_offload.end': 'shelve_offload.end',
      'unshelve.end': 'unshelve.end', update: 'update', 'create.error': 'create.error',
      // Nova before Kilo sent these bare, once done.
      suspend: 'suspend.end', resume: 'resume.end',
      'resize.confirm.start': 'resize_confirm.start', 'finish_resize.start': 'resize_finish.start',
      // The migration step, not the switch to the new flavor.
      'resize.end': 'resize.end',
    };
    for (const [name, action] of Object.entries(names)) {
      assert.equal(event(changed(legacy[0]!, { event_type: `compute.instance.${name}` })).action, action, name);
    }
  });

  it('reads zone-less payload times as UTC and "" as no time', () => {
    const created = event(legacy[0]);
    assert.equal(created.at, utc(11, 3, 11, 20, 42, 530));
    assert.deepEqual(created.facts, {
      tenantId: '5e7d9c1b3a2f4e6d8c0b9a7f5e3d1c2b',
      userId: '0f1e2d3c4b5a46978877665544332211',
      flavorId: '2',
      flavorName: 'm1.small',
      vcpus: 1,
      ramMb: 2048,
      diskGb: 20,
      state: 'active',
      createdAt: utc(11, 3, 11, 19, 58),
      launchedAt: utc(11, 3, 11, 20, 41, 118),
    });
    assert.equal(legacy[0]!.payload.deleted_at, '');
    const deleted = vm(legacy[8]).facts;
    assert.deepEqual([deleted.terminatedAt, deleted.deletedAt], [utc(11, 27, 8, 0, 4, 612), utc(11, 27, 8, 0, 5)]);
  });

  it('reads the audit period of compute.instance.exists', () => {
    assert.deepEqual(vm(legacy[3]).facts.auditPeriod, { beginning: utc(11, 12), ending: utc(11, 13) });
  });

  it('takes root_gb as the disk, and the internal instance_type_id only when instance_flavor_id is missing', () => {
    const payload = { ...legacy[0]!.payload, root_gb: 20, ephemeral_gb: 10, disk_gb: 30, instance_flavor_id: undefined };
    const facts = vm(changed(legacy[0]!, { payload })).facts;
    assert.deepEqual([facts.diskGb, facts.flavorId], [20, '5']);
  });
});

describe('Cinder notifications from oslo log-driver lines', () => {
  it('reads volume types, then every volume.* event, in one vocabulary', () => {
    assert.deepEqual(
      cinder.map((m) => {
        const e = event(m);
        return [e.resource, e.resourceId, e.action];
      }),
      [
        ['volume_type', STANDARD, 'create'],
        ['volume_type', SSD, 'create'],
        ...['create.start', 'create.end', 'attach.end', 'detach.end', 'resize.end', 'exists', 'create.start', 'create.end', 'retype', 'update.end', 'delete.start', 'delete.end'].map((a) => ['volume', VOLUME, a]),
      ],
    );
    assert.deepEqual(event(cinder[1]).facts, { name: 'ssd' });
  });

  it('reads size, type id, status, times and attachments', () => {
    const created = event(cinder[3]);
    assert.equal(created.at, utc(11, 4, 9, 12, 1, 335));
    assert.deepEqual(created.facts, {
      tenantId: '3f8e2a9c4b7d41e6a0c5d9e8f7a6b5c4',
      userId: '9a1b2c3d4e5f40718293a4b5c6d7e8f9',
      sizeGb: 20,
      volumeTypeId: STANDARD,
      status: 'available',
      createdAt: utc(11, 4, 9, 11, 58),
      launchedAt: utc(11, 4, 9, 12, 1, 204),
      attachedTo: [],
    });
    assert.deepEqual(volume(cinder[4]).facts.attachedTo, [VM]);
    assert.equal(volume(cinder[6]).facts.sizeGb, 50);
    assert.equal(volume(cinder[10]).facts.volumeTypeId, SSD);
    assert.deepEqual(volume(cinder[7]).facts.auditPeriod, { beginning: utc(11, 1), ending: utc(11, 13) });
  });

  it("reads an oslo listener's capture, whose message id and timestamp sit in `metadata`", () => {
    const { message_id, timestamp, priority, ...rest } = cinder[3]!;
    const captured = { ...rest, ctxt: { request_id: 'req-2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d' }, metadata: { message_id, timestamp } };
    const e = volume(captured);
    assert.deepEqual([e.messageId, e.at, e.payloadHash], [message_id, utc(11, 4, 9, 12, 1, 335), volume(cinder[3]).payloadHash]);
    assert.equal(priority, 'INFO');
  });

  it("names the one attached instance of Icehouse payloads; a failed type request is unused", () => {
    const payload = { ...cinder[3]!.payload, volume_attachment: undefined, instance_uuid: VM };
    assert.deepEqual(volume(changed(cinder[3]!, { payload })).facts.attachedTo, [VM]);
    const failed = changed(cinder[0]!, { priority: 'ERROR', payload: { volume_types: null, name: 'gold', id: null, error_message: 'Volume Type gold already exists.' } });
    assert.equal(parseMessage(failed).kind, 'unused');
  });
});

describe('Panko events', () => {
  it('reads `openstack event list -f json` rows: ceilometer trait names, values as text', () => {
    const instance = vm(panko[0]);
    assert.deepEqual([instance.resourceId, instance.action, instance.at, instance.messageId], ['f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f', 'create.end', utc(11, 8, 10, 2, 15, 339), '3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6e']);
    assert.deepEqual(instance.facts, {
      tenantId: '8c7b6a5f4e3d42c1b0a9f8e7d6c5b4a3',
      userId: '2d3c4b5a69784e8f9a0b1c2d3e4f5a6b',
      flavorId: '6',
      flavorName: 'm1.medium',
      vcpus: 2,
      ramMb: 4096,
      diskGb: 40,
      state: 'active',
      launchedAt: utc(11, 8, 10, 2, 14, 870),
    });
    const vol = volume(panko[1]);
    assert.deepEqual([vol.resourceId, vol.action], ['7b6a5c4d-3e2f-4a1b-9c0d-8e7f6a5b4c3d', 'create.end']);
    assert.deepEqual(vol.facts, {
      tenantId: '8c7b6a5f4e3d42c1b0a9f8e7d6c5b4a3',
      userId: '2d3c4b5a69784e8f9a0b1c2d3e4f5a6b',
      sizeGb: 100,
      volumeTypeId: STANDARD,
      status: 'available',
      createdAt: utc(11, 9, 13, 41, 5),
    });
    assert.deepEqual(parseMessage(panko[2]), { kind: 'unused', eventType: 'image.upload', messageId: '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e80', at: utc(11, 9, 15, 12, 40, 18), payload: Object.fromEntries(Object.entries(panko[2]!).filter(([k]) => k.startsWith('traits:'))) });
    assert.equal(vm(panko[3]).facts.deletedAt, utc(11, 24, 19, 30, 41));
  });

  it("reads the API's {name, type, value} traits, serialised [name, dtype, value] triples and event show's JSON text alike", () => {
    const api = pankoApi[0]!;
    const off = vm(api);
    assert.deepEqual([off.action, off.facts.state], ['power_off.end', 'stopped']);
    // Ceilometer's serialised model: dtype numbers, typed values, any order.
    const dtype: Record<string, number> = { string: 1, integer: 2, float: 3, datetime: 4 };
    const triples = [...api.traits].reverse().map((t: Json) => [t.name, dtype[t.type], t.type === 'integer' ? Number(t.value) : t.value]);
    assert.deepEqual(vm({ ...api, traits: triples }).facts, off.facts);
    // `openstack event show -f json` prints the traits as JSON text: the same payload.
    const shown = vm({ ...api, traits: JSON.stringify(api.traits, null, 4) });
    assert.deepEqual([shown.facts, shown.payloadHash], [off.facts, off.payloadHash]);
    // Traits hash by name: their order is not part of the payload.
    assert.equal(event({ ...api, traits: [...api.traits].reverse() }).payloadHash, off.payloadHash);
  });
});

describe('payload hash (SPEC §4.4 semantic de-duplication)', () => {
  it('is the same for the same payload re-emitted under a new message id', () => {
    for (const message of [inner(versioned[3]!), legacy[3]!, cinder[3]!]) {
      const first = event(message);
      const again = event(changed(message, { message_id: 'ffffffff-0000-4000-8000-000000000001', payload: structuredClone(message.payload) }));
      assert.notEqual(again.messageId, first.messageId);
      assert.match(first.payloadHash, /^[0-9a-f]{40}$/);
      assert.equal(again.payloadHash, first.payloadHash);
    }
  });

  it('differs when anything in the payload differs', () => {
    const message = inner(versioned[3]!);
    const first = event(message).payloadHash;
    const payload = structuredClone(message.payload);
    payload['nova_object.data'].flavor['nova_object.data'].memory_mb = 8193;
    assert.notEqual(event(changed(message, { payload })).payloadHash, first);
    // Cinder's usage audit re-sends create.end with the volume as it is now and an audit period: not the same payload.
    assert.notEqual(event(cinder[9]).payloadHash, event(cinder[3]).payloadHash);
  });
});

describe('refused messages name the field', () => {
  const bare = inner(versioned[0]!);
  const cases: [string, unknown, string | undefined, RegExp][] = [
    ['not an object', ['a', 'list'], undefined, /\(a JSON object\), found a list/],
    ['null', null, undefined, /\(a JSON object\), found null/],
    ['oslo.message not JSON', { 'oslo.version': '2.0', 'oslo.message': '{"event_type": "instance.create.end", ' }, 'oslo.message', /not JSON/],
    ['no event_type', changed(bare, { event_type: undefined }), 'event_type', /event type/],
    ['no timestamp', changed(bare, { timestamp: undefined }), 'timestamp', /found nothing/],
    ['an impossible timestamp', changed(bare, { timestamp: '2026-02-30 10:00:00.000000' }), 'timestamp', /not a valid date/],
    ['a timestamp that is no time', changed(bare, { timestamp: 'yesterday' }), 'timestamp', /yesterday/],
    ['a versioned instance event without its uuid', changed(bare, { payload: { ...bare.payload, 'nova_object.data': { ...bare.payload['nova_object.data'], uuid: undefined } } }), 'payload.nova_object.data.uuid', /instance uuid/],
    ['a legacy instance event without instance_id', changed(legacy[0]!, { payload: { ...legacy[0]!.payload, instance_id: '' } }), 'payload.instance_id', /instance id/],
    ['an instance event without a payload', changed(legacy[0]!, { payload: undefined }), 'payload', /payload object/],
    ['a volume event without volume_id', changed(cinder[3]!, { payload: { ...cinder[3]!.payload, volume_id: undefined } }), 'payload.volume_id', /volume id/],
    ['a payload time that is no time', changed(legacy[0]!, { payload: { ...legacy[0]!.payload, launched_at: '2026-11-31 10:00:00' } }), 'payload.launched_at', /not a valid date/],
    ['a Panko instance event without instance_id or resource_id', pankoWithout(panko[0]!, ['instance_id', 'resource_id']), 'traits.instance_id', /instance id/],
    ['Panko trait columns that do not line up', { ...panko[0]!, 'traits:value': 'one\ntwo' }, 'traits:value', /one value per trait name/],
    // Issue 13 fuzz: JSON.stringify of the payload hash crashed ("Maximum call stack size exceeded").
    ['a payload nested 100 000 levels deep', changed(legacy[0]!, { payload: { ...legacy[0]!.payload, metadata: JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) } }), undefined, /nested deeper than 100 levels/],
    ['an oslo envelope whose message nests 100 000 levels deep', { 'oslo.version': '2.0', 'oslo.message': JSON.stringify(changed(bare, { payload: { ...bare.payload, metadata: 'deep' } })).replace('"deep"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`) }, undefined, /nested deeper than 100 levels/],
  ];
  for (const [what, message, field, reason] of cases) {
    it(what, () => {
      const r = rejected(message);
      assert.equal(r.field, field);
      assert.match(r.reason, reason);
    });
  }
});

describe('the depth limit', () => {
  it('reads a message the same whether it comes bare or in an oslo envelope, just under, at and over 100 levels', () => {
    const bare = inner(versioned[0]!);
    for (let depth = 90; depth <= 105; depth++) {
      const message = changed(bare, { payload: { ...bare.payload, metadata: JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) } });
      const [one, two] = [parseMessage(message), parseMessage(envelope(message))];
      assert.equal(one.kind, two.kind, `${depth} levels`);
      assert.equal(one.kind === 'reject' ? one.reason : '', two.kind === 'reject' ? two.reason : '', `${depth} levels`);
    }
  });
});

function envelope(message: unknown): Json {
  return { 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) };
}

function pankoWithout(row: Json, names: string[]): Json {
  const cells = (column: string) => (row[column] as string).split('\n');
  const keep = cells('traits:name').map((name) => !names.includes(name));
  const column = (c: string) => cells(c).filter((_, i) => keep[i]).join('\n');
  return { ...row, 'traits:name': column('traits:name'), 'traits:value': column('traits:value'), 'traits:type': column('traits:type') };
}

describe('messages of other services and types', () => {
  it('are unused, with their type, id, time and payload kept', () => {
    const upload = { message_id: 'a0b1c2d3-0000-4000-8000-00000000000a', publisher_id: 'image.localhost', event_type: 'image.upload', priority: 'INFO', payload: { id: 'img', size: 12 }, timestamp: '2026-11-09 15:12:40.018334' };
    assert.deepEqual(parseMessage(upload), { kind: 'unused', eventType: 'image.upload', messageId: upload.message_id, at: utc(11, 9, 15, 12, 40, 18), payload: { id: 'img', size: 12 } });
    for (const type of ['identity.project.created', 'port.create.end', 'volume_type_extra_specs.create', 'compute.metrics.update', 'snapshot.create.end']) {
      assert.equal(parseMessage(changed(upload, { event_type: type })).kind, 'unused', type);
    }
  });
});

describe('isNotification', () => {
  it('recognises every fixture message: wire envelope, bare message, Panko event', () => {
    for (const message of [...versioned, ...legacy, ...cinder, ...panko, ...pankoApi]) assert.equal(isNotification(message), true);
  });

  it('recognises nothing else', () => {
    const others: unknown[] = [
      null,
      'compute.instance.create.end',
      [inner(versioned[0]!)],
      { source: 'nectar-sa', resource_type: 'vm', taken_at: '2026-11-21T02:00:00Z', complete: true, resources: [] },
      { id: 1, session: 's', schema: 'nova', version: 1, data: { timestamp: 1795000000, hostname: 'h' } },
      { servers: [] },
      { event_type: 'compute.instance.create.end' },
    ];
    for (const value of others) assert.equal(isNotification(value), false, JSON.stringify(value));
  });
});
