// SPEC §6, as pure functions: current state + snapshot in, change set out. No I/O here.
import type { KeyHashes } from './key-hashes.ts';
import type { Row, Value } from './types/fields.ts';
import type { Mode } from './types/type.ts';

export interface SnapshotView {
  /** Full records by natural key: their hashes are what is compared. */
  readonly records: { readonly hashes: KeyHashes };
  /** Keys the source listed but could not describe (Nova UNKNOWN servers): seen, never diffed. */
  readonly partial: ReadonlySet<string>;
  /** Lists every resource of its type (in its scope); only a complete snapshot may remove. */
  readonly complete: boolean;
  /** The stored keys it describes, when it describes only part of its series (one host's quotas). */
  readonly inScope?: (key: string) => boolean;
}

export interface ChangeSet {
  readonly added: string[];
  readonly modified: string[];
  readonly removed: string[];
  /** The stored hash of each removed resource (its removal row carries it). */
  readonly removedHashes: ReadonlyMap<string, string>;
  /** Present and identical (state), or a partial record of a known resource. */
  readonly unchanged: number;
  /** Ledger: a re-delivered record identical to the stored one. */
  readonly duplicates: number;
  /** Ledger: a different record of a key whose stored one was reported later: the later one stands. */
  readonly stale: number;
  /** Partial records of resources we never saw in full: nothing to add. */
  readonly partialSkipped: number;
  /** The removals trip the mass-removal guard; the caller refuses unless allowed. */
  readonly massRemoval: boolean;
  /** What the guard measured the removals against: the present resources (in the scope). */
  readonly present: number;
}

export interface DiffOptions {
  /** Ledger keys whose stored record comes from a snapshot later than this one (a back-fill). */
  readonly newer?: ReadonlySet<string>;
}

/** What a store hands the present state to, one resource at a time: its key and record hash. */
export interface PresentSink {
  set(key: string, hash: string): void;
}

/** Per snapshot record: not among the present resources, present with the same hash, or another. */
const NEW = 0;
const SAME = 1;
const CHANGED = 2;

/**
 * One snapshot diffed against the present state as the store streams it in (any order): the state
 * is never held whole, only a byte per snapshot record and the removed resources (SPEC §11, memory).
 * For a ledger the state need only hold the keys the snapshot carries: a ledger never removes.
 */
export class Diff implements PresentSink {
  private readonly records: KeyHashes;
  private readonly seen: Uint8Array;
  private readonly removed: string[] = [];
  private readonly removedHashes = new Map<string, string>();
  private rows = 0;
  private inScopeRows = 0;
  private partialKnown = 0;
  private readonly removes: boolean;

  constructor(
    private readonly mode: Mode,
    private readonly snapshot: SnapshotView,
    private readonly options: DiffOptions = {},
  ) {
    this.records = snapshot.records.hashes;
    this.seen = new Uint8Array(this.records.slotCount);
    // SPEC §6: incomplete snapshots never remove; ledger records are never removed by absence.
    this.removes = mode === 'state' && snapshot.complete;
  }

  set(key: string, hash: string): void {
    this.rows++;
    const slot = this.records.slotOf(key);
    const partial = slot === undefined && this.snapshot.partial.has(key);
    if (slot !== undefined) this.seen[slot] = this.records.holdsAt(slot, key, hash) ? SAME : CHANGED;
    else if (partial) this.partialKnown++;
    if (!this.removes) return;
    // A scoped snapshot removes only inside its scope, and is guarded against what is in it.
    const { inScope } = this.snapshot;
    if (inScope) {
      if (!inScope(key)) return;
      this.inScopeRows++;
    }
    if (slot === undefined && !partial) {
      this.removed.push(key);
      this.removedHashes.set(key, hash);
    }
  }

  /** The change set, once every present resource was handed in; added and modified in the snapshot's order. */
  result(): ChangeSet {
    const added: string[] = [];
    const modified: string[] = [];
    let same = 0;
    let stale = 0;
    for (const [key, slot] of this.records.slotEntries()) {
      const seen = this.seen[slot];
      if (seen === NEW) added.push(key);
      else if (seen === SAME) same++;
      // SPEC §6 ledger: a job re-reported with new content is updated, unless what is stored was
      // reported later than this (an older file read after a newer one must not undo the update).
      else if (this.mode === 'ledger' && this.options.newer?.has(key)) stale++;
      else modified.push(key);
    }
    const present = this.snapshot.inScope && this.removes ? this.inScopeRows : this.snapshot.inScope ? 0 : this.rows;
    return {
      added,
      modified,
      removed: this.removed,
      removedHashes: this.removedHashes,
      unchanged: (this.mode === 'state' ? same : 0) + this.partialKnown,
      duplicates: this.mode === 'ledger' ? same : 0,
      stale,
      partialSkipped: this.snapshot.partial.size - this.partialKnown,
      massRemoval: isMassRemoval(present, this.removed.length),
      present,
    };
  }
}

/** The same, against a present state held in memory (a ledger's looked-up keys, a dry run's state). */
export function diff(mode: Mode, current: KeyHashes, snapshot: SnapshotView, options: DiffOptions = {}): ChangeSet {
  const differ = new Diff(mode, snapshot, options);
  for (const [key, slot] of current.slotEntries()) differ.set(key, current.hashAt(slot, key));
  return differ.result();
}

/** SPEC §6: more than half of the current resources, and more than 10 of them, vanishing at once. */
export function isMassRemoval(currentCount: number, removedCount: number): boolean {
  return removedCount > 10 && removedCount * 2 > currentCount;
}

export interface FieldChange {
  readonly old: Value | null;
  readonly new: Value | null;
}

export type FieldChanges = { readonly [field: string]: FieldChange };

/** Every field that changed, appeared or disappeared, with both values (OSWL kept only the old one). */
export function fieldChanges(old: Row, next: Row): FieldChanges {
  const changes: Record<string, FieldChange> = {};
  for (const field of new Set([...Object.keys(old), ...Object.keys(next)])) {
    const before = old[field] ?? null;
    const after = next[field] ?? null;
    if (!sameValue(before, after)) changes[field] = { old: before, new: after };
  }
  return changes;
}

function sameValue(a: Value | null, b: Value | null): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}
