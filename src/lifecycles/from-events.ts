// SPEC §4.4: lifecycles folded from stored notifications, by event time (never arrival order), one
// resource at a time. Derived on every read, so a fix to the fold re-derives every lifecycle.
// - A lifecycle starts at the first non-null launched_at (a volume's, else its created_at); a
//   resource never launched bills nothing. Rebuild, resize and unshelve reset Nova's launched_at but
//   start nothing new.
// - What is billed changes at the message's time: resize_finish switches the flavor (the instance
//   already runs the new one), revert switches back, confirm changes nothing; power, suspend, pause,
//   shelve change the state class; a volume's resize and retype its size and type.
// - It ends at terminated_at, else deleted_at, else the message's time (a volume's delete: its time).
// - `exists` opens nothing and changes nothing: it confirms continuity, for reconcile (SPEC §8.5).
// - Cinder's usage audit re-sends create and delete messages with the volume as it is now, a new time
//   and an audit period whose two ends are the real event's time: a create of a resource already
//   begun changes nothing, and a re-sent delete ends it at that real time.
import type { InstanceFacts, VolumeFacts } from '../sources/notifications/event.ts';
import type { EventRow, HistoryReads } from '../store/index.ts';
import { sameVm, sameVolume } from './billed.ts';
import type { Lifecycles, Period, VmBilled, VolumeBilled } from './period.ts';
import type { BillingPolicy } from './policy.ts';

/**
 * SPEC §4.4: the events lifecycles are folded from (legacy names mapped to versioned ones). Any other
 * (`create.start`, `create.error`, `update`, `rescue.end`...) is stored and counted, and opens and
 * changes nothing.
 */
const USED: Readonly<Record<'vm' | 'volume', ReadonlySet<string>>> = {
  vm: new Set([
    'create.end', 'delete.end', 'resize_finish.end', 'resize_confirm.end', 'resize_revert.end', 'rebuild.end', 'power_off.end', 'power_on.end',
    'suspend.end', 'resume.end', 'pause.end', 'unpause.end', 'shelve.end', 'shelve_offload.end', 'unshelve.end', 'exists',
  ]),
  volume: new Set(['create.end', 'delete.end', 'resize.end', 'retype', 'attach.end', 'detach.end', 'update.end', 'exists']),
};
/** Used events that never open a lifecycle nor change one: `exists` confirms continuity (for reconcile). */
const UNCHANGING = new Set(['exists']);
/** Events that may open a lifecycle, but change nothing of one already begun (a re-sent create). */
const OPENING = new Set(['create.end']);

interface Fold<F, B> {
  /** What the resource bills after this event, given what it billed before (facts a payload lacks stay as they were). */
  billed(facts: F, before: B | undefined): B;
  same(a: B, b: B): boolean;
  /** When its lifecycle starts, if this event says. */
  startOf(facts: F): number | undefined;
  /** When it ends, if this event ends it. */
  endOf(action: string, facts: F, at: number): number | undefined;
}

export async function eventLifecycles(
  reads: HistoryReads,
  policy: BillingPolicy,
  type: 'vm' | 'volume',
  source: string,
  until: number,
  fromMs: number,
  toMs: number,
): Promise<Lifecycles<VmBilled | VolumeBilled>> {
  const periods = new Map<string, Period<VmBilled | VolumeBilled>[]>();
  for await (const resource of resourceEvents(reads, policy, type, source)) {
    // A resource the events opened is theirs even with no period in the range (ended before it):
    // an empty list, so that snapshots still listing it (a zombie) bill nothing either, whatever
    // `--from` is. One only heard of (an `exists`, a never-launched create) is left to the snapshots.
    if (!resource.periods.length) continue;
    periods.set(resource.id, resource.periods.filter((p) => p.start < toMs && (p.end === undefined || p.end > fromMs)));
  }
  return { source, until, periods };
}

/** One resource's events (in event-time order) and the whole of its lifecycle folded from them. */
export interface ResourceEvents<B> {
  readonly id: string;
  readonly events: readonly EventRow[];
  readonly periods: readonly Period<B>[];
}

/** A source's resources of one type, one at a time, each with its events and its periods. */
export async function* resourceEvents(
  reads: HistoryReads,
  policy: BillingPolicy,
  type: 'vm' | 'volume',
  source: string,
  /** The source's volume type names (typeNames), when the caller has them already. */
  names?: ReadonlyMap<string, string>,
): AsyncGenerator<ResourceEvents<VmBilled | VolumeBilled>> {
  const fold = (type === 'vm' ? vmFold(policy) : volumeFold(policy, names ?? (await typeNames(reads, source)))) as Fold<unknown, VmBilled | VolumeBilled>;
  const used = USED[type];
  let id: string | undefined;
  let events: EventRow[] = [];
  for await (const chunk of reads.events(source, type)) {
    for (const event of chunk) {
      if (event.resourceId !== id) {
        if (id !== undefined) yield { id, events, periods: foldOne(id, events, fold, used) };
        id = event.resourceId;
        events = [];
      }
      events.push(event);
    }
  }
  if (id !== undefined) yield { id, events, periods: foldOne(id, events, fold, used) };
}

/** One resource's events, in event-time order, into its periods. */
function foldOne<B>(id: string, events: readonly EventRow[], fold: Fold<unknown, B>, used: ReadonlySet<string>): Period<B>[] {
  const periods: Period<B>[] = [];
  let current: { start: number; billed: B } | undefined;
  const close = (end: number) => {
    periods.push({ id, start: current!.start, end: Math.max(end, current!.start), startExact: true, endExact: true, billed: current!.billed, origin: 'events' });
  };
  for (const event of events) {
    if (!used.has(event.action)) continue;
    const facts = JSON.parse(event.facts) as unknown;
    if (!current) {
      const start = UNCHANGING.has(event.action) ? undefined : fold.startOf(facts);
      // Never launched (a delete with launched_at null): nothing to bill.
      if (start === undefined) continue;
      const end = fold.endOf(event.action, facts, event.at);
      current = { start, billed: fold.billed(facts, undefined) };
      if (end !== undefined) {
        close(end);
        return periods;
      }
      continue;
    }
    if (UNCHANGING.has(event.action) || OPENING.has(event.action)) continue;
    const end = fold.endOf(event.action, facts, event.at);
    if (end !== undefined) {
      close(end);
      return periods;
    }
    const billed = fold.billed(facts, current.billed);
    if (!fold.same(current.billed, billed)) {
      const at = Math.max(event.at, current.start);
      close(at);
      current = { start: at, billed };
    }
  }
  if (current) periods.push({ id, start: current.start, startExact: true, endExact: false, billed: current.billed, origin: 'events' });
  return periods;
}

function vmFold(policy: BillingPolicy): Fold<InstanceFacts, VmBilled> {
  return {
    billed: (f, before) => {
      const sized = f.vcpus !== undefined;
      return {
        tenantId: f.tenantId ?? before?.tenantId,
        flavorId: f.flavorId ?? before?.flavorId,
        flavorName: f.flavorName ?? before?.flavorName,
        vcpus: sized ? f.vcpus : before?.vcpus,
        ramMb: sized ? f.ramMb : before?.ramMb,
        diskGb: sized ? f.diskGb : before?.diskGb,
        stateClass: f.state === undefined ? (before?.stateClass ?? 'billable') : policy.vmClass({ vm_state: f.state }),
      };
    },
    same: sameVm,
    startOf: (f) => f.launchedAt,
    endOf: (action, f, at) => (action === 'delete.end' ? (f.terminatedAt ?? f.deletedAt ?? resent(f) ?? at) : undefined),
  };
}

function volumeFold(policy: BillingPolicy, names: ReadonlyMap<string, string>): Fold<VolumeFacts, VolumeBilled> {
  return {
    billed: (f, before) => ({
      tenantId: f.tenantId ?? before?.tenantId,
      sizeGb: f.sizeGb ?? before?.sizeGb,
      volumeType: f.volumeTypeId === undefined ? before?.volumeType : (names.get(f.volumeTypeId) ?? f.volumeTypeId),
      stateClass: f.status === undefined ? (before?.stateClass ?? 'billable') : policy.volumeClass({ status: f.status }),
    }),
    same: sameVolume,
    startOf: (f) => f.launchedAt ?? f.createdAt,
    // Cinder's delete carries no delete time: the message's (or, re-sent by the audit, the one it names).
    endOf: (action, f, at) => (action === 'delete.end' ? (resent(f) ?? at) : undefined),
  };
}

/** A message re-sent by Cinder's usage audit names the real event's time as both ends of its audit period. */
function resent(facts: { readonly auditPeriod?: { readonly beginning: number; readonly ending: number } }): number | undefined {
  const period = facts.auditPeriod;
  return period && period.beginning === period.ending ? period.beginning : undefined;
}

/** Volume type id -> name, from the source's `volume_type.create` events (SPEC §4.4). */
export async function typeNames(reads: HistoryReads, source: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for await (const chunk of reads.events(source, 'volume_type')) {
    for (const event of chunk) {
      const { name } = JSON.parse(event.facts) as { name?: string };
      if (name !== undefined) names.set(event.resourceId, name);
    }
  }
  return names;
}
