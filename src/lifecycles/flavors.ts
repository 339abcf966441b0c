// SPEC §8.3 "flavor in force": an instance whose record does not carry its flavor's sizes (Nova
// before microversion 2.47) takes them from the `flavor` series of the same source at that time.
// Nova flavors cannot be changed once made, so a flavor's nearest record serves when none was in
// force at that instant (a flavor listed only after the instance was seen, or deleted since).
import type { HistoryReads, SeriesInfo } from '../store/index.ts';
import type { Row } from '../types/fields.ts';

export interface Flavor {
  readonly id: string;
  readonly name?: string;
  readonly vcpus?: number;
  readonly ramMb?: number;
  readonly diskGb?: number;
}

interface Version {
  readonly at: number;
  readonly flavor: Flavor;
}

export class FlavorBook {
  private readonly byId = new Map<string, Version[]>();
  private readonly idsByName = new Map<string, Set<string>>();

  /** Every record of the flavor series, oldest first. */
  static async load(reads: HistoryReads, series: SeriesInfo | undefined): Promise<FlavorBook> {
    const book = new FlavorBook();
    if (!series) return book;
    for await (const chunk of reads.changes(series.id, 0, Number.MAX_SAFE_INTEGER)) {
      for (const change of chunk) {
        if (change.action === 'removed') continue;
        const record = JSON.parse(change.record) as Row;
        book.add(change.takenAt, {
          id: change.key,
          name: typeof record.name === 'string' ? record.name : undefined,
          vcpus: number(record.vcpus),
          ramMb: number(record.ram_mb),
          diskGb: number(record.disk_gb),
        });
      }
    }
    return book;
  }

  private add(at: number, flavor: Flavor): void {
    let versions = this.byId.get(flavor.id);
    if (!versions) this.byId.set(flavor.id, (versions = []));
    versions.push({ at, flavor });
    if (flavor.name !== undefined) {
      let ids = this.idsByName.get(flavor.name);
      if (!ids) this.idsByName.set(flavor.name, (ids = new Set()));
      ids.add(flavor.id);
    }
  }

  /**
   * The flavor an instance names, at `at`: by id, else by name (from microversion 2.47 servers carry
   * the flavor's name, not its id; Nova keeps names unique), in force at that time or nearest.
   */
  find(idOrName: string | undefined, at: number): Flavor | undefined {
    if (idOrName === undefined) return undefined;
    let versions = this.byId.get(idOrName);
    if (!versions) {
      const ids = this.idsByName.get(idOrName);
      if (ids?.size === 1) versions = this.byId.get([...ids][0]!);
    }
    if (!versions) return undefined;
    let found = versions[0]!;
    for (const version of versions) if (version.at <= at) found = version;
    return found.flavor;
  }
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
