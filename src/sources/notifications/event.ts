// SPEC §4.4: one OpenStack notification, read and normalised to what the lifecycle fold needs. Legacy
// (`compute.instance.*`) and versioned (`instance.*`) Nova events, Cinder `volume.*` events and Panko
// events all come out in this one shape, so the fold knows nothing of where a field sat.

/** What happened, in one vocabulary: Nova's versioned names without the `instance.` prefix (legacy names mapped onto them), Cinder's without `volume.`. */
export type Action = string;

export interface AuditPeriod {
  /** Epoch ms. */
  readonly beginning: number;
  readonly ending: number;
}

export interface InstanceFacts {
  readonly tenantId?: string;
  readonly userId?: string;
  readonly flavorId?: string;
  readonly flavorName?: string;
  readonly vcpus?: number;
  readonly ramMb?: number;
  /** The flavor's root disk (GB). */
  readonly diskGb?: number;
  /** Nova's vm_state (`active`, `stopped`, `shelved_offloaded`...), lower case. */
  readonly state?: string;
  /** Epoch ms; absent when the payload gives none (null or `""`). */
  readonly createdAt?: number;
  readonly launchedAt?: number;
  readonly terminatedAt?: number;
  readonly deletedAt?: number;
  readonly auditPeriod?: AuditPeriod;
}

export interface VolumeFacts {
  readonly tenantId?: string;
  readonly userId?: string;
  readonly sizeGb?: number;
  /** Cinder sends the type's id; `volume_type.create` events name it. */
  readonly volumeTypeId?: string;
  readonly status?: string;
  readonly createdAt?: number;
  readonly launchedAt?: number;
  readonly attachedTo?: readonly string[];
  readonly auditPeriod?: AuditPeriod;
}

export interface VolumeTypeFacts {
  readonly name?: string;
}

interface Common {
  /** oslo's `message_id` (a Panko event's too); absent in some captures. */
  readonly messageId?: string;
  /** As sent: `compute.instance.create.end`, `instance.create.end`, `volume.retype`... */
  readonly eventType: string;
  readonly action: Action;
  /** The message's `timestamp` (a Panko event's `generated`), epoch ms UTC: zone-less times are UTC. */
  readonly at: number;
  /** The instance, volume or volume type the event is about. */
  readonly resourceId: string;
  /** SHA-1 of the payload as the producer wrote it (hash.ts): a re-emitted event has the same. */
  readonly payloadHash: string;
}

export type NotificationEvent =
  | (Common & { readonly resource: 'vm'; readonly facts: InstanceFacts })
  | (Common & { readonly resource: 'volume'; readonly facts: VolumeFacts })
  | (Common & { readonly resource: 'volume_type'; readonly facts: VolumeTypeFacts });

/**
 * One message read: an event, a message of a type the fold does not use (stored, counted), or a refusal (quarantined).
 * `payload` is the payload as parsed: stored without private fields unless the source keeps them (private.ts);
 * `payloadText` its JSON, when it was made already (to hash it).
 */
export type ParsedMessage =
  | { readonly kind: 'event'; readonly event: NotificationEvent; readonly payload: unknown; readonly payloadText?: string }
  | { readonly kind: 'unused'; readonly eventType: string; readonly messageId?: string; readonly at: number; readonly payload: unknown }
  | { readonly kind: 'reject'; readonly field?: string; readonly reason: string };
