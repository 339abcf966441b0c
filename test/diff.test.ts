// The diff on its own: every rule of SPEC §6, with no database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hash } from 'node:crypto';
import { diff, fieldChanges, isMassRemoval } from '../src/diff.ts';
import { KeyHashes } from '../src/key-hashes.ts';

const state = (entries: Record<string, string>): KeyHashes => {
  const hashes = new KeyHashes();
  for (const [key, value] of Object.entries(entries)) hashes.set(key, value);
  return hashes;
};

const snapshot = (records: Record<string, string>, options: { complete?: boolean; partial?: string[] } = {}) => ({
  records: { hashes: state(records) },
  partial: new Set(options.partial ?? []),
  complete: options.complete ?? true,
});

describe('diff of a state type', () => {
  it('sorts keys into added, modified, removed and unchanged', () => {
    const changes = diff('state', state({ a: '1', b: '2', c: '3' }), snapshot({ a: '1', b: '2x', d: '4' }));
    assert.deepEqual(changes.added, ['d']);
    assert.deepEqual(changes.modified, ['b']);
    assert.deepEqual(changes.removed, ['c']);
    assert.equal(changes.unchanged, 1);
    assert.equal(changes.massRemoval, false);
  });

  it('compares real record hashes (SHA-1, base64) as the store gives them back', () => {
    const sha1 = (json: string) => hash('sha1', json, 'base64');
    const stored = state({ a: sha1('{"status":"ACTIVE"}'), b: sha1('{"status":"SHUTOFF"}'), c: 'an older hash, as written' });
    const changes = diff('state', stored, snapshot({ a: sha1('{"status":"ACTIVE"}'), b: sha1('{"status":"ACTIVE"}'), c: 'an older hash, as written' }));
    assert.deepEqual([changes.added, changes.modified, changes.removed, changes.unchanged], [[], ['b'], [], 2]);
    assert.equal(stored.hash('a'), sha1('{"status":"ACTIVE"}'), 'a hash reads back exactly as stored');
    assert.equal(stored.hash('c'), 'an older hash, as written');
  });

  it('writes nothing for a snapshot identical to the current state', () => {
    const changes = diff('state', state({ a: '1', b: '2' }), snapshot({ b: '2', a: '1' }));
    assert.deepEqual([changes.added, changes.modified, changes.removed], [[], [], []]);
    assert.equal(changes.unchanged, 2);
  });

  it('never removes on an incomplete snapshot, but still adds and modifies', () => {
    const changes = diff('state', state({ a: '1', b: '2' }), snapshot({ a: '1x', c: '3' }, { complete: false }));
    assert.deepEqual(changes.removed, []);
    assert.deepEqual(changes.added, ['c']);
    assert.deepEqual(changes.modified, ['a']);
  });

  it('treats partial records as seen: never modified, never removed, never added', () => {
    const changes = diff('state', state({ a: '1', b: '2' }), snapshot({ b: '2' }, { partial: ['a', 'z'] }));
    assert.deepEqual(changes.removed, []);
    assert.deepEqual(changes.modified, []);
    assert.deepEqual(changes.added, []);
    assert.equal(changes.unchanged, 2);
    assert.equal(changes.partialSkipped, 1);
  });

  it('flags a complete snapshot that empties a cloud (the unreachable-API case)', () => {
    const current = state(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`vm${i}`, 'h'])));
    const changes = diff('state', current, snapshot({}));
    assert.equal(changes.removed.length, 50);
    assert.equal(changes.massRemoval, true);
  });
});

describe('a snapshot of part of its series (one host of several)', () => {
  const hostOf = (key: string) => key.split('/')[0];
  const view = (records: Record<string, string>, host: string) => ({ ...snapshot(records), inScope: (key: string) => hostOf(key) === host });

  it('removes only inside its scope', () => {
    const current = state({ 'a/1': 'x', 'a/2': 'x', 'b/1': 'x', 'b/2': 'x' });
    const changes = diff('state', current, view({ 'a/1': 'x' }, 'a'));
    assert.deepEqual(changes.removed, ['a/2']);
    assert.equal(changes.unchanged, 1);
  });

  it('guards against mass removal within the scope, not the whole series', () => {
    const current = state(Object.fromEntries([...Array(12).keys()].flatMap((i) => [[`a/${i}`, 'x'], [`b/${i}`, 'x']])));
    // Host a suddenly reports nothing: all 12 of its 12 would go, though that is half of the 24.
    const changes = diff('state', current, view({}, 'a'));
    assert.equal(changes.massRemoval, true);
    assert.equal(changes.present, 12, 'measured against the host\'s 12, which the refusal names');
  });
});

describe('the mass-removal guard', () => {
  it('needs more than half and more than ten', () => {
    assert.equal(isMassRemoval(20, 11), true);
    assert.equal(isMassRemoval(22, 11), false, 'exactly half is allowed');
    assert.equal(isMassRemoval(12, 10), false, 'ten is allowed even if most');
    assert.equal(isMassRemoval(11, 11), true);
    assert.equal(isMassRemoval(1000, 400), false);
  });
});

describe('diff of a ledger type', () => {
  it('inserts new keys, counts identical re-deliveries as duplicates, updates changed ones, removes nothing', () => {
    const changes = diff('ledger', state({ j1: 'a', j2: 'b', j3: 'c' }), snapshot({ j1: 'a', j2: 'b2', j4: 'd' }));
    assert.deepEqual(changes.added, ['j4']);
    assert.deepEqual(changes.modified, ['j2']);
    assert.deepEqual(changes.removed, []);
    assert.equal(changes.duplicates, 1);
    assert.equal(changes.unchanged, 0);
  });
});

describe('field changes of a modified record', () => {
  it('keeps old and new values of changed, appeared and disappeared fields', () => {
    const changes = fieldChanges(
      { status: 'ACTIVE', vcpus: 2, image_id: 'img' },
      { status: 'SHUTOFF', vcpus: 2, availability_zone: 'sa-1' },
    );
    assert.deepEqual(changes, {
      status: { old: 'ACTIVE', new: 'SHUTOFF' },
      image_id: { old: 'img', new: null },
      availability_zone: { old: null, new: 'sa-1' },
    });
  });

  it('compares lists by value, not identity', () => {
    assert.deepEqual(fieldChanges({ attached_to: ['a', 'b'] }, { attached_to: ['a', 'b'] }), {});
    assert.deepEqual(fieldChanges({ attached_to: ['a'] }, { attached_to: ['a', 'b'] }), {
      attached_to: { old: ['a'], new: ['a', 'b'] },
    });
  });
});
