// One pager for every OpenStack list (SPEC §4.2): `<list>_links` next (Nova, Cinder), `links.next`
// (Keystone), Glance's relative `next`, a `Link: <…>; rel="next"` header, and a marker fallback when
// a page comes back without any link.
import { HttpError, statusText } from '../../http.ts';
import { type KeystoneSession, OpenStackError } from './keystone.ts';

export interface ListRequest {
  /** The endpoint from the catalog: followed links are aimed at its scheme and host. */
  readonly endpoint: string;
  /** Path and query of the first page, relative to the endpoint (`/servers/detail?all_tenants=1`). */
  readonly path: string;
  /** The member of the answer that holds the list (`servers`). */
  readonly listKey: string;
  /**
   * The service pages by `marker` (Nova, Cinder, Glance): a page without a link is followed by one
   * more request from its last id, since a service may cap a page below our `limit` without saying
   * so; an empty answer, or one of items already seen, ends the list.
   */
  readonly byMarker?: boolean;
  readonly headers?: Record<string, string>;
}

export interface Page {
  /** From 1. */
  readonly number: number;
  /** The items not already seen on an earlier page (by `id`). */
  readonly items: readonly unknown[];
  /** Items of this page dropped as already seen (a list that shifted between pages). */
  readonly repeated: number;
  /** The service said it cut the list short (Keystone `truncated: true`). */
  readonly truncated: boolean;
}

export async function* listPages(session: KeystoneSession, request: ListRequest): AsyncGenerator<Page> {
  const endpoint = new URL(`${request.endpoint}/`);
  let url: URL | undefined = new URL(request.endpoint + request.path);
  const fetched = new Set<string>();
  const seen = new Set<string>();
  for (let number = 1; url; number++) {
    const address = url.href;
    if (fetched.has(address)) throw new OpenStackError(`${where(url)}: the next link of page ${number - 1} leads back to an earlier page`);
    fetched.add(address);
    const response = await session.send(address, request.headers).catch((err: Error) => {
      throw err instanceof HttpError ? new OpenStackError(`${where(url!)}: page ${number}: ${err.detail}`, { cause: err }) : err;
    });
    if (response.status < 200 || response.status > 299) {
      throw new OpenStackError(`${where(url)}: page ${number}: ${statusText(response.status)}${hintFor(response.status)}`);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      throw new OpenStackError(`${where(url)}: page ${number}: the answer is not JSON`);
    }
    const list = body?.[request.listKey];
    if (!Array.isArray(list)) {
      throw new OpenStackError(`${where(url)}: page ${number}: expected a ${request.listKey} list, found keys ${Object.keys(body ?? {}).join(', ') || 'none'}`);
    }
    const items: unknown[] = [];
    for (const item of list) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string' || typeof id === 'number') {
        if (seen.has(String(id))) continue;
        seen.add(String(id));
      }
      items.push(item);
    }
    yield { number, items, repeated: list.length - items.length, truncated: body.truncated === true };

    const next = nextLink(body, request.listKey, response.headers.link);
    if (next !== undefined) {
      url = aimed(next, endpoint);
    } else if (request.byMarker && items.length > 0) {
      const marker = (list[list.length - 1] as { id?: unknown } | null)?.id;
      if (marker === undefined || marker === null) throw new OpenStackError(`${where(url)}: page ${number} came without a next link and its last item has no id to page on`);
      url = new URL(url);
      url.searchParams.set('marker', String(marker));
    } else {
      url = undefined;
    }
  }
}

function nextLink(body: Record<string, unknown>, listKey: string, header: string | undefined): string | undefined {
  const links = body[`${listKey}_links`];
  if (Array.isArray(links)) {
    const next = links.find((l) => (l as { rel?: unknown } | null)?.rel === 'next') as { href?: unknown } | undefined;
    if (typeof next?.href === 'string' && next.href) return next.href;
  }
  const keystone = (body.links as { next?: unknown } | undefined)?.next;
  if (typeof keystone === 'string' && keystone) return keystone;
  if (typeof body.next === 'string' && body.next) return body.next;
  const match = header && /<([^>]+)>\s*;\s*rel="?next"?/.exec(header);
  return match ? match[1] : undefined;
}

/**
 * A link as the endpoint would have written it: relative ones (Glance's `/v2/images?marker=…`) are
 * joined to the endpoint, keeping its path prefix; absolute ones keep their path and query but go to
 * the catalog endpoint's scheme and host, because proxies often leak internal host names into them.
 */
function aimed(link: string, endpoint: URL): URL {
  const prefix = endpoint.pathname.replace(/\/+$/, '');
  if (/^https?:\/\//i.test(link)) {
    const target = new URL(link);
    return new URL(`${target.pathname}${target.search}`, endpoint.origin);
  }
  const path = link.startsWith('/') && prefix && !link.startsWith(`${prefix}/`) ? `${prefix}${link}` : link;
  return new URL(path, endpoint.href);
}

function where(url: URL): string {
  return `GET ${url.origin}${url.pathname}`;
}

function hintFor(status: number): string {
  if (status === 403) return ' (the account needs the admin role to list every project\'s resources)';
  return '';
}
