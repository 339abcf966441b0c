// SPEC §5 applied to the notification payloads kept by SPEC §4.4: every form a private value comes in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storedPayload } from '../src/sources/notifications/private.ts';

const drop = storedPayload({ mode: 'drop' });
const hash = storedPayload({ mode: 'hash', hashKey: 'k' });

describe('stored notification payloads', () => {
  it('leave out a legacy payload’s names and addresses at any depth, and keep the rest', () => {
    const payload = {
      instance_id: 'i-1',
      display_name: 'genome-1',
      hostname: 'genome-1',
      fixed_ips: [{ address: '10.0.0.5', vif_mac: 'fa:16:3e:00:00:01' }],
      access_ip_v4: '192.0.2.7',
      image_meta: { description: 'lab image' },
      instance_type: 'm1.small',
      launched_at: '2026-11-02T09:00:00.000000',
      nested: { metadata: { owner: 'alice@example.org' }, state: 'active' },
    };
    assert.deepEqual(JSON.parse(drop(payload)), { instance_id: 'i-1', instance_type: 'm1.small', launched_at: '2026-11-02T09:00:00.000000', nested: { state: 'active' } });
  });

  it('keep a flavor’s and a volume type’s name, which reports show', () => {
    const payload = { 'nova_object.data': { flavor: { 'nova_object.data': { name: 'm1.small' } } }, volume_types: { id: 't', name: 'ssd' } };
    assert.deepEqual(JSON.parse(drop(payload)), payload);
  });

  it("hide a Panko trait's value by the trait's name, in the API's and the serialised form", () => {
    const api = [{ name: 'display_name', type: 'string', value: 'genome-1' }, { name: 'name', type: 'string', value: 'snap-1' }, { name: 'tenant_id', type: 'string', value: 't1' }];
    assert.deepEqual(JSON.parse(drop(api)), [{ name: 'display_name', type: 'string', value: null }, { name: 'name', type: 'string', value: null }, { name: 'tenant_id', type: 'string', value: 't1' }]);
    assert.deepEqual(JSON.parse(drop([['host_name', 1, 'genome-1'], ['vcpus', 2, 2]])), [['host_name', 1, null], ['vcpus', 2, 2]]);
  });

  it('hash the same value the same way wherever it is, objects included', () => {
    const one = JSON.parse(hash({ display_name: 'genome-1', ip_addresses: [{ address: '10.0.0.5' }], vcpus: 2 }));
    const two = JSON.parse(hash([{ name: 'display_name', type: 'string', value: 'genome-1' }]));
    assert.match(one.display_name, /^[0-9a-f]{32}$/);
    assert.match(one.ip_addresses, /^[0-9a-f]{32}$/);
    assert.equal(two[0].value, one.display_name);
    assert.equal(one.vcpus, 2);
  });
});
