// SPEC §8.5: what `reconcile` finds when a source's notifications and its polled snapshots tell two
// different stories of the same instances and volumes. Each disagreement is one row however long it
// lasts: `firstSeenAt` places it on a day, `hoursDelta` prices it over the export's range.

export const KINDS = [
  'missed_create',
  'missed_delete',
  'zombie',
  'flavor_drift',
  'tenant_drift',
  'state_drift',
  'size_drift',
  'type_drift',
  'missing_exists',
  'event_gap',
] as const;

export type Kind = (typeof KINDS)[number];

export interface Disagreement {
  readonly source: string;
  readonly resourceType: 'vm' | 'volume';
  /** The instance or volume; none for an `event_gap`, which is the source's. */
  readonly id?: string;
  readonly tenantId?: string;
  readonly kind: Kind;
  /** Epoch ms: the complete snapshot (an audit period's start, a gap's first day) where it was first seen. */
  readonly firstSeenAt: number;
  /** What each side says, as text an operator reads (`ended 2026-11-12T10:00:00Z`, `vcpus=2 ram_mb=4096 disk_gb=20`). */
  readonly eventsValue?: string;
  readonly snapshotValue?: string;
  /** The last complete snapshot that listed the resource, and the first after it that did not. */
  readonly lastSeenAt?: number;
  readonly firstAbsentAt?: number;
  /**
   * Hours as the snapshots bill them minus hours as the events bill them, within the range: instance
   * hours (vCPU hours for a flavor drift) or volume GB hours; for a tenant or type drift the hours
   * billed to the other tenant or type. Undefined where nothing is billed differently.
   */
  readonly hoursDelta?: number;
}
