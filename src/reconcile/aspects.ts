// SPEC §8.5: what is compared of a resource both sides know, and how each side's value reads. Only
// what is billed: sizes, not flavor ids (the two sides may spell a flavor differently); state
// classes, not Nova's task states; a volume type only where the events could name it.
import type { VmBilled, VolumeBilled } from '../lifecycles/period.ts';
import type { Kind } from './disagreement.ts';

export interface Aspect<B> {
  readonly kind: Kind;
  /** The value as each side gives it; undefined when that side does not say (nothing is compared). */
  events(billed: B): string | undefined;
  snapshot(billed: B): string | undefined;
}

const sizes = (b: VmBilled) => (b.vcpus === undefined ? undefined : `vcpus=${b.vcpus} ram_mb=${b.ramMb ?? ''} disk_gb=${b.diskGb ?? ''}`);

export const VM_ASPECTS: readonly Aspect<VmBilled>[] = [
  { kind: 'flavor_drift', events: sizes, snapshot: sizes },
  { kind: 'tenant_drift', events: (b) => b.tenantId, snapshot: (b) => b.tenantId },
  { kind: 'state_drift', events: (b) => b.stateClass, snapshot: (b) => b.stateClass },
];

/** `typeNames`: the volume type names the source's events declared; another value is a type id they could not name. */
export function volumeAspects(typeNames: ReadonlySet<string>): readonly Aspect<VolumeBilled>[] {
  return [
    { kind: 'size_drift', events: (b) => b.sizeGb?.toString(), snapshot: (b) => b.sizeGb?.toString() },
    { kind: 'type_drift', events: (b) => (b.volumeType !== undefined && typeNames.has(b.volumeType) ? b.volumeType : undefined), snapshot: (b) => b.volumeType },
    { kind: 'tenant_drift', events: (b) => b.tenantId, snapshot: (b) => b.tenantId },
    { kind: 'state_drift', events: (b) => b.stateClass, snapshot: (b) => b.stateClass },
  ];
}
