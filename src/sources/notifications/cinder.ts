// Cinder notifications (SPEC §4.4): `volume.*` legacy usage payloads as VolumeFacts, and
// `volume_type.*`, which name the types that volume payloads give only by id.
import { RecordError, describe } from '../../errors.ts';
import { isObject, type RawObject } from '../../types/type.ts';
import type { VolumeFacts, VolumeTypeFacts } from './event.ts';
import { auditPeriod, count, defined, id, instant, lower, text, type Reading } from './values.ts';

const VOLUME = 'volume.';
const VOLUME_TYPE = 'volume_type.';

export function isVolumeEvent(eventType: string): boolean {
  return eventType.startsWith(VOLUME);
}

/** `volume_type.create`, `.update`, `.delete` (not `volume_type_extra_specs.*`, `volume_type_project.*`). */
export function isVolumeTypeEvent(eventType: string): boolean {
  return eventType.startsWith(VOLUME_TYPE);
}

/**
 * Cinder's `_usage_from_volume`: `volume_type` is the type's id; times are `isoformat()` (with or
 * without `+00:00`) or `str()` of UTC datetimes, `""` for none in old releases.
 */
export function readVolume(eventType: string, p: RawObject): Reading<VolumeFacts> {
  return {
    action: eventType.slice(VOLUME.length),
    resourceId: id('volume_id', p.volume_id, 'volume id'),
    facts: defined<VolumeFacts>({
      tenantId: text('tenant_id', p.tenant_id),
      userId: text('user_id', p.user_id),
      sizeGb: count('size', p.size),
      volumeTypeId: text('volume_type', p.volume_type),
      status: lower('status', p.status),
      createdAt: instant('created_at', p.created_at),
      launchedAt: instant('launched_at', p.launched_at),
      attachedTo: attachedTo(p),
      auditPeriod: auditPeriod('', p),
    }),
  };
}

/**
 * The instances a volume is attached to: `volume_attachment[].instance_uuid` (an empty list: attached
 * to none); Icehouse payloads name one `instance_uuid` at the top instead. Absent: not said.
 */
function attachedTo(p: RawObject): string[] | undefined {
  const list = p.volume_attachment;
  if (list === undefined || list === null) {
    const one = text('instance_uuid', p.instance_uuid);
    return one === undefined ? undefined : [one];
  }
  if (!Array.isArray(list)) throw new RecordError('volume_attachment', `expected a list of attachments, found ${describe(list)}`);
  const ids = new Set<string>();
  list.forEach((attachment: unknown, i) => {
    const field = `volume_attachment[${i}]`;
    if (!isObject(attachment)) throw new RecordError(field, `expected an attachment, found ${describe(attachment)}`);
    // Ceilometer's event definitions read `server_id`; Cinder's attachment rows call it instance_uuid.
    const server = text(`${field}.instance_uuid`, attachment.instance_uuid ?? attachment.server_id);
    if (server !== undefined) ids.add(server);
  });
  return [...ids];
}

/**
 * `payload.volume_types{id, name}`. A failed type request is also sent under the type's event name,
 * with `volume_types` null and an `error_message`: that is no type, so undefined (the message is unused).
 */
export function readVolumeType(eventType: string, p: RawObject): Reading<VolumeTypeFacts> | undefined {
  const type = p.volume_types;
  if (!isObject(type)) {
    if (p.error_message !== undefined && (type === undefined || type === null)) return undefined;
    throw new RecordError('volume_types', `expected the volume type, found ${describe(type)}`);
  }
  return {
    action: eventType.slice(VOLUME_TYPE.length),
    resourceId: id('volume_types.id', type.id, 'volume type id'),
    facts: defined<VolumeTypeFacts>({ name: text('volume_types.name', type.name) }),
  };
}
