// A fake OpenStack on 127.0.0.1 for the live-collection tests: Keystone v3 tokens and a catalog with
// two regions and three interfaces; Nova, Cinder, Glance, Keystone and Swift, each paging the way the
// real service does; and faults that can be injected per request (statuses, Retry-After, drops).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Item = Record<string, unknown>;

export interface FakeData {
  servers: Item[];
  flavors: Item[];
  volumes: Item[];
  snapshots: Item[];
  images: Item[];
  projects: Item[];
  users: Item[];
  role_assignments: Item[];
  /** Swift accounts by project id; a project without one answers 404. */
  swift: Record<string, { bytes: number; containers: number; objects: number; quota?: number }>;
}

export interface Fault {
  readonly method?: string;
  /** Matched against the path and query. */
  readonly path: RegExp;
  /** How many matching requests get the fault (default: every one). */
  times?: number;
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Close the connection without an answer. */
  readonly drop?: boolean;
}

export interface LoggedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}

export interface FakeOptions {
  /** Items per page when the client asks for more (the services' max_limit). */
  pageSize: number;
  /** Nova's newest microversion (the version document). */
  novaMaxVersion: string;
  /** Keystone lists cut at this many items with `truncated: true` (list_limit). */
  keystoneListLimit?: number;
  /** Keystone pages users with `links.next` at this size. */
  keystoneUserPage?: number;
  /** Cinder snapshots come without links even when a page is full (marker fallback). */
  snapshotsWithoutLinks: boolean;
  /** Next links name this host instead of the real one (a proxy that leaks internal names). */
  linkHost?: string;
  /** Each page after the first repeats the last item of the page before (a list that shifted). */
  repeatAcrossPages?: boolean;
  /** Service types left out of the catalog. */
  missingServices?: string[];
}

export const CREDENTIALS = {
  username: 'usage-collector',
  password: 'pw-Zq8#not-in-any-output',
  projectName: 'admin',
  applicationCredentialId: 'ac-4f1e',
  applicationCredentialSecret: 'acs-Vx7!not-in-any-output',
};

export const ADMIN_PROJECT = 'p-admin';
export const REGIONS = ['sa', 'melbourne'];
const INTERFACES = ['public', 'internal', 'admin'];

export class FakeOpenStack {
  readonly requests: LoggedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly options: FakeOptions = { pageSize: 1000, novaMaxVersion: '2.96', snapshotsWithoutLinks: false };
  /** Tokens issued, and the ones still valid. */
  readonly issued: string[] = [];
  private readonly valid = new Set<string>();
  private server?: Server;
  base = '';

  constructor(public data: FakeData) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => this.handle(req, res, body));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    this.server?.close();
  }

  /** The Keystone auth_url, as a clouds.yaml would give it. */
  get authUrl(): string {
    return `${this.base}/identity/v3`;
  }

  /** Every token issued so far stops working (as after a Keystone restart with new keys). */
  expireTokens(): void {
    this.valid.clear();
  }

  fault(fault: Fault): void {
    this.faults.push(fault);
  }

  /** The requests to one service path (a regular expression on path and query). */
  requestsTo(path: RegExp, method = 'GET'): LoggedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.url));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', url, headers: req.headers, body, at: Date.now() });
    const fault = this.faults.find((f) => (!f.method || f.method === req.method) && f.path.test(url) && (f.times === undefined || f.times > 0));
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(fault.status ?? 500, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ error: { code: fault.status, message: 'injected fault' } }));
      return;
    }
    const parsed = new URL(url, this.base);
    const path = parsed.pathname;
    if (req.method === 'POST' && path === '/identity/v3/auth/tokens') return this.tokens(res, body);
    const token = req.headers['x-auth-token'];
    if (typeof token !== 'string' || !this.valid.has(token)) return json(res, 401, { error: { code: 401, message: 'The request you have made requires authentication.' } });
    // Endpoints are /<region>/<interface>/<service>/...; the service answers the same everywhere.
    const match = /^\/([a-z]+)\/([a-z]+)\/(compute|volume|image|identity|swift)(\/.*)?$/.exec(path);
    if (!match) return json(res, 404, { error: 'no such endpoint' });
    const [, , , service, rest = '/'] = match;
    const q = parsed.searchParams;
    const prefix = path.slice(0, path.length - rest.length);
    switch (service) {
      case 'compute':
        return this.nova(req, res, rest, q, prefix);
      case 'volume':
        return this.cinder(res, rest, q, prefix);
      case 'image':
        return this.glance(res, rest, q);
      case 'identity':
        return this.keystone(res, rest, q, prefix);
      case 'swift':
        return this.swift(req, res, rest);
    }
  }

  private tokens(res: ServerResponse, body: string): void {
    const identity = JSON.parse(body)?.auth?.identity ?? {};
    const password = identity.password?.user;
    const credential = identity.application_credential;
    const ok =
      (password?.name === CREDENTIALS.username && password?.password === CREDENTIALS.password) ||
      (credential?.id === CREDENTIALS.applicationCredentialId && credential?.secret === CREDENTIALS.applicationCredentialSecret);
    if (!ok) return json(res, 401, { error: { code: 401, message: 'The request you have made requires authentication.' } });
    const token = `gAAAAAB-token-${this.issued.length + 1}-not-in-any-output`;
    this.issued.push(token);
    this.valid.add(token);
    const endpoints = (service: string, suffix: string) =>
      REGIONS.flatMap((region) =>
        INTERFACES.map((iface) => ({ interface: iface, region, region_id: region, url: `${this.base}/${region}/${iface}/${service}${suffix}` })),
      );
    const catalog = [
      { type: 'compute', name: 'nova', endpoints: endpoints('compute', '/v2.1') },
      { type: 'volumev3', name: 'cinderv3', endpoints: endpoints('volume', `/v3/${ADMIN_PROJECT}`) },
      { type: 'image', name: 'glance', endpoints: endpoints('image', '') },
      { type: 'identity', name: 'keystone', endpoints: endpoints('identity', '/v3') },
      { type: 'object-store', name: 'swift', endpoints: endpoints('swift', `/v1/AUTH_${ADMIN_PROJECT}`) },
    ].filter((service) => !this.options.missingServices?.includes(service.type));
    res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': token });
    res.end(JSON.stringify({ token: { expires_at: new Date(Date.now() + 3_600_000).toISOString(), catalog } }));
  }

  private nova(req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams, endpoint: string): void {
    if (!path.startsWith('/v2.1')) return json(res, 404, { itemNotFound: { code: 404 } });
    const rest = path.slice('/v2.1'.length);
    const prefix = `${endpoint}/v2.1`;
    if (rest === '/' || rest === '') {
      return json(res, 200, { version: { id: 'v2.1', status: 'CURRENT', version: this.options.novaMaxVersion, min_version: '2.1' } });
    }
    const asked = String(req.headers['openstack-api-version'] ?? '').replace('compute ', '') || '2.1';
    const embedded = Number(asked.split('.')[1]) >= 47;
    if (rest === '/servers/detail') {
      const servers = this.data.servers.map((s) => {
        if (s.status === 'UNKNOWN' || !('flavor' in s)) return s;
        const flavor = s.flavor as Item;
        return { ...s, flavor: embedded ? { original_name: flavor.name, vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk } : { id: flavor.id, links: [] } };
      });
      return this.listWithLinks(res, 'servers', servers, q, prefix + rest);
    }
    if (rest === '/flavors/detail') return this.listWithLinks(res, 'flavors', this.data.flavors, q, prefix + rest);
    return json(res, 404, { itemNotFound: { code: 404 } });
  }

  private cinder(res: ServerResponse, rest: string, q: URLSearchParams, prefix: string): void {
    if (rest === `/v3/${ADMIN_PROJECT}/volumes/detail`) return this.listWithLinks(res, 'volumes', this.data.volumes, q, prefix + rest);
    if (rest === `/v3/${ADMIN_PROJECT}/snapshots/detail`) {
      if (this.options.snapshotsWithoutLinks) {
        const { items } = this.page(this.data.snapshots, q);
        return json(res, 200, { snapshots: items });
      }
      return this.listWithLinks(res, 'snapshots', this.data.snapshots, q, prefix + rest);
    }
    return json(res, 404, { itemNotFound: { code: 404 } });
  }

  private glance(res: ServerResponse, rest: string, q: URLSearchParams): void {
    if (rest !== '/v2/images') return json(res, 404, { error: 'not found' });
    const hidden = q.get('os_hidden') === 'true';
    const images = this.data.images.filter((i) => !!i.os_hidden === hidden && (i.visibility !== 'community' || q.get('visibility') === 'all'));
    const { items, more } = this.page(images, q);
    const next = new URLSearchParams(q);
    next.set('marker', String(items.at(-1)?.id));
    // Glance's next link is relative to the endpoint, without the endpoint's own path prefix.
    json(res, 200, { images: items, first: '/v2/images', schema: '/v2/schemas/images', ...(more ? { next: `/v2/images?${next}` } : {}) });
  }

  private keystone(res: ServerResponse, rest: string, q: URLSearchParams, prefix: string): void {
    const lists: Record<string, Item[]> = { '/v3/projects': this.data.projects, '/v3/users': this.data.users, '/v3/role_assignments': this.data.role_assignments };
    const all = lists[rest];
    if (!all) return json(res, 404, { error: { code: 404 } });
    const key = rest.slice(4);
    const limit = this.options.keystoneListLimit;
    if (limit !== undefined && all.length > limit) {
      return json(res, 200, { [key]: all.slice(0, limit), links: { self: this.base + prefix + rest, next: null, previous: null }, truncated: true });
    }
    const size = key === 'users' ? this.options.keystoneUserPage : undefined;
    if (size) {
      const start = Number(q.get('page') ?? 0);
      const more = start + size < all.length;
      const next = more ? `${this.linkBase()}${prefix}${rest}?page=${start + size}` : null;
      return json(res, 200, { [key]: all.slice(start, start + size), links: { self: this.base + prefix + rest, next, previous: null } });
    }
    json(res, 200, { [key]: all, links: { self: this.base + prefix + rest, next: null, previous: null } });
  }

  private swift(req: IncomingMessage, res: ServerResponse, rest: string): void {
    const account = /^\/v1\/AUTH_(.+)$/.exec(rest)?.[1];
    const usage = account === undefined ? undefined : this.data.swift[account];
    if (req.method !== 'HEAD' || !usage) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(204, {
      'x-account-bytes-used': String(usage.bytes),
      'x-account-container-count': String(usage.containers),
      'x-account-object-count': String(usage.objects),
      ...(usage.quota === undefined ? {} : { 'x-account-meta-quota-bytes': String(usage.quota) }),
      'x-timestamp': '1763690400.00000',
    });
    res.end();
  }

  /** Nova and Cinder: `limit` + `marker`, and a `<key>_links` next link when the page is full. */
  private listWithLinks(res: ServerResponse, key: string, all: Item[], q: URLSearchParams, path: string): void {
    const { items, more } = this.page(all, q);
    const body: Record<string, unknown> = { [key]: items };
    if (more) {
      const next = new URLSearchParams(q);
      next.set('marker', String(items.at(-1)?.id));
      body[`${key}_links`] = [{ rel: 'next', href: `${this.linkBase()}${path}?${next}` }];
    }
    json(res, 200, body);
  }

  private page(all: Item[], q: URLSearchParams): { items: Item[]; more: boolean } {
    const marker = q.get('marker');
    let start = marker === null ? 0 : all.findIndex((i) => i.id === marker) + 1;
    if (marker !== null && start === 0) return { items: [], more: false };
    if (marker !== null && this.options.repeatAcrossPages) start--;
    const size = Math.min(Number(q.get('limit') ?? this.options.pageSize), this.options.pageSize);
    const items = all.slice(start, start + size);
    return { items, more: start + size < all.length };
  }

  private linkBase(): string {
    return this.options.linkHost ?? this.base;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A small, real-shaped cloud: three servers, flavors, volumes, snapshots, images, projects, users. */
export function sampleCloud(): FakeData {
  const flavor = (id: string, name: string, vcpus: number, ram: number, disk: number) => ({
    id,
    name,
    vcpus,
    ram,
    disk,
    'OS-FLV-EXT-DATA:ephemeral': 0,
    swap: '',
    'os-flavor-access:is_public': true,
  });
  const flavors = [flavor('f-small', 'm3.small', 2, 4096, 30), flavor('f-large', 'm3.large', 8, 16384, 30)];
  const server = (id: string, project: string, f: Item, status = 'ACTIVE') => ({
    id,
    name: `vm ${id}`,
    status,
    tenant_id: project,
    user_id: 'u-1',
    hostId: 'a1b2',
    created: '2026-11-01T01:00:00Z',
    'OS-EXT-STS:vm_state': status === 'ACTIVE' ? 'active' : 'stopped',
    'OS-EXT-STS:power_state': status === 'ACTIVE' ? 1 : 4,
    'OS-EXT-AZ:availability_zone': 'sa',
    'OS-SRV-USG:launched_at': '2026-11-01T01:02:03.000000',
    image: { id: 'img-1' },
    flavor: f,
    key_name: 'my-key',
    addresses: { private: [{ addr: '10.0.0.5', version: 4 }] },
  });
  return {
    flavors,
    servers: [server('s-1', 'p-alpha', flavors[0]!), server('s-2', 'p-alpha', flavors[1]!), server('s-3', 'p-beta', flavors[0]!, 'SHUTOFF')],
    volumes: [
      { id: 'v-1', status: 'in-use', size: 100, 'os-vol-tenant-attr:tenant_id': 'p-alpha', user_id: 'u-1', availability_zone: 'sa', volume_type: 'standard', bootable: 'false', encrypted: false, attachments: [{ server_id: 's-1' }], created_at: '2026-11-01T01:00:00.000000', name: 'data' },
      { id: 'v-2', status: 'available', size: 20, 'os-vol-tenant-attr:tenant_id': 'p-beta', user_id: 'u-2', availability_zone: 'sa', volume_type: 'standard', bootable: 'true', encrypted: false, attachments: [], created_at: '2026-11-02T01:00:00.000000', name: 'boot' },
    ],
    snapshots: [
      { id: 'vs-1', volume_id: 'v-1', 'os-extended-snapshot-attributes:project_id': 'p-alpha', size: 100, status: 'available', created_at: '2026-11-03T00:00:00.000000' },
      { id: 'vs-2', volume_id: 'v-1', 'os-extended-snapshot-attributes:project_id': 'p-alpha', size: 100, status: 'available', created_at: '2026-11-04T00:00:00.000000' },
      { id: 'vs-3', volume_id: 'v-2', 'os-extended-snapshot-attributes:project_id': 'p-beta', size: 20, status: 'available', created_at: '2026-11-05T00:00:00.000000' },
    ],
    images: [
      { id: 'img-1', name: 'Ubuntu 24.04', owner: 'p-admin', visibility: 'public', status: 'active', size: 2361393152, min_disk: 10, min_ram: 0, disk_format: 'qcow2', created_at: '2026-10-01T00:00:00Z', updated_at: '2026-10-01T00:00:00Z' },
      { id: 'img-2', name: 'their snapshot', owner: 'p-beta', visibility: 'private', status: 'active', size: 1073741824, min_disk: 20, min_ram: 0, disk_format: 'raw', created_at: '2026-11-02T00:00:00Z', updated_at: '2026-11-02T00:00:00Z' },
      { id: 'img-3', name: 'shared by a community', owner: 'p-alpha', visibility: 'community', status: 'active', size: 12345, min_disk: 0, min_ram: 0, disk_format: 'qcow2', created_at: '2026-11-02T00:00:00Z', updated_at: '2026-11-02T00:00:00Z' },
      { id: 'img-4', name: 'old, hidden', owner: 'p-admin', visibility: 'public', status: 'active', os_hidden: true, size: 999, min_disk: 0, min_ram: 0, disk_format: 'qcow2', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-06-01T00:00:00Z' },
    ],
    projects: [
      { id: 'p-admin', name: 'admin', domain_id: 'default', parent_id: 'default', enabled: true, description: '' },
      { id: 'p-alpha', name: 'Alpha lab', domain_id: 'default', parent_id: 'default', enabled: true, description: 'genomics' },
      { id: 'p-beta', name: 'Beta group', domain_id: 'default', parent_id: 'default', enabled: false, description: '' },
    ],
    users: [
      { id: 'u-1', name: 'alice', domain_id: 'default', enabled: true, email: 'alice@uni.example.edu', default_project_id: 'p-alpha' },
      { id: 'u-2', name: 'bob', domain_id: 'default', enabled: true, email: 'bob@lab.example.org' },
      { id: 'u-3', name: 'carol', domain_id: 'default', enabled: false },
    ],
    role_assignments: [
      { role: { id: 'r-member' }, scope: { project: { id: 'p-alpha' } }, user: { id: 'u-1' } },
      { role: { id: 'r-member' }, scope: { project: { id: 'p-beta' } }, user: { id: 'u-2' } },
      { role: { id: 'r-admin' }, scope: { domain: { id: 'default' } }, user: { id: 'u-3' } },
    ],
    swift: {
      'p-alpha': { bytes: 5_000_000_000, containers: 3, objects: 1200, quota: 10_000_000_000 },
      'p-beta': { bytes: 0, containers: 0, objects: 0 },
    },
  };
}
