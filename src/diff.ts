// SPEC §6, as pure functions: current state + snapshot in, change set out. No I/O here.
import type { Row, Value } from './types/fields.ts';
import type { Mode } from './types/type.ts';

export interface Hashed {
  readonly hash: string;
}

export interface SnapshotView {
  /** Full records by natural key. */
  readonly records: ReadonlyMap<string, Hashed>;
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

/**
 * `current` maps each present resource's key to its record hash. For a ledger it need only hold
 * the keys the snapshot carries: a ledger never removes, so no other key matters.
 */
export function diff(mode: Mode, current: ReadonlyMap<string, string>, snapshot: SnapshotView, options: DiffOptions = {}): ChangeSet {
  const added: string[] = [];
  const modified: string[] = [];
  let same = 0;
  let stale = 0;
  for (const [key, record] of snapshot.records) {
    const hash = current.get(key);
    if (hash === undefined) added.push(key);
    else if (hash === record.hash) same++;
    // SPEC §6 ledger: a job re-reported with new content is updated, unless what is stored was
    // reported later than this (an older file read after a newer one must not undo the update).
    else if (mode === 'ledger' && options.newer?.has(key)) stale++;
    else modified.push(key);
  }
  let partialKnown = 0;
  for (const key of snapshot.partial) if (current.has(key)) partialKnown++;

  // SPEC §6: incomplete snapshots never remove; ledger records are never removed by absence.
  // A scoped snapshot removes only inside its scope, and is guarded against what is in it.
  const removed: string[] = [];
  const { inScope } = snapshot;
  let present = inScope ? 0 : current.size;
  if (mode === 'state' && snapshot.complete) {
    for (const key of current.keys()) {
      if (inScope) {
        if (!inScope(key)) continue;
        present++;
      }
      if (!snapshot.records.has(key) && !snapshot.partial.has(key)) removed.push(key);
    }
  }
  return {
    added,
    modified,
    removed,
    unchanged: (mode === 'state' ? same : 0) + partialKnown,
    duplicates: mode === 'ledger' ? same : 0,
    stale,
    partialSkipped: snapshot.partial.size - partialKnown,
    massRemoval: isMassRemoval(present, removed.length),
    present,
  };
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
