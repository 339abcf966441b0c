// Gathers the parts the document and envelope readers emit into snapshots (SPEC §4.1.3): pages of
// one envelope scan become one snapshot, even across files; a missing page makes it incomplete; a
// re-delivered message is skipped; and a file that fails part-way is taken back whole.
import { byText } from '../../order.ts';
import { type Scope, type Snapshot, SnapshotBuilder } from '../../snapshot.ts';
import type { Privacy } from '../../types/normalise.ts';
import type { PartHeader, PartSink, PartWriter } from './parts.ts';

interface Group {
  readonly builder: SnapshotBuilder;
  readonly source: string;
  /** The pages of its scan; shared by every type of the scan (a page may hold no list of some type). */
  readonly pages?: Pages;
  takenAt: number;
  complete: boolean;
  readonly scope?: Scope;
}

interface Pages {
  readonly scan: string;
  readonly seen: Set<number>;
  count?: number;
}

export class Gatherer implements PartSink {
  private readonly groups = new Map<string, Group>();
  private readonly scans = new Map<string, Pages>();
  /** Reasons for input skipped on purpose, with counts (SPEC §9: nothing is lost silently). */
  readonly skipped = new Map<string, number>();
  /** What the file being read has touched, so a file that fails part-way can be taken back whole. */
  private reading?: { readonly groups: Set<string>; readonly ids: string[]; readonly skipped: Map<string, number> };
  /** Scans that lost pages with a failed file: whatever else of them comes is never complete. */
  private readonly brokenScans = new Set<string>();

  constructor(
    private readonly privacyFor: (source: string) => Privacy,
    /** Message ids already read in this run, shared by every gatherer of the run. */
    private readonly messageIds: Set<string>,
  ) {}

  part(file: string, header: PartHeader): PartWriter {
    // A scan's pages share an id and may sit in several files; a ledger type's records of one file
    // (one envelope per job) are one snapshot, taken at the latest of their times; anything else is
    // one snapshot per file and time.
    const ledger = header.type.mode === 'ledger';
    const id =
      header.scan !== undefined
        ? ['scan', header.source, header.type.name, header.scan].join('\0')
        : ledger
          ? ['ledger', header.source, header.type.name, file].join('\0')
          : ['time', header.source, header.type.name, header.takenAt, file, JSON.stringify(header.scope ?? null)].join('\0');
    this.reading?.groups.add(id);
    let group = this.groups.get(id);
    if (!group) {
      group = {
        builder: new SnapshotBuilder(header.type, this.privacyFor(header.source)),
        source: header.source,
        pages: header.scan === undefined ? undefined : this.pagesOf(header.source, header.scan),
        takenAt: header.takenAt,
        complete: header.complete,
        scope: header.scope,
      };
      this.groups.set(id, group);
    }
    // A scan is taken when its first page was; a ledger file when its latest record was.
    group.takenAt = ledger && header.scan === undefined ? Math.max(group.takenAt, header.takenAt) : Math.min(group.takenAt, header.takenAt);
    group.complete &&= header.complete;
    if (this.brokenScans.has(id)) group.builder.markIncomplete(`scan ${header.scan}: pages of it were in a file that failed`);
    if (header.page && group.pages) {
      group.pages.seen.add(header.page.number);
      if (header.page.of !== undefined) group.pages.count = Math.max(group.pages.count ?? 0, header.page.of);
    }
    const { builder } = group;
    return {
      type: header.type,
      privacy: builder.privacy,
      add: (value, shape, location) => builder.add(value, shape, file, location),
      take: (outcome, location) => builder.take(outcome, file, location),
      incomplete: (reason) => builder.markIncomplete(reason, file),
      reject: (location, reason) => builder.reject(file, location, reason),
    };
  }

  private pagesOf(source: string, scan: string): Pages {
    const id = `${source}\0${scan}`;
    let pages = this.scans.get(id);
    if (!pages) this.scans.set(id, (pages = { scan, seen: new Set() }));
    return pages;
  }

  skip(reason: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  firstDelivery(messageId: string): boolean {
    if (this.messageIds.has(messageId)) return false;
    this.messageIds.add(messageId);
    this.reading?.ids.push(messageId);
    return true;
  }

  /** Starts reading one file whose parts `discardFile` can take back (SPEC §2: what failed wrote nothing). */
  beginFile(): void {
    this.reading = { groups: new Set(), ids: [], skipped: new Map(this.skipped) };
  }

  endFile(): void {
    this.reading = undefined;
  }

  /**
   * Takes back everything the file being read contributed: its snapshots, its message ids (a copy
   * elsewhere is then read, not skipped as re-delivered), its skip counts, and any scan it had
   * pages of, whose other pages can no longer make a complete snapshot.
   */
  discardFile(): void {
    const reading = this.reading;
    if (!reading) return;
    for (const id of reading.groups) {
      const group = this.groups.get(id);
      if (group?.pages) {
        this.brokenScans.add(id);
        for (const [key, pages] of this.scans) if (pages === group.pages) this.scans.delete(key);
      }
      this.groups.delete(id);
    }
    for (const id of reading.ids) this.messageIds.delete(id);
    this.skipped.clear();
    for (const [reason, count] of reading.skipped) this.skipped.set(reason, count);
    this.reading = undefined;
  }

  /** The snapshots gathered so far, oldest first. */
  snapshots(): Snapshot[] {
    const built = [...this.groups.values()].map((group) => {
      const { pages } = group;
      const missing = pages ? missingPages(pages) : [];
      if (pages && missing.length) {
        group.builder.markIncomplete(`scan ${pages.scan}: page(s) ${missing.join(', ')} of ${pages.count ?? Math.max(...pages.seen)} missing`);
      }
      return group.builder.build({ source: group.source, takenAt: group.takenAt, complete: group.complete, scope: group.scope });
    });
    this.groups.clear();
    this.scans.clear();
    return built.sort(bySnapshotOrder);
  }
}

function missingPages(pages: Pages): number[] {
  if (!pages.seen.size) return [];
  const last = pages.count ?? Math.max(...pages.seen);
  const missing: number[] = [];
  for (let page = 1; page <= last; page++) if (!pages.seen.has(page)) missing.push(page);
  return missing;
}

/** SPEC §6: snapshots are applied in taken_at order; ties by source and type, for a stable log. */
export function bySnapshotOrder(a: Snapshot, b: Snapshot): number {
  return a.takenAt - b.takenAt || byText(a.source, b.source) || byText(a.type.name, b.type.name);
}
