// A VM's flavor, whatever the Nova microversion (issue 13 item 3): before 2.47 a server names its
// flavor by id only; from 2.47 it embeds the flavor's name and sizes, without the id. Before a VM
// snapshot is diffed, each server gets the other half: from the same source's flavors (Nova keeps
// names unique), else from the server's own stored record while it names the same flavor (a flavor
// deleted since). So the same server reads the same at 2.1 and at 2.96, and flavor_id joins
// flavor.csv. SPEC §5; README "Resource types" (vm.flavor_id).
import type { Snapshot } from '../snapshot.ts';
import { KeyHashes } from '../key-hashes.ts';
import { SnapshotRecords } from '../snapshot-records.ts';
import type { Store } from '../store/index.ts';
import type { Row, Value } from '../types/fields.ts';
import { type NormalRecord, normalRecord } from '../types/normalise.ts';

/** One source's flavors as stored (our field names), by id. */
export type Flavors = ReadonlyMap<string, Row>;

/** The stored records (canonical JSON) of some VMs of the series, by key. */
export type StoredVms = (keys: readonly string[]) => Promise<ReadonlyMap<string, string>>;

const SIZES = ['vcpus', 'ram_mb', 'disk_gb'] as const;

/** A record's fields while it is completed (an absent field is undefined). */
type Fields = Readonly<Record<string, Value | undefined>>;

/**
 * The flavors each source's VM snapshots are joined with: the source's present flavors as stored,
 * as the flavor snapshots this run applied leave them (in a dump, a source's flavors come before its
 * servers of the same time: ties are applied by type name).
 */
export class FlavorJoin {
  private readonly bySource = new Map<string, Promise<Map<string, Row>>>();

  /** The database, when there is one (a dry run may have none). */
  constructor(private readonly store: Store | undefined) {}

  /** A VM snapshot with every server's flavor completed; other types as they are. */
  async join(snapshot: Snapshot, stored: StoredVms): Promise<Snapshot> {
    if (snapshot.type.name !== 'vm') return snapshot;
    return joinFlavors(snapshot, await this.flavorsOf(snapshot.source), stored);
  }

  /** A flavor snapshot was applied: later VM snapshots of its source are joined with it (SPEC §6: a complete one lists them all). */
  async applied(snapshot: Snapshot): Promise<void> {
    if (snapshot.type.name !== 'flavor') return;
    const flavors = snapshot.complete ? new Map<string, Row>() : new Map(await this.flavorsOf(snapshot.source));
    for (const [id, record] of snapshot.records) flavors.set(id, JSON.parse(record.json) as Row);
    this.bySource.set(snapshot.source, Promise.resolve(flavors));
  }

  private flavorsOf(source: string): Promise<Map<string, Row>> {
    let flavors = this.bySource.get(source);
    if (!flavors) this.bySource.set(source, (flavors = this.load(source)));
    return flavors;
  }

  private async load(source: string): Promise<Map<string, Row>> {
    const flavors = new Map<string, Row>();
    const series = this.store && (await this.store.reads.listSeries()).find((s) => s.source === source && s.type === 'flavor');
    if (!this.store || !series) return flavors;
    const present = new KeyHashes();
    await this.store.history.current(series.id, present);
    for (const [id, json] of await this.store.history.records(series.id, present.keys())) flavors.set(id, JSON.parse(json) as Row);
    return flavors;
  }
}

/** Completes each VM record's flavor (id, name, sizes); the content hash stays that of the input as read. */
export async function joinFlavors(snapshot: Snapshot, flavors: Flavors, stored: StoredVms): Promise<Snapshot> {
  // A source that lists no flavors (a custom collector's canonical dumps) has nothing to join: its
  // records stay as read, and its stored ones are not read back (a re-ingest costs no more than a load).
  if (!flavors.size) return snapshot;
  const idByName = uniqueNames(flavors);
  const fields = snapshot.type.fields.map((spec) => spec.name);
  const records = new SnapshotRecords();
  const put = (record: NormalRecord, row: Fields) => {
    // Projected in the type's field order, as the normaliser does: equal records, equal hashes.
    const projected: Record<string, Value> = {};
    for (const name of fields) {
      const value = row[name];
      if (value !== undefined) projected[name] = value;
    }
    const joined = normalRecord(record.key, projected);
    records.set(joined.hash === record.hash ? record : joined);
  };
  const halfKnown = new Map<string, Fields>();
  for (const record of snapshot.records.values()) {
    const read = JSON.parse(record.json) as Row;
    const row = fromFlavors(read, flavors, idByName);
    if ((row.flavor_id === undefined) !== (row.flavor_name === undefined)) halfKnown.set(record.key, row);
    if (row === read) records.set(record);
    else put(record, row);
  }
  if (halfKnown.size) {
    for (const [key, json] of await stored([...halfKnown.keys()])) put(snapshot.records.get(key)!, fromOwnRecord(halfKnown.get(key)!, JSON.parse(json) as Row));
  }
  return { ...snapshot, records };
}

/** Names held by exactly one flavor, with its id (Nova enforces it; a name held twice resolves nothing). */
function uniqueNames(flavors: Flavors): Map<string, string | null> {
  const idByName = new Map<string, string | null>();
  for (const [id, flavor] of flavors) {
    if (typeof flavor.name !== 'string') continue;
    idByName.set(flavor.name, idByName.has(flavor.name) ? null : id);
  }
  return idByName;
}

function fromFlavors(row: Fields, flavors: Flavors, idByName: ReadonlyMap<string, string | null>): Fields {
  const id =
    typeof row.flavor_id === 'string' ? row.flavor_id : typeof row.flavor_name === 'string' ? (idByName.get(row.flavor_name) ?? undefined) : undefined;
  const flavor = id === undefined ? undefined : flavors.get(id);
  // A server already whole (id, name, sizes) is left as read: no new record, no second hash.
  if (!flavor || (row.flavor_id !== undefined && row.flavor_name !== undefined && SIZES.every((name) => row[name] !== undefined))) return row;
  // The server's own values first: from 2.47 its sizes are those it was booted with.
  return { ...row, flavor_id: id!, flavor_name: row.flavor_name ?? flavor.name, ...sizes(row, flavor) };
}

/** The half the flavors could not give, from the server's stored record while that names the same flavor. */
function fromOwnRecord(row: Fields, stored: Row): Fields {
  if (row.flavor_id !== undefined && row.flavor_id === stored.flavor_id && stored.flavor_name !== undefined) {
    return { ...row, flavor_name: stored.flavor_name, ...sizes(row, stored) };
  }
  if (row.flavor_name !== undefined && row.flavor_name === stored.flavor_name && stored.flavor_id !== undefined) {
    return { ...row, flavor_id: stored.flavor_id, ...sizes(row, stored) };
  }
  return row;
}

function sizes(row: Fields, from: Row): Fields {
  return Object.fromEntries(SIZES.map((name) => [name, row[name] ?? from[name]]));
}
