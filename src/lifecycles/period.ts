// SPEC §4.4, §8.4: a resource's lifecycle is a run of periods, split wherever what is billed changes
// (flavor, state class, size, volume type, tenant). Periods come from snapshot history today
// (from-snapshots.ts) and from notifications where a source sends them; the usage and lifecycles
// reports read them through one interface and never know which.

/** What a period of an instance bills: the flavor in force (sizes unknown when no record gives them) and its state class. */
export interface VmBilled {
  readonly tenantId?: string;
  readonly flavorId?: string;
  readonly flavorName?: string;
  readonly vcpus?: number;
  readonly ramMb?: number;
  readonly diskGb?: number;
  /** `billable`, or the state's name (SPEC §8.4). */
  readonly stateClass: string;
}

/** What a period of a volume bills. */
export interface VolumeBilled {
  readonly tenantId?: string;
  readonly sizeGb?: number;
  /** By name where known. */
  readonly volumeType?: string;
  readonly stateClass: string;
}

export interface Period<B> {
  /** The resource (its natural key). */
  readonly id: string;
  /** Epoch ms. */
  readonly start: number;
  /** Undefined while open: the resource was still there at the last observation. */
  readonly end?: number;
  readonly startExact: boolean;
  readonly endExact: boolean;
  /**
   * The hours that rest on a midpoint estimate (SPEC §8.3): [start, estimatedUntil) after a change
   * placed between two snapshots, and [estimatedFrom, end) before one.
   */
  readonly estimatedUntil?: number;
  readonly estimatedFrom?: number;
  readonly billed: B;
  readonly origin: 'snapshots' | 'events' | 'both';
}

export interface Lifecycles<B> {
  readonly source: string;
  /** Nothing is billed at or after this: the last observation of the source (a source that stopped is not extrapolated). */
  readonly until: number;
  /** Each resource's periods that overlap the range asked for, in time order, by resource. */
  readonly periods: ReadonlyMap<string, readonly Period<B>[]>;
}

export type LifecycleType = 'vm' | 'volume';

export interface BilledOf {
  vm: VmBilled;
  volume: VolumeBilled;
}

/** Where periods come from: a source's instances or volumes, the periods overlapping [fromMs, toMs). */
export interface PeriodSource {
  /** The sources with periods of this type, in byte order. */
  sources(type: LifecycleType): string[];
  lifecycles<T extends LifecycleType>(type: T, source: string, fromMs: number, toMs: number): Promise<Lifecycles<BilledOf[T]>>;
}
