// Resource types: readers per input shape, coercion, privacy, natural keys (SPEC §5).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RecordError } from '../src/errors.ts';
import { resourceType } from '../src/types/index.ts';
import { normaliser, type Normalised, type Privacy } from '../src/types/normalise.ts';
import { FIXTURES } from './support/cli.ts';

const DROP: Privacy = { mode: 'drop' };

function record(typeName: string, shape: string, raw: unknown, privacy: Privacy = DROP): Record<string, unknown> {
  const result = normaliser(resourceType(typeName)!, shape, privacy)(raw);
  assert.equal(result.kind, 'record');
  return JSON.parse((result as Extract<Normalised, { kind: 'record' }>).record.json) as Record<string, unknown>;
}

const servers = (JSON.parse(readFileSync(join(FIXTURES, 'sequence/2026-11-01/servers.json'), 'utf8')) as { servers: unknown[] }).servers;

describe('vm from Nova server details', () => {
  it('maps the API fields to ours, with naive Nova times read as UTC', () => {
    assert.deepEqual(record('vm', 'openstack', servers[0]), {
      status: 'ACTIVE',
      vm_state: 'active',
      power_state: 1,
      tenant_id: 'aaf1c3f7-5b1e-4c0e-9d4a-1f6c8e2b7a01',
      user_id: '0c5e8a7d3b2f4e1a9c6d8b7e5f4a3c21',
      host_id: 'c1a0f6e8d9b7a5c3e1f0d8b6a4c2e0f9d7b5a3c1e9f7d5b3a1c9e7f5',
      hypervisor: 'cn-0101.sa.example.org',
      availability_zone: 'sa-1',
      flavor_name: 'm3.small',
      vcpus: 2,
      ram_mb: 4096,
      disk_gb: 30,
      image_id: '9e8f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b',
      created_at: '2026-10-12T03:14:15Z',
      launched_at: '2026-10-12T03:15:02Z',
    });
  });

  it('keeps boot-from-volume servers (image "") with an empty image_id', () => {
    const bfv = record('vm', 'openstack', servers[1]);
    assert.equal(bfv.image_id, undefined);
    assert.equal(bfv.status, 'ACTIVE');
  });

  it('keeps servers without a zone or a host', () => {
    const zoneless = record('vm', 'openstack', servers[2]);
    assert.equal(zoneless.availability_zone, undefined);
    assert.equal(zoneless.status, 'ERROR');
  });

  it('reads the flavor id before microversion 2.47 and the name from it, never the name as an id', () => {
    const old = { ...(servers[0] as object), flavor: { id: 'f-17', links: [] } };
    assert.equal(record('vm', 'openstack', old).flavor_id, 'f-17');
    assert.equal(record('vm', 'openstack', old).flavor_name, undefined);
    assert.equal(record('vm', 'openstack', servers[0]).flavor_id, undefined, 'from 2.47 the id is filled in at ingest, from the flavors');
  });

  it('recognises a down-cell server as partial, with its key', () => {
    const result = normaliser(resourceType('vm')!, 'openstack', DROP)({ id: 'x', status: 'UNKNOWN', links: [] });
    assert.deepEqual(result, { kind: 'partial', key: 'x' });
  });
});

describe('flavor from Nova flavor details', () => {
  it('stores the "" that Nova gives for no swap before microversion 2.75 as 0, as 2.75 gives it', () => {
    const flavors = (JSON.parse(readFileSync(join(FIXTURES, 'sequence/2026-11-01/flavors.json'), 'utf8')) as { flavors: Record<string, unknown>[] }).flavors;
    assert.equal(flavors[0]!.swap, '');
    assert.equal(record('flavor', 'openstack', flavors[0]).swap_mb, 0);
    assert.deepEqual(record('flavor', 'openstack', { ...flavors[0], swap: 0 }), record('flavor', 'openstack', flavors[0]));
    assert.equal(record('flavor', 'openstack', { ...flavors[0], swap: 2048 }).swap_mb, 2048);
  });
});

describe('private fields', () => {
  const server = servers[0];

  it('are dropped by default', () => {
    const vm = record('vm', 'openstack', server);
    assert.equal(vm.name, undefined);
    assert.equal(vm.key_name, undefined);
    assert.equal(vm.ip_addresses, undefined);
  });

  it('are stored as given with keep', () => {
    const vm = record('vm', 'openstack', server, { mode: 'keep' });
    assert.equal(vm.name, 'genomics-pipeline-01');
    assert.deepEqual(vm.ip_addresses, ['10.0.0.5']);
  });

  it('become a keyed hash with hash: equal values stay equal, the value itself is gone', () => {
    const key = 'k'.repeat(64);
    const a = record('vm', 'openstack', server, { mode: 'hash', hashKey: key });
    const b = record('vm', 'openstack', { ...(server as object) }, { mode: 'hash', hashKey: key });
    const other = record('vm', 'openstack', { ...(server as object), name: 'renamed' }, { mode: 'hash', hashKey: key });
    assert.match(String(a.name), /^[0-9a-f]{32}$/);
    assert.equal(a.name, b.name);
    assert.notEqual(a.name, other.name);
    assert.ok(!JSON.stringify(a).includes('genomics-pipeline-01'));
    const otherKey = record('vm', 'openstack', server, { mode: 'hash', hashKey: 'z'.repeat(64) });
    assert.notEqual(a.name, otherKey.name, 'the hash is keyed');
  });

  it('keep only the e-mail domain of users by default', () => {
    const user = record('keystone_user', 'openstack', { id: 'u1', email: 'Bob@Flinders.edu.au;bob@gmail.com', enabled: true });
    assert.deepEqual(user, { enabled: true, email_domain: 'flinders.edu.au' });
  });
});

describe('coercion', () => {
  it('reads numbers and booleans given as strings (Cinder bootable, HNAS counts)', () => {
    const volume = record('volume', 'openstack', { id: 'v', size: '100', bootable: 'true', encrypted: false, attachments: [] });
    assert.deepEqual(volume, { size_gb: 100, bootable: true, encrypted: false });
  });

  it('keeps integers beyond 2^53 exact, as text', () => {
    const image = record('image', 'openstack', { id: 'i', size: '9007199254740993' });
    assert.equal(image.size_bytes, '9007199254740993');
  });

  it('sorts list fields, since attachment order is not a change', () => {
    const a = record('volume', 'openstack', { id: 'v', attachments: [{ server_id: 's2' }, { server_id: 's1' }] });
    assert.deepEqual(a.attached_to, ['s1', 's2']);
  });

  it('refuses a zone-less time in our own format, naming the field', () => {
    assert.throws(
      () => normaliser(resourceType('vm')!, 'canonical', DROP)({ id: 'v', created_at: '2026-11-20 10:00:00' }),
      (err: unknown) => err instanceof RecordError && err.field === 'created_at' && /without a time zone/.test(err.message),
    );
  });

  it('names the field, what was expected and what was found', () => {
    assert.throws(
      () => normaliser(resourceType('vm')!, 'canonical', DROP)({ id: 'v', vcpus: 'two' }),
      (err: unknown) => err instanceof RecordError && err.message === 'vcpus: expected an integer, found "two"',
    );
  });

  it('refuses a record without its key', () => {
    assert.throws(
      () => normaliser(resourceType('vm')!, 'canonical', DROP)({ status: 'ACTIVE' }),
      (err: unknown) => err instanceof RecordError && err.field === 'id',
    );
  });

  it('gives the same canonical JSON whatever the input key order', () => {
    const make = normaliser(resourceType('vm')!, 'canonical', DROP);
    const a = make({ id: 'v', status: 'ACTIVE', vcpus: 2 });
    const b = make({ vcpus: 2, status: 'ACTIVE', id: 'v' });
    assert.deepEqual(a, b);
  });
});

describe('membership', () => {
  it('has a composite key of tenant and user', () => {
    const result = normaliser(resourceType('membership')!, 'openstack', DROP)({
      scope: { project: { id: 't1' } },
      user: { id: 'u1' },
      role: { id: 'r' },
    });
    assert.equal(result.kind, 'record');
    assert.equal((result as Extract<Normalised, { kind: 'record' }>).record.key, '["t1","u1"]');
  });

  it('skips domain-scoped and group role assignments', () => {
    const make = normaliser(resourceType('membership')!, 'openstack', DROP);
    assert.deepEqual(make({ scope: { domain: { id: 'default' } }, user: { id: 'u1' } }), { kind: 'skipped' });
    assert.deepEqual(make({ scope: { project: { id: 't1' } }, group: { id: 'g1' } }), { kind: 'skipped' });
  });
});
