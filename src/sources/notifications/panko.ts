// Panko / Ceilometer events (SPEC §4.1.5): their traits, in every form they are saved in, as one
// flat payload under the names Nova's and Cinder's readers know (ceilometer's event_definitions.yaml).
import { RecordError, describe } from '../../errors.ts';
import { isObject, type RawObject } from '../../types/type.ts';

export type Resource = 'vm' | 'volume' | 'volume_type';

const COLUMNS = ['traits:name', 'traits:value', 'traits:type'] as const;

/** An event as Panko's API or `openstack event list/show -f json` give it: `generated` and traits. */
export function isPankoEvent(message: RawObject): boolean {
  return 'generated' in message && ('traits' in message || COLUMNS[0] in message);
}

export interface Traits {
  /** Trait name -> value as given (Panko's API gives every value as text). */
  readonly values: RawObject;
  /** The traits as received, for storage. */
  readonly received: unknown;
}

/**
 * The forms: Panko's API `traits: [{name, type, value}]`; its storage model serialised (what
 * Ceilometer publishes) `[[name, dtype, value]]`; `openstack event show -f json`, whose traits are
 * JSON text; and `openstack event list -f json`, three newline-joined columns `traits:name`,
 * `traits:value`, `traits:type`.
 */
export function readTraits(event: RawObject): Traits {
  if (!('traits' in event)) return columns(event);
  let list = event.traits;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list) as unknown;
    } catch {
      throw new RecordError('traits', `expected a list of traits, found text that is not JSON: ${describe(list)}`);
    }
  }
  if (!Array.isArray(list)) throw new RecordError('traits', `expected a list of traits, found ${describe(list)}`);
  const values: RawObject = {};
  list.forEach((trait: unknown, i) => {
    if (Array.isArray(trait) && typeof trait[0] === 'string') values[trait[0]] = trait[2];
    else if (isObject(trait) && typeof trait.name === 'string') values[trait.name] = trait.value;
    else throw new RecordError(`traits[${i}]`, `expected {name, type, value} or [name, type, value], found ${describe(trait)}`);
  });
  return { values, received: list };
}

function columns(event: RawObject): Traits {
  const [names, values] = COLUMNS.slice(0, 2).map((column) => {
    const cell = event[column];
    if (typeof cell !== 'string') throw new RecordError(column, `expected the trait column as text, found ${describe(cell)}`);
    return cell === '' ? [] : cell.split('\n');
  }) as [string[], string[]];
  if (names.length !== values.length) {
    // A value holding a line break cannot be told from the next one.
    throw new RecordError(COLUMNS[1], `expected one value per trait name (${names.length}), found ${values.length}`);
  }
  const out: RawObject = {};
  names.forEach((name, i) => (out[name] = values[i]));
  const received: RawObject = {};
  for (const column of COLUMNS) if (column in event) received[column] = event[column];
  return { values: out, received };
}

/** The traits under the payload names the readers use (ceilometer's trait names in brackets). */
export function traitsPayload(resource: Resource, t: RawObject): RawObject {
  switch (resource) {
    case 'vm':
      return { ...t, instance_id: t.instance_id ?? t.resource_id, tenant_id: t.tenant_id ?? t.project_id };
    case 'volume':
      return {
        ...t,
        volume_id: t.volume_id ?? t.resource_id,
        tenant_id: t.tenant_id ?? t.project_id,
        volume_type: t.volume_type ?? t.type,
        // Ceilometer keeps the first attachment's server only, as `instance_id`.
        volume_attachment: t.instance_id === undefined ? undefined : [{ instance_uuid: t.instance_id }],
      };
    case 'volume_type':
      return { volume_types: { id: t.volume_type_id ?? t.resource_id ?? t.id, name: t.name } };
  }
}
