// SPEC §4.4 keeps every notification's raw payload (until `prune`), so that lifecycles can be read
// again after a fix; SPEC §5 keeps private fields out of the database unless the source says
// `private_fields: keep`. Both hold: under `drop` the payload is stored without its private fields,
// under `hash` with a keyed hash in their place, under `keep` as received.
import { keyedHash, type Privacy } from '../../types/normalise.ts';
import { isObject } from '../../types/type.ts';

/**
 * Names, descriptions, addresses, key names and free-text metadata as Nova (legacy and versioned),
 * Cinder and Panko's traits name them. A denial list, not an allowance, because the raw payload is
 * what a later reader needs: a field Nova adds tomorrow is kept unless it is one of these.
 */
const PRIVATE = new Set([
  'display_name',
  'display_description',
  'description',
  'hostname',
  'host_name',
  'key_name',
  'keypairs',
  'metadata',
  'image_meta',
  'glance_metadata',
  'tags',
  'locked_reason',
  'user_data',
  'ip_addresses',
  'fixed_ips',
  'floating_ips',
  'access_ip_v4',
  'access_ip_v6',
  'email',
]);

/**
 * A trait called `name` is a resource's own name (an image's, a snapshot's); inside payloads `name`
 * is also a flavor's or a volume type's, which reports show, so it is hidden in traits only.
 */
const PRIVATE_TRAITS = new Set([...PRIVATE, 'name']);

/** Panko's `openstack event list -f json` traits: names and values as newline-joined text. */
const TRAIT_NAMES = 'traits:name';
const TRAIT_VALUES = 'traits:value';

/**
 * The payload as stored under the source's privacy, as JSON text. It hides private values in the
 * payload itself (set to undefined, which JSON leaves out: no copy of each message is made), so the
 * payload must not be read after: the feed calls it last, once the facts are taken.
 */
export function storedPayload(privacy: Privacy): (payload: unknown, json?: string) => string {
  if (privacy.mode === 'keep') return (payload, json) => json ?? JSON.stringify(payload);
  const hashKey = privacy.mode === 'hash' ? privacy.hashKey : undefined;
  if (privacy.mode === 'hash' && !hashKey) throw new Error('private_fields: hash needs a key');
  // Under drop a private value is left out (an object's key goes; a trait keeps its name, with null).
  const hidden = (value: unknown): unknown =>
    hashKey === undefined || value === null || value === undefined || value === '' ? undefined : keyedHash(typeof value === 'string' ? value : JSON.stringify(value), hashKey);
  const traitValue = (value: unknown): unknown => hidden(value) ?? null;
  return (payload) => {
    hide(payload, hidden, traitValue);
    return JSON.stringify(payload);
  };
}

function hide(value: unknown, hidden: (value: unknown) => unknown, traitValue: (value: unknown) => unknown): void {
  if (Array.isArray(value)) {
    // Panko's serialised traits: [name, dtype, value].
    if (value.length === 3 && typeof value[0] === 'string' && PRIVATE_TRAITS.has(value[0])) value[2] = traitValue(value[2]);
    else for (const item of value) if (typeof item === 'object' && item !== null) hide(item, hidden, traitValue);
    return;
  }
  if (!isObject(value)) return;
  // Panko's API traits: {name, type, value}.
  if (typeof value.name === 'string' && 'value' in value && PRIVATE_TRAITS.has(value.name)) {
    value.value = traitValue(value.value);
    return;
  }
  if (typeof value[TRAIT_NAMES] === 'string' && typeof value[TRAIT_VALUES] === 'string') {
    value[TRAIT_VALUES] = traitColumns(value[TRAIT_NAMES], value[TRAIT_VALUES], traitValue);
    return;
  }
  for (const key in value) {
    const item = value[key];
    if (PRIVATE.has(key)) value[key] = hidden(item);
    else if (typeof item === 'object' && item !== null) hide(item, hidden, traitValue);
  }
}

function traitColumns(namesText: string, valuesText: string, traitValue: (value: unknown) => unknown): string | null {
  const names = namesText.split('\n');
  const values = valuesText.split('\n');
  // Values that do not line up with the names cannot be told apart: none is kept.
  if (names.length !== values.length) return null;
  return values.map((v, i) => (PRIVATE_TRAITS.has(names[i]!) ? String(traitValue(v) ?? '') : v)).join('\n');
}
