// SPEC §8.5 `hours_delta`: over the stretch a disagreement may cover, within the range and while
// both sides were observing, the hours as the snapshots' periods bill them (estimated between
// snapshots, §8.3) minus the hours as the events' periods bill them (exact) — counted on the usage
// report's grid of micro-hours, so that the figures add up with its own.
import type { Period, VmBilled, VolumeBilled } from '../lifecycles/period.ts';
import { hours, microHours } from '../lifecycles/hours.ts';
import type { Kind } from './disagreement.ts';

type Billed = VmBilled | VolumeBilled;

/** The difference (snapshots − events) one kind counts over a stretch where the sides bill `s` and `e`. */
function integrand(type: 'vm' | 'volume', kind: Kind, s: Billed | undefined, e: Billed | undefined): number {
  // What one hour of a period counts: 1 for an instance, its size for a volume; 0 unless billable.
  const weight = (billed: Billed | undefined) =>
    !billed || billed.stateClass !== 'billable' ? 0 : type === 'vm' ? 1 : ((billed as VolumeBilled).sizeGb ?? 0);
  switch (kind) {
    case 'missed_create':
    case 'missed_delete':
    case 'zombie':
      // Presence: only where one side has it at all (where both do, a drift row counts).
      return !s === !e ? 0 : weight(s) - weight(e);
    case 'state_drift':
      return s && e ? weight(s) - weight(e) : 0;
    case 'flavor_drift': {
      const [sv, ev] = [(s as VmBilled | undefined)?.vcpus, (e as VmBilled | undefined)?.vcpus];
      return weight(s) && weight(e) && sv !== undefined && ev !== undefined ? sv - ev : 0;
    }
    case 'size_drift':
      return weight(s) && weight(e) ? weight(s) - weight(e) : 0;
    case 'tenant_drift':
      return s && e && s.tenantId !== e.tenantId ? weight(e) : 0;
    case 'type_drift':
      return s && e && (s as VolumeBilled).volumeType !== (e as VolumeBilled).volumeType ? weight(e) : 0;
    default:
      return 0;
  }
}

export interface Sides {
  /** The resource's periods from snapshots (open ones end at `snapshotsUntil`) and from events (at `eventsUntil`). */
  readonly snapshots: readonly Period<Billed>[];
  readonly events: readonly Period<Billed>[];
  readonly snapshotsUntil: number;
  readonly eventsUntil: number;
}

/** The hours of `kind` over [from, to); undefined for an empty stretch. */
export function hoursDelta(type: 'vm' | 'volume', kind: Kind, sides: Sides, from: number, to: number): number | undefined {
  if (!(to > from)) return undefined;
  const end = (p: Period<Billed>, until: number) => Math.min(p.end ?? until, until);
  const cuts = new Set<number>([from, to]);
  for (const p of sides.snapshots) for (const t of [p.start, end(p, sides.snapshotsUntil)]) if (t > from && t < to) cuts.add(t);
  for (const p of sides.events) for (const t of [p.start, end(p, sides.eventsUntil)]) if (t > from && t < to) cuts.add(t);
  const points = [...cuts].sort((a, b) => a - b);
  const at = (periods: readonly Period<Billed>[], until: number, t: number) => periods.find((p) => p.start <= t && t < end(p, until))?.billed;
  let total = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i]!, points[i + 1]!];
    const factor = integrand(type, kind, at(sides.snapshots, sides.snapshotsUntil, a), at(sides.events, sides.eventsUntil, a));
    if (factor) total += factor * (microHours(b) - microHours(a));
  }
  return hours(total);
}
