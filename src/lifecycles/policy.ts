// SPEC §8.3: which states of an instance are billed. The policy is the config's
// `usage.billable_states`; by default every state but shelved_offloaded, deleted, soft_deleted,
// error and building. shelved_offloaded is never billed: its instance holds no hypervisor resources.
import type { Row } from '../types/fields.ts';

/** Nova's vm_state values (OS-EXT-STS:vm_state). */
export const VM_STATES = [
  'active',
  'building',
  'paused',
  'suspended',
  'stopped',
  'rescued',
  'resized',
  'soft_deleted',
  'deleted',
  'error',
  'shelved',
  'shelved_offloaded',
] as const;

export const NEVER_BILLED = 'shelved_offloaded';

const UNBILLED_BY_DEFAULT = new Set(['shelved_offloaded', 'deleted', 'soft_deleted', 'error', 'building']);

export const DEFAULT_BILLABLE_STATES: readonly string[] = VM_STATES.filter((state) => !UNBILLED_BY_DEFAULT.has(state));

/** What a period of an instance or a volume is: `billable`, or the name of its state. */
export type StateClass = string;

export class BillingPolicy {
  private readonly billable: ReadonlySet<string>;

  /** `states`: the config's list; undefined for the default (every state but the five above). */
  constructor(private readonly states?: readonly string[]) {
    this.billable = new Set((states ?? DEFAULT_BILLABLE_STATES).filter((state) => state !== NEVER_BILLED));
  }

  /**
   * An instance's state class. Its vm_state, else one read from its API status; a state this
   * version does not know (`unknown`) is billed under the default policy, which bills every state
   * but five, and not under a list that does not name it.
   */
  vmClass(record: Row): StateClass {
    const state = vmState(record);
    if (this.billable.has(state)) return 'billable';
    if (this.states === undefined && !UNBILLED_BY_DEFAULT.has(state)) return 'billable';
    return state;
  }

  /** A volume is billed in every status but `error` (its creation failed: it holds no storage). */
  volumeClass(record: Row): StateClass {
    const status = typeof record.status === 'string' ? record.status.toLowerCase() : 'unknown';
    return status === 'error' ? 'error' : 'billable';
  }
}

/** Nova statuses (the API's `status`) and the vm_state each stands for. */
const STATUS_STATES: Readonly<Record<string, string>> = {
  ACTIVE: 'active',
  BUILD: 'building',
  PAUSED: 'paused',
  SUSPENDED: 'suspended',
  SHUTOFF: 'stopped',
  RESCUE: 'rescued',
  VERIFY_RESIZE: 'resized',
  REVERT_RESIZE: 'resized',
  RESIZE: 'active',
  MIGRATING: 'active',
  REBOOT: 'active',
  HARD_REBOOT: 'active',
  REBUILD: 'active',
  PASSWORD: 'active',
  SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved_offloaded',
  SOFT_DELETED: 'soft_deleted',
  DELETED: 'deleted',
  ERROR: 'error',
};

function vmState(record: Row): string {
  if (typeof record.vm_state === 'string' && record.vm_state !== '') return record.vm_state.toLowerCase();
  if (typeof record.status === 'string') return STATUS_STATES[record.status.toUpperCase()] ?? 'unknown';
  return 'unknown';
}
