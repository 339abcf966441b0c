// OpenStack notifications as tests write them: in the shapes of Nova's doc/notification_samples
// (versioned, in oslo's messagingv2 wire envelope) and of Cinder's legacy payloads (SPEC §4.1.5).

export const SMALL = { flavorid: 'f-small', name: 'm1.small', vcpus: 2, memory_mb: 4096, root_gb: 20, ephemeral_gb: 0, swap: 0 };
export const MEDIUM = { flavorid: 'f-medium', name: 'm1.medium', vcpus: 4, memory_mb: 8192, root_gb: 40, ephemeral_gb: 0, swap: 0 };
export const LARGE = { flavorid: 'f-large', name: 'm1.large', vcpus: 8, memory_mb: 16384, root_gb: 80, ephemeral_gb: 0, swap: 0 };

let ids = 0;

/** oslo's zone-less UTC timestamp, as on the wire. */
export const oslo = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}.000000`;

/** A versioned Nova notification in its messagingv2 wire envelope; `data` overrides the instance's fields (`flavor`: the flavor's). */
export function nova(event: string, at: string, uuid: string, data: Record<string, unknown> = {}, messageId = `m-${++ids}`): string {
  const { flavor = SMALL, ...rest } = data;
  const payload = {
    'nova_object.name': 'InstanceActionPayload',
    'nova_object.namespace': 'nova',
    'nova_object.version': '1.8',
    'nova_object.data': {
      uuid,
      tenant_id: 't1',
      user_id: 'u1',
      state: 'active',
      power_state: 'running',
      task_state: null,
      created_at: '2026-11-02T08:55:00Z',
      launched_at: '2026-11-02T09:00:00Z',
      terminated_at: null,
      deleted_at: null,
      host: 'cn-1',
      flavor: { 'nova_object.name': 'FlavorPayload', 'nova_object.namespace': 'nova', 'nova_object.version': '1.4', 'nova_object.data': flavor },
      ...rest,
    },
  };
  const message = { message_id: messageId, publisher_id: 'nova-compute:cn-1', event_type: `instance.${event}`, priority: 'INFO', payload, timestamp: oslo(at) };
  return JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) });
}

/** A bare Cinder notification (legacy payload: the volume's fields at the top level). */
export function cinder(event: string, at: string, volumeId: string, payload: Record<string, unknown> = {}): string {
  const fields = { volume_id: volumeId, tenant_id: 't1', user_id: 'u1', size: 10, volume_type: 'type-std', status: 'available', created_at: '2026-11-02 08:59:00', launched_at: '2026-11-02 09:00:00', ...payload };
  return JSON.stringify({ message_id: `c-${++ids}`, publisher_id: 'volume.ctl-1', event_type: `volume.${event}`, priority: 'INFO', payload: fields, timestamp: oslo(at) });
}

/** A polled instance as a canonical dump has it, agreeing with `nova()`'s defaults (m1.small, tenant t1). */
export function server(id: string, launched = '2026-01-01T00:00:00Z', over: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, status: 'ACTIVE', vm_state: 'active', tenant_id: 't1', flavor_id: 'f-small', vcpus: 2, ram_mb: 4096, disk_gb: 20, launched_at: launched, ...over };
}
