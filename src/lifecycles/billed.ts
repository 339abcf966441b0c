// When two periods bill the same (SPEC §8.4: adjacent periods that bill the same are one).
import type { VmBilled, VolumeBilled } from './period.ts';

export function sameVm(a: VmBilled, b: VmBilled): boolean {
  return (
    a.tenantId === b.tenantId &&
    a.flavorId === b.flavorId &&
    a.flavorName === b.flavorName &&
    a.vcpus === b.vcpus &&
    a.ramMb === b.ramMb &&
    a.diskGb === b.diskGb &&
    a.stateClass === b.stateClass
  );
}

export function sameVolume(a: VolumeBilled, b: VolumeBilled): boolean {
  return a.tenantId === b.tenantId && a.sizeGb === b.sizeGb && a.volumeType === b.volumeType && a.stateClass === b.stateClass;
}

/**
 * Whether an event period and a snapshot period bill the same quantities: sizes, class and tenant, not
 * names or ids (a flavor's id or a volume type's may be spelled differently by the two sides).
 */
export function agreeVm(a: VmBilled, b: VmBilled): boolean {
  return a.tenantId === b.tenantId && a.vcpus === b.vcpus && a.ramMb === b.ramMb && a.diskGb === b.diskGb && a.stateClass === b.stateClass;
}

export function agreeVolume(a: VolumeBilled, b: VolumeBilled): boolean {
  return a.tenantId === b.tenantId && a.sizeGb === b.sizeGb && a.stateClass === b.stateClass;
}
