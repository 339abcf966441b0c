// A snapshot: one observation of one (source, type) at one instant, built record by record.
import { hash } from 'node:crypto';
import { byText } from './order.ts';
import { SnapshotRecords } from './snapshot-records.ts';
import { keyParts, normaliseOutcome, type NormaliseOutcome, normaliser, type Normalised, type Privacy, type PrivacyMode } from './types/normalise.ts';
import type { ResourceType } from './types/type.ts';

export interface SnapshotHeader {
  readonly source: string;
  readonly type: ResourceType;
  /** Epoch ms, UTC. */
  readonly takenAt: number;
  /** The input claims to list every resource (SPEC §3). */
  readonly complete: boolean;
}

/** A quarantined record (SPEC §9): where it was and why it was refused. Never its content. */
export interface Reject {
  readonly file: string;
  readonly location: string;
  readonly field?: string;
  readonly reason: string;
}

/**
 * The part of its series a snapshot describes, as values of key fields (`{host: 'nfs1'}`): one
 * producer host's quotas, one file system's usage. A complete snapshot removes only inside it, so
 * several hosts may feed one source without erasing each other. No scope: the whole series.
 */
export type Scope = Readonly<Record<string, string>>;

export interface Snapshot extends SnapshotHeader {
  readonly scope?: Scope;
  /** Whether a stored key lies inside the scope (always, without one). */
  readonly inScope?: (key: string) => boolean;
  /** How its private fields were stored. */
  readonly privateFields: PrivacyMode;
  /** Identifies the content: same records, same partial keys, same completeness ("already ingested"). */
  readonly contentHash: string;
  /** The files it was read from. */
  readonly origins: readonly string[];
  /** Held compactly (keys and hashes; the texts out of the heap): release() once applied. */
  readonly records: SnapshotRecords;
  readonly partial: ReadonlySet<string>;
  readonly rejects: readonly Reject[];
  /** Why the snapshot is incomplete, when it is. */
  readonly incompleteBecause: readonly string[];
  readonly examined: number;
  /** Identical copies of one key, merged silently. */
  readonly duplicates: number;
  /** Differing copies of one key: the later one was kept (SPEC §6). */
  readonly conflicts: readonly string[];
  /** Input objects that are not records of this type (e.g. a domain-scoped role assignment). */
  readonly skipped: number;
}

export class SnapshotBuilder {
  private readonly records = new SnapshotRecords();
  private readonly partial = new Set<string>();
  private readonly rejects: Reject[] = [];
  private readonly incomplete: string[] = [];
  private readonly conflicts: string[] = [];
  private readonly origins = new Set<string>();
  private readonly normalisers = new Map<string, (raw: unknown) => Normalised>();
  /** XOR of every kept record's digest: order-independent, so no sort of the keys is needed. */
  private readonly fold = new ContentFold();
  private readonly partialFold = new ContentFold();
  private readonly rejectFold = new ContentFold();
  private examined = 0;
  private duplicates = 0;
  private skipped = 0;

  constructor(
    readonly type: ResourceType,
    readonly privacy: Privacy,
  ) {}

  /** Adds one raw input object; a bad one is quarantined with its file and location. */
  add(raw: unknown, shape: string, file: string, location: string): void {
    this.take(normaliseOutcome(this.normaliserFor(shape), raw), file, location);
  }

  /** Adds one input object already normalised (by a worker, dump/normalise-pool.ts); a bad one is quarantined. */
  take(result: NormaliseOutcome, file: string, location: string): void {
    this.examined++;
    this.origins.add(file);
    if (result.kind === 'rejected') {
      this.quarantine({ file, location, field: result.field, reason: result.detail });
    } else if (result.kind === 'skipped') {
      this.skipped++;
    } else if (result.kind === 'partial') {
      if (!this.records.has(result.key) && !this.partial.has(result.key)) {
        this.partial.add(result.key);
        this.partialFold.toggle(hash('sha1', result.key, 'base64'));
      }
    } else {
      // 'record' or 'encoded': the same record, its JSON as text or as bytes.
      const { record } = result;
      // One lookup: set() tells the hash the key had, if any (an identical copy changes nothing).
      const earlier = this.records.set(record);
      if (earlier !== undefined) {
        if (earlier === record.hash) {
          this.duplicates++;
          return;
        }
        this.conflicts.push(record.key);
        this.fold.toggle(pairHash(record.key, earlier));
      }
      if (this.partial.delete(record.key)) this.partialFold.toggle(hash('sha1', record.key, 'base64'));
      // A worker's record comes with its pair hash made (dump/normalise-pool.ts).
      this.fold.toggle(('pair' in record && record.pair) || pairHash(record.key, record.hash));
    }
  }

  /** A record the source reader could not even read (a broken log line): quarantined (SPEC §9). */
  reject(file: string, location: string, reason: string, field?: string): void {
    this.examined++;
    this.origins.add(file);
    this.quarantine({ file, location, field, reason });
  }

  /** Quarantined records are part of the content: two batches of only bad lines are not the same. */
  private quarantine(reject: Reject): void {
    this.rejects.push(reject);
    this.rejectFold.toggle(hash('sha1', `${reject.file}\0${reject.location}\0${reject.reason}`, 'base64'));
  }

  /** An input record that is not one of this type, on purpose (a job step, a queued-job line). */
  skip(): void {
    this.skipped++;
  }

  /** Records that the input itself says it is not the whole picture (a failed page, `truncated`). */
  markIncomplete(reason: string, file?: string): void {
    this.incomplete.push(reason);
    if (file) this.origins.add(file);
  }

  /** The snapshot, once every part is in; its time and source are known only then for paged scans. */
  build(header: Omit<SnapshotHeader, 'type'> & { readonly scope?: Scope }): Snapshot {
    const incompleteBecause = [...this.incomplete];
    if (!header.complete) incompleteBecause.unshift('the input says it is incomplete');
    // A ledger never removes, so a quarantined record leaves nothing to hold back: it stays complete.
    if (this.rejects.length && this.type.mode !== 'ledger') incompleteBecause.push(`${this.rejects.length} record(s) quarantined`);
    if (this.partial.size) incompleteBecause.push(`${this.partial.size} record(s) only partly described`);
    const complete = incompleteBecause.length === 0;
    return {
      ...header,
      type: this.type,
      privateFields: this.privacy.mode,
      complete,
      // Two hosts' empty reports at one instant are different snapshots: the scope is part of the
      // content; so are quarantined records. Both only when present, so older hashes stay as they were.
      contentHash: hash('sha1', `${complete ? 'complete' : 'incomplete'} ${this.fold} ${this.partialFold}${this.rejects.length ? ` ${this.rejectFold}` : ''}${scopeText(header.scope)}`, 'base64'),
      inScope: header.scope && scopePredicate(this.type, header.scope),
      origins: [...this.origins],
      records: this.records,
      partial: this.partial,
      rejects: this.rejects,
      incompleteBecause,
      examined: this.examined,
      duplicates: this.duplicates,
      conflicts: this.conflicts,
      skipped: this.skipped,
    };
  }

  private normaliserFor(shape: string): (raw: unknown) => Normalised {
    let fn = this.normalisers.get(shape);
    if (!fn) {
      fn = normaliser(this.type, shape, this.privacy);
      this.normalisers.set(shape, fn);
    }
    return fn;
  }
}

function scopeText(scope: Scope | undefined): string {
  return scope ? ` ${JSON.stringify(Object.entries(scope).sort(([a], [b]) => byText(a, b)))}` : '';
}

function scopePredicate(type: ResourceType, scope: Scope): (key: string) => boolean {
  const fixed = Object.entries(scope).map(([name, value]) => {
    const index = type.key.findIndex((part) => part.name === name);
    if (index < 0) throw new Error(`scope field ${name} is not part of the key of ${type.name}`);
    return [index, value] as const;
  });
  return (key) => {
    const parts = keyParts(type, key);
    return fixed.every(([index, value]) => parts[index] === value);
  };
}

/** A record's place in the content hash: its key with its record hash (short, so cheap to hash). */
export function pairHash(key: string, recordHash: string): string {
  return hash('sha1', `${key}\0${recordHash}`, 'base64');
}

/**
 * An order-independent digest of a set of SHA-1 hashes (base64): each character's six bits are
 * XORed into its position, so adding a member twice removes it again. No sorting, no allocation.
 */
class ContentFold {
  private readonly bits = new Uint8Array(27);

  toggle(base64: string): void {
    for (let i = 0; i < 27; i++) this.bits[i]! ^= SIX_BITS[base64.charCodeAt(i)]!;
  }

  toString(): string {
    return Buffer.from(this.bits).toString('hex');
  }
}

const SIX_BITS = new Uint8Array(128);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((c, i) => (SIX_BITS[c.charCodeAt(0)] = i));
