// What a live OpenStack source collects, one scan per resource type (SPEC §4.2). Every list goes
// through the one pager; each scan hands raw API objects to the type's `openstack` reader.
import { statusText } from '../../http.ts';
import { resourceType } from '../../types/index.ts';
import type { ResourceType } from '../../types/type.ts';
import { type KeystoneSession, OpenStackError, type ServiceType } from './keystone.ts';
import { type ListRequest, listPages } from './pager.ts';

/** Where a scan's objects go: the live ingest turns them into one snapshot. */
export interface ScanSink {
  /** One raw API object, and where it came from (for quarantine messages). */
  add(item: unknown, file: string, location: string): void;
  /** The service said the list is not whole: the snapshot may not remove anything. */
  incomplete(reason: string): void;
  /** A page arrived (progress). */
  page(): void;
}

export interface LiveScan {
  readonly type: ResourceType;
  run(sink: ScanSink): Promise<void>;
}

/**
 * Nova microversions, documented in the README: 2.69 returns the servers of a cell that is down as
 * UNKNOWN records (older versions leave them out); 2.47 embeds the flavor (name, vcpus, ram, disk)
 * in place of its id.
 */
const NOVA_DOWN_CELLS = '2.69';
const NOVA_EMBEDDED_FLAVOR = '2.47';
const PAGE_SIZE = 1000;

export function openstackScans(session: KeystoneSession, types: readonly string[]): LiveScan[] {
  const once = <T>(make: () => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= make());
  };
  const endpoint = (service: ServiceType) => once(() => session.endpoint(service));
  const compute = endpoint('compute');
  const blockStorage = endpoint('block-storage');
  const image = endpoint('image');
  const identity = endpoint('identity');
  const objectStore = endpoint('object-store');
  const novaVersion = once(async () => novaMicroversion(session, await compute()));
  // Projects are listed once per run, for the tenant scan and for the Swift accounts alike.
  const projects = once(async () => collectAll(session, { endpoint: versionless(await identity(), 'v3'), path: '/v3/projects', listKey: 'projects' }));
  // Flavors are listed once per run too: for the flavor scan, and for the servers, which name only
  // half of their flavor at any microversion (issue 13).
  const flavors = once(async () =>
    collectAll(session, { endpoint: await compute(), path: `/flavors/detail?is_public=None&limit=${PAGE_SIZE}`, listKey: 'flavors', byMarker: true }),
  );

  const list = (sink: ScanSink, request: ListRequest) => drain(session, request, sink);
  const scans: Record<string, (sink: ScanSink) => Promise<void>> = {
    vm: async (sink) => {
      const base = await compute();
      const version = await novaVersion();
      const headers = version ? { 'openstack-api-version': `compute ${version}`, 'x-openstack-nova-api-version': version } : undefined;
      const request = { endpoint: base, path: `/servers/detail?all_tenants=1&limit=${PAGE_SIZE}`, listKey: 'servers', byMarker: true, headers };
      await list(withFlavor(sink, flavorCatalogue(await flavors())), request);
    },
    flavor: async (sink) => replay(await flavors(), sink),
    volume: async (sink) =>
      list(sink, { endpoint: await blockStorage(), path: `/volumes/detail?all_tenants=1&limit=${PAGE_SIZE}`, listKey: 'volumes', byMarker: true }),
    volume_snapshot: async (sink) =>
      list(sink, { endpoint: await blockStorage(), path: `/snapshots/detail?all_tenants=1&limit=${PAGE_SIZE}`, listKey: 'snapshots', byMarker: true }),
    image: async (sink) => {
      const base = versionless(await image(), 'v2');
      // `visibility=all` adds community images; hidden images (os_hidden) come only when asked for.
      for (const hidden of ['false', 'true']) {
        await list(sink, { endpoint: base, path: `/v2/images?visibility=all&os_hidden=${hidden}&limit=${PAGE_SIZE}`, listKey: 'images', byMarker: true });
      }
    },
    tenant: async (sink) => replay(await projects(), sink),
    keystone_user: async (sink) => list(sink, { endpoint: versionless(await identity(), 'v3'), path: '/v3/users', listKey: 'users' }),
    membership: async (sink) =>
      list(sink, { endpoint: versionless(await identity(), 'v3'), path: '/v3/role_assignments?effective', listKey: 'role_assignments' }),
    swift_account: async (sink) => swiftAccounts(session, await objectStore(), await projects(), sink),
  };
  return types.map((name) => {
    const type = resourceType(name);
    const run = scans[name];
    if (!type || !run) throw new Error(`no live OpenStack scan for type ${name}`);
    return { type, run };
  });
}

/** Pages a list into the sink; `truncated` makes the snapshot incomplete. */
async function drain(session: KeystoneSession, request: ListRequest, sink: ScanSink): Promise<void> {
  const file = fileOf(request);
  for await (const page of listPages(session, request)) {
    sink.page();
    page.items.forEach((item, index) => sink.add(item, file, `page ${page.number} [${index}]`));
    if (page.truncated) sink.incomplete(`${file} came back truncated (Keystone list_limit)`);
  }
}

interface Collected {
  readonly file: string;
  readonly pages: { readonly items: readonly unknown[]; readonly truncated: boolean }[];
}

/** A whole list kept for several scans (the projects). */
async function collectAll(session: KeystoneSession, request: ListRequest): Promise<Collected> {
  const pages = [];
  for await (const page of listPages(session, request)) pages.push({ items: page.items, truncated: page.truncated });
  return { file: fileOf(request), pages };
}

function replay(collected: Collected, sink: ScanSink): void {
  collected.pages.forEach((page, n) => {
    sink.page();
    page.items.forEach((item, index) => sink.add(item, collected.file, `page ${n + 1} [${index}]`));
    if (page.truncated) sink.incomplete(`${collected.file} came back truncated (Keystone list_limit)`);
  });
}

/**
 * Swift usage per project: a HEAD of each project's account, with the operator's reseller-admin
 * token. A project without an account (404) has simply never used Swift: skipped, not an error.
 */
async function swiftAccounts(session: KeystoneSession, endpoint: string, projects: Collected, sink: ScanSink): Promise<void> {
  // The catalog names the token's own account (`…/v1/AUTH_<project>`): the others share its prefix.
  const match = /^(.*\/)([A-Za-z0-9]*_)[^/]+$/.exec(endpoint);
  if (!match) throw new OpenStackError(`the object-store endpoint ${endpoint} does not end in an account (like /v1/AUTH_<project id>)`);
  const [, base, prefix] = match;
  const ids = projects.pages.flatMap((p) => p.items).map((p) => (p as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
  if (projects.pages.some((p) => p.truncated)) sink.incomplete('the project list came back truncated, so some accounts were not asked for');
  await Promise.all(
    ids.map(async (id, index) => {
      const account = `${prefix}${id}`;
      const url = `${base}${account}`;
      const response = await session.send(url, {}, 'HEAD').catch((err: Error) => {
        throw new OpenStackError(err.message, { cause: err });
      });
      if (response.status === 404) return;
      if (response.status < 200 || response.status > 299) {
        const hint = response.status === 401 || response.status === 403 ? ' (reading other projects\' accounts needs the reseller admin role)' : '';
        throw new OpenStackError(`HEAD ${url}: ${statusText(response.status)}${hint}`);
      }
      sink.page();
      sink.add({ account, ...response.headers }, `${base}${prefix}…`, `project ${index + 1} of ${ids.length} (${account})`);
    }),
  );
}

/** The newest pinned microversion the Nova endpoint supports, or undefined for plain 2.1. */
async function novaMicroversion(session: KeystoneSession, endpoint: string): Promise<string | undefined> {
  let max: string | undefined;
  try {
    const response = await session.send(`${endpoint}/`);
    if (response.status === 200) max = (JSON.parse(response.body) as { version?: { version?: string } }).version?.version;
  } catch {
    // No version document: the oldest behaviour is assumed, and still works.
  }
  // Microversions compare by their minor number: 2.69 is newer than 2.7.
  const minor = (version: string) => Number(version.split('.')[1]);
  if (typeof max !== 'string' || !Number.isInteger(minor(max))) return undefined;
  return [NOVA_DOWN_CELLS, NOVA_EMBEDDED_FLAVOR].find((pinned) => minor(pinned) <= minor(max));
}

interface FlavorCatalogue {
  readonly byId: ReadonlyMap<string, Record<string, unknown>>;
  /** Names held by one flavor only (Nova keeps them unique). */
  readonly idByName: ReadonlyMap<string, string>;
}

function flavorCatalogue(collected: Collected): FlavorCatalogue {
  const byId = new Map<string, Record<string, unknown>>();
  const counts = new Map<string, number>();
  for (const page of collected.pages) {
    for (const flavor of page.items as (Record<string, unknown> | null)[]) {
      if (typeof flavor?.id !== 'string') continue;
      byId.set(flavor.id, flavor);
      if (typeof flavor.name === 'string') counts.set(flavor.name, (counts.get(flavor.name) ?? 0) + 1);
    }
  }
  const idByName = new Map<string, string>();
  for (const [id, flavor] of byId) if (counts.get(flavor.name as string) === 1) idByName.set(flavor.name as string, id);
  return { byId, idByName };
}

/**
 * Each server's flavor whole, from the flavor list of the same run: before 2.47 Nova gives its id
 * only (name and sizes added), from 2.47 its name and sizes only (the id added). The servers then
 * read the same at any microversion.
 */
function withFlavor(sink: ScanSink, flavors: FlavorCatalogue): ScanSink {
  return {
    ...sink,
    add(item, file, location) {
      const server = item as Record<string, unknown> | null;
      const ref = server?.flavor as Record<string, unknown> | undefined;
      if (ref === null || typeof ref !== 'object') return sink.add(item, file, location);
      const id = typeof ref.id === 'string' ? ref.id : typeof ref.original_name === 'string' ? flavors.idByName.get(ref.original_name) : undefined;
      const known = id === undefined ? undefined : flavors.byId.get(id);
      if (!known) return sink.add(item, file, location);
      // The server's embedded values first (from 2.47): the flavor as the server was booted with it.
      const whole = { original_name: known.name, vcpus: known.vcpus, ram: known.ram, disk: known.disk, ...ref, id };
      sink.add({ ...server, flavor: whole }, file, location);
    },
  };
}

/** Catalog URLs may or may not carry the API version; our paths add it. */
function versionless(url: string, version: string): string {
  return url.replace(new RegExp(`/${version}(\\.\\d+)?/?$`), '');
}

function fileOf(request: ListRequest): string {
  return `${request.endpoint}${request.path.split('?')[0]}`;
}
