// SPEC §8.3 `usage_storage.csv`: per source, day, storage type and owner, the largest value seen
// during the day and the value at its end, for bytes and files. Days are those between a series'
// first and last snapshot (as the inventory, SPEC §8.1); state before --from is carried forward.
//
// Owner and quantities per type (owner parts are the natural key's):
//   type            owner                             bytes                                files
//   swift_account   account                           bytes                                objects
//   xfs_quota       host:filesystem:username          used_bytes                           (none)
//   virtual_volume  filesystem:name                   usage_bytes                          files
//   fs_usage        host:filesystem:owner/project     bytes                                files
//   hcp_namespace   tenant/namespace                  raw_bytes (what HCP chargeback       objects
//                                                     bills), else ingested_bytes
//   filesystem      host:name                         live_usage_bytes, else               files − ffree
//                                                     capacity_bytes − free_bytes
//
// Memory holds each series' state (one entry per resource) and the resources touched during the
// day in progress: never days × resources.
import { byText } from '../../order.ts';
import type { ChangeRow, HistoryReads, SeriesInfo } from '../../store/index.ts';
import { addDays, formatDay, startOfDay } from '../../time.ts';
import type { Row, Value } from '../../types/fields.ts';
import { resourceType } from '../../types/index.ts';
import { keyParts } from '../../types/normalise.ts';
import type { ResourceType } from '../../types/type.ts';
import { csvCells, inChunks } from '../csv.ts';
import { stateBefore } from '../state.ts';

export const USAGE_STORAGE_COLUMNS = ['source', 'day', 'resource_type', 'owner', 'max_bytes', 'end_bytes', 'max_files', 'end_files'];

/** The storage types the usage report covers, in the order their rows come within a day. */
export const STORAGE_TYPES = ['filesystem', 'fs_usage', 'hcp_namespace', 'swift_account', 'virtual_volume', 'xfs_quota'] as const;
type StorageType = (typeof STORAGE_TYPES)[number];

/** An integer as stored: a number, or its digits beyond 2^53 (SPEC §5); undefined when absent. */
type Quantity = number | string | undefined;

interface Measure {
  readonly owner: (parts: readonly string[]) => string;
  readonly bytes: (r: Row) => Quantity;
  readonly files: (r: Row) => Quantity;
}

const MEASURES: Record<StorageType, Measure> = {
  swift_account: { owner: ([account]) => account!, bytes: (r) => q(r.bytes), files: (r) => q(r.objects) },
  xfs_quota: { owner: (parts) => parts.join(':'), bytes: (r) => q(r.used_bytes), files: () => undefined },
  virtual_volume: { owner: (parts) => parts.join(':'), bytes: (r) => q(r.usage_bytes), files: (r) => q(r.files) },
  fs_usage: { owner: ([host, fs, owner, project]) => `${host}:${fs}:${owner}/${project}`, bytes: (r) => q(r.bytes), files: (r) => q(r.files) },
  // raw_bytes is the storage capacity used, what HCP chargeback bills; older reports give only ingested.
  hcp_namespace: { owner: (parts) => parts.join('/'), bytes: (r) => q(r.raw_bytes) ?? q(r.ingested_bytes), files: (r) => q(r.objects) },
  filesystem: {
    owner: (parts) => parts.join(':'),
    // HNAS reports the live usage (without snapshots); statvfs gives capacity and free space.
    bytes: (r) => q(r.live_usage_bytes) ?? minus(q(r.capacity_bytes), q(r.free_bytes)),
    files: (r) => minus(q(r.files), q(r.ffree)),
  },
};

/**
 * The rows of the storage series of one source, merged so that they come ordered by day, then type
 * (then owner): a source reporting several storage types (an HNAS: file systems and virtual volumes)
 * has its types' rows interleaved day by day, not one type's whole range after another's.
 */
export async function* sourceStorageUsageRows(reads: HistoryReads, series: readonly SeriesInfo[], fromDay: number, toDay: number): AsyncGenerator<string> {
  const walkers: Walker[] = [];
  for (const s of [...series].sort((a, b) => byText(a.type, b.type))) {
    const type = resourceType(s.type);
    if (!type || !(s.type in MEASURES)) continue;
    const firstDay = Math.max(fromDay, startOfDay(s.firstAt));
    const lastDay = Math.min(toDay, startOfDay(s.lastAt));
    if (firstDay > lastDay) continue;
    // Carry forward: the state at the start of the series' first day in the range (SPEC §8.1).
    walkers.push(new Walker(s, type, firstDay, lastDay, await stateBefore(reads, s.id, firstDay)));
  }
  if (!walkers.length) return;
  const start = Math.min(...walkers.map((w) => w.firstDay));
  const end = Math.max(...walkers.map((w) => w.lastDay));
  for (let day = start; day <= end; day = addDays(day, 1)) {
    for (const walker of walkers) {
      if (day < walker.firstDay || day > walker.lastDay) continue;
      // One series' changes of one day at a time: no two reads are open at once.
      for await (const chunk of reads.changes(walker.series.id, day, addDays(day, 1))) for (const change of chunk) walker.apply(change);
      yield* inChunks(walker.close(day));
    }
  }
}

interface Entry {
  readonly key: string;
  readonly owner: string;
  readonly bytes: Quantity;
  readonly files: Quantity;
  /** Its row from the owner on, kept for the days nothing changes it ('' when all is zero: no row). */
  tail?: string;
}

/** The highest values seen during the day of a resource some change touched. */
interface Peak {
  bytes: Quantity;
  files: Quantity;
}

/** One series' state as it goes through the days, and what the day in progress has seen. */
class Walker {
  private readonly state = new Map<string, Entry>();
  private readonly measure: Measure;
  /** The present resources ordered by owner, re-sorted only on days one appears or goes. */
  private sorted: Entry[];
  private peaks = new Map<string, Peak>();
  private removed = new Map<string, Entry>();
  private appeared: string[] = [];
  private membershipChanged = false;

  constructor(
    readonly series: SeriesInfo,
    private readonly type: ResourceType,
    readonly firstDay: number,
    readonly lastDay: number,
    carried: ReadonlyMap<string, string>,
  ) {
    this.measure = MEASURES[series.type as StorageType];
    for (const [key, json] of carried) this.state.set(key, this.entry(key, JSON.parse(json) as Row));
    this.sorted = [...this.state.values()].sort(byOwner);
  }

  private entry(key: string, record: Row, owner = this.measure.owner(keyParts(this.type, key))): Entry {
    return { key, owner, bytes: this.measure.bytes(record), files: this.measure.files(record) };
  }

  apply({ key, action, record }: ChangeRow): void {
    const before = this.state.get(key);
    const now = this.entry(key, JSON.parse(record) as Row, before?.owner ?? this.removed.get(key)?.owner);
    let peak = this.peaks.get(key);
    // The day's maximum starts from the state carried into the day (none for a resource added today).
    if (!peak) this.peaks.set(key, (peak = { bytes: before?.bytes, files: before?.files }));
    peak.bytes = larger(peak.bytes, now.bytes);
    peak.files = larger(peak.files, now.files);
    if (action === 'removed') {
      this.state.delete(key);
      this.removed.set(key, now);
      this.membershipChanged = true;
    } else {
      if (!before) {
        this.appeared.push(key);
        this.membershipChanged = true;
      }
      this.state.set(key, now);
    }
  }

  /** The lines of `day` (ordered by owner); the next day begins. */
  close(day: number): string[] {
    if (this.membershipChanged) {
      // Entries here may be older copies (a change makes a new one): they serve only for the order.
      const kept = this.sorted.filter((e) => this.state.has(e.key));
      const keptKeys = new Set(kept.map((e) => e.key));
      const fresh = [...new Set(this.appeared)].filter((key) => !keptKeys.has(key) && this.state.has(key)).map((key) => this.state.get(key)!);
      fresh.sort(byOwner);
      this.sorted = merge(kept, fresh);
    }
    // Removed during the day and not back by its end: a row with its maximum and an empty end.
    const gone = [...this.removed.values()].filter((e) => !this.state.has(e.key)).sort(byOwner);
    const prefix = `${csvCells([this.series.source, formatDay(day), this.type.name])},`;
    const lines: string[] = [];
    for (const listed of merge(this.sorted, gone)) {
      const present = this.state.get(listed.key);
      const peak = this.peaks.get(listed.key);
      let tail: string;
      if (!peak) tail = present!.tail ??= rowTail(present!.owner, present!.bytes, present!.bytes, present!.files, present!.files);
      else tail = rowTail(listed.owner, peak.bytes, present?.bytes, peak.files, present?.files);
      if (tail) lines.push(prefix + tail);
    }
    this.peaks = new Map();
    this.removed = new Map();
    this.appeared = [];
    this.membershipChanged = false;
    return lines;
  }
}

/** `owner,max_bytes,end_bytes,max_files,end_files` and a line end; '' when every quantity is zero or absent. */
function rowTail(owner: string, maxBytes: Quantity, endBytes: Quantity, maxFiles: Quantity, endFiles: Quantity): string {
  if (!nonZero(maxBytes) && !nonZero(endBytes) && !nonZero(maxFiles) && !nonZero(endFiles)) return '';
  // Quantities are written as their digits (a value beyond 2^53 too), never as guarded text.
  return `${csvCells([owner])},${digits(maxBytes)},${digits(endBytes)},${digits(maxFiles)},${digits(endFiles)}\n`;
}

function byOwner(a: Entry, b: Entry): number {
  return byText(a.owner, b.owner) || byText(a.key, b.key);
}

function merge(a: readonly Entry[], b: readonly Entry[]): Entry[] {
  if (!b.length) return a as Entry[];
  const out: Entry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(byOwner(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

// --- exact integers: numbers while they are safe, digits beyond 2^53 (BigInt only then) ---------

function q(value: Value | undefined): Quantity {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

function larger(a: Quantity, b: Quantity): Quantity {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === 'number' && typeof b === 'number') return a >= b ? a : b;
  return BigInt(a) >= BigInt(b) ? a : b;
}

function minus(a: Quantity, b: Quantity): Quantity {
  if (a === undefined || b === undefined) return undefined;
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b;
    if (Number.isSafeInteger(difference)) return difference;
  }
  const difference = BigInt(a) - BigInt(b);
  return difference >= BigInt(Number.MIN_SAFE_INTEGER) && difference <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(difference) : difference.toString();
}

function nonZero(value: Quantity): boolean {
  // A digit string is stored only beyond 2^53: never zero.
  return value !== undefined && value !== 0;
}

function digits(value: Quantity): string {
  return value === undefined ? '' : String(value);
}
