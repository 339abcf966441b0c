// Nova instance notifications (SPEC §4.4) as InstanceFacts: legacy `compute.instance.*` payloads
// (flat) and versioned `instance.*` ones (`nova_object.data`), their names mapped to one vocabulary.
import { RecordError, describe } from '../../errors.ts';
import { isObject, type RawObject } from '../../types/type.ts';
import type { InstanceFacts } from './event.ts';
import { auditPeriod, count, defined, id, instant, lower, text, type Reading } from './values.ts';

const LEGACY = 'compute.instance.';
const VERSIONED = 'instance.';
const DATA = 'nova_object.data';

/**
 * Legacy names whose versioned name differs, as prefixes so `.start` maps as `.end` does. Every
 * other name is the same in both (`create.end`, `power_off.end`, `shelve_offload.end`, `exists`...).
 */
const RENAMED: readonly (readonly [legacy: string, versioned: string])[] = [
  ['finish_resize.', 'resize_finish.'],
  ['resize.confirm.', 'resize_confirm.'],
  ['resize.revert.', 'resize_revert.'],
];
/** Nova before Kilo sent a bare `compute.instance.suspend` / `resume` once it was done. */
const DONE: Readonly<Record<string, string>> = { suspend: 'suspend.end', resume: 'resume.end' };

export function isInstanceEvent(eventType: string): boolean {
  return eventType.startsWith(LEGACY) || eventType.startsWith(VERSIONED);
}

/** `compute.instance.finish_resize.end` and `instance.resize_finish.end` are both `resize_finish.end`. */
export function instanceAction(eventType: string): string {
  if (!eventType.startsWith(LEGACY)) return eventType.slice(VERSIONED.length);
  const name = eventType.slice(LEGACY.length);
  for (const [legacy, versioned] of RENAMED) if (name.startsWith(legacy)) return versioned + name.slice(legacy.length);
  return DONE[name] ?? name;
}

/**
 * One instance payload. Its form is told by the payload (`nova_object.data` or not), not by the
 * event's name, so Panko traits (flat, whatever the event) read as a legacy payload.
 */
export function readInstance(eventType: string, payload: RawObject): Reading<InstanceFacts> {
  const action = instanceAction(eventType);
  if (!(DATA in payload)) return legacy(action, payload);
  const data = payload[DATA];
  if (!isObject(data)) throw new RecordError(DATA, `expected the instance's fields, found ${describe(data)}`);
  return versioned(action, data);
}

type Read = Reading<InstanceFacts>;

/** Nova's `info_from_instance`: times as `str()` or `strtime` of UTC datetimes, `""` for none. */
function legacy(action: string, p: RawObject): Read {
  const resourceId = id('instance_id', p.instance_id, 'instance id');
  const facts = defined<InstanceFacts>({
    tenantId: text('tenant_id', p.tenant_id),
    userId: text('user_id', p.user_id),
    // instance_type_id is Nova's internal row id, not the API's flavor id: only for payloads (and
    // Panko's default traits) without instance_flavor_id.
    flavorId: text('instance_flavor_id', p.instance_flavor_id) ?? text('instance_type_id', p.instance_type_id),
    flavorName: text('instance_type', p.instance_type),
    vcpus: count('vcpus', p.vcpus),
    ramMb: count('memory_mb', p.memory_mb),
    // The flavor's root disk, as the vm type's disk_gb; disk_gb is root + ephemeral, read only
    // when root_gb is missing.
    diskGb: count('root_gb', p.root_gb) ?? count('disk_gb', p.disk_gb),
    state: lower('state', p.state),
    createdAt: instant('created_at', p.created_at),
    launchedAt: instant('launched_at', p.launched_at),
    terminatedAt: instant('terminated_at', p.terminated_at),
    deletedAt: instant('deleted_at', p.deleted_at),
    auditPeriod: auditPeriod('', p),
  });
  return { action, resourceId, facts };
}

/** InstancePayload and its kin; the flavor is a FlavorPayload, the audit period an AuditPeriodPayload. */
function versioned(action: string, d: RawObject): Read {
  const at = `${DATA}.`;
  const resourceId = id(`${at}uuid`, d.uuid, 'instance uuid');
  const flavor = nested(`${at}flavor`, d.flavor);
  const f = `${at}flavor.${DATA}.`;
  const audit = nested(`${at}audit_period`, d.audit_period);
  const facts = defined<InstanceFacts>({
    tenantId: text(`${at}tenant_id`, d.tenant_id),
    userId: text(`${at}user_id`, d.user_id),
    flavorId: text(`${f}flavorid`, flavor.flavorid),
    flavorName: text(`${f}name`, flavor.name),
    vcpus: count(`${f}vcpus`, flavor.vcpus),
    ramMb: count(`${f}memory_mb`, flavor.memory_mb),
    // Root disk only, as for legacy payloads: ephemeral_gb is not the flavor's disk.
    diskGb: count(`${f}root_gb`, flavor.root_gb),
    state: lower(`${at}state`, d.state),
    createdAt: instant(`${at}created_at`, d.created_at),
    launchedAt: instant(`${at}launched_at`, d.launched_at),
    terminatedAt: instant(`${at}terminated_at`, d.terminated_at),
    deletedAt: instant(`${at}deleted_at`, d.deleted_at),
    auditPeriod: auditPeriod(`${at}audit_period.${DATA}.`, audit),
  });
  return { action, resourceId, facts };
}

/** The fields of a nested versioned object (`{"nova_object.data": {...}}`); none when it is absent. */
function nested(field: string, value: unknown): RawObject {
  if (value === undefined || value === null) return {};
  const data = isObject(value) ? value[DATA] : undefined;
  if (!isObject(data)) throw new RecordError(field, `expected a versioned object with ${DATA}, found ${describe(value)}`);
  return data;
}
