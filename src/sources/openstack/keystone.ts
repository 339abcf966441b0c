// Keystone v3: a token (from X-Subject-Token), the service catalog, and authenticated requests that
// re-authenticate once on 401. Secrets go only into the token request's body.
import { type HttpClient, type HttpResponse, statusText } from '../../http.ts';
import type { Cloud, CloudAuth } from './clouds.ts';
import { Secret } from './clouds.ts';

/**
 * A live source could not be collected (auth, catalog, a page that kept failing): that part writes
 * nothing. When an HTTP failure is the reason, it is the `cause` (with its status).
 */
export class OpenStackError extends Error {
  override name = 'OpenStackError';
}

/** Service types and their historical aliases, most current first (the service-types authority). */
export const SERVICE_TYPES = {
  compute: ['compute'],
  'block-storage': ['block-storage', 'volumev3', 'volumev2', 'volume', 'block-store'],
  image: ['image'],
  identity: ['identity'],
  'object-store': ['object-store'],
} as const;

export type ServiceType = keyof typeof SERVICE_TYPES;

interface CatalogEndpoint {
  readonly interface?: string;
  readonly region?: string;
  readonly region_id?: string;
  readonly url?: string;
}

interface CatalogService {
  readonly type?: string;
  readonly endpoints?: readonly CatalogEndpoint[];
}

interface Token {
  readonly value: Secret;
  readonly expiresAt: number;
  readonly catalog: readonly CatalogService[];
}

/** Re-authenticate this long before the token says it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export class KeystoneSession {
  private token?: Promise<Token>;

  constructor(
    private readonly http: HttpClient,
    private readonly cloud: Cloud,
    /** The source's `region`, which wins over the cloud's region_name. */
    private readonly region: string | undefined,
  ) {}

  /** Gets the first token: the one login every scan of the source shares. */
  async login(): Promise<void> {
    await this.current();
  }

  /** The endpoint URL of a service from the catalog, for the cloud's interface and region. */
  async endpoint(service: ServiceType): Promise<string> {
    const { catalog } = await this.current();
    const types: readonly string[] = SERVICE_TYPES[service];
    const wanted = this.cloud.interface;
    const region = this.region ?? this.cloud.regionName;
    for (const type of types) {
      const endpoints = catalog
        .filter((s) => s.type === type)
        .flatMap((s) => s.endpoints ?? [])
        .filter((e) => e.interface === wanted && typeof e.url === 'string');
      if (!endpoints.length) continue;
      const inRegion = region === undefined ? endpoints : endpoints.filter((e) => e.region === region || e.region_id === region);
      const regions = [...new Set(endpoints.map((e) => e.region ?? e.region_id ?? '?'))];
      if (!inRegion.length) {
        throw new OpenStackError(`the catalog has no ${wanted} ${service} endpoint in region ${region} (regions: ${regions.join(', ')})`);
      }
      if (region === undefined && regions.length > 1) {
        throw new OpenStackError(`the catalog has ${service} endpoints in several regions (${regions.join(', ')}): set region in the source or region_name in clouds.yaml`);
      }
      return inRegion[0]!.url!.replace(/\/+$/, '');
    }
    throw new OpenStackError(`the catalog has no ${wanted} ${service} endpoint (service type ${types.join(' or ')})${region ? ` in region ${region}` : ''}`);
  }

  /** An authenticated request; a 401 gets one fresh token and one more try. */
  async send(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET'): Promise<HttpResponse> {
    const token = await this.current();
    const response = await this.http.send(url, { method, headers: { ...headers, 'x-auth-token': token.value.reveal() } });
    if (response.status !== 401) return response;
    const fresh = await this.renew(token);
    return this.http.send(url, { method, headers: { ...headers, 'x-auth-token': fresh.value.reveal() } });
  }

  private current(): Promise<Token> {
    this.token ??= this.authenticate();
    return this.token.then((token) => (token.expiresAt - EXPIRY_MARGIN_MS < Date.now() ? this.renew(token) : token));
  }

  /** Requests racing on an expired token share one renewal. */
  private async renew(stale: Token): Promise<Token> {
    const now = await this.token;
    if (now !== stale) return now!;
    this.token = this.authenticate();
    return this.token;
  }

  private async authenticate(): Promise<Token> {
    const { auth } = this.cloud;
    const url = tokensUrl(auth.authUrl);
    const where = withoutSecrets(url);
    let response: HttpResponse;
    try {
      response = await this.http.send(url, { method: 'POST', json: authBody(auth) });
    } catch (err) {
      // A failed authentication is shared by every request of the source: it is not tried again per type.
      throw new OpenStackError(`authentication failed: ${(err as Error).message}`, { cause: err });
    }
    if (response.status !== 201 && response.status !== 200) {
      const hint = response.status === 401 ? ` (check the credentials of ${this.cloud.name})` : '';
      throw new OpenStackError(`authentication at ${where} failed: ${statusText(response.status)}${hint}`);
    }
    const value = response.headers['x-subject-token'];
    let body: { token?: { expires_at?: string; catalog?: CatalogService[] } };
    try {
      body = JSON.parse(response.body);
    } catch {
      throw new OpenStackError(`authentication at ${where}: the answer is not JSON`);
    }
    if (!value) throw new OpenStackError(`authentication at ${where}: no X-Subject-Token in the answer`);
    const catalog = body.token?.catalog;
    if (!Array.isArray(catalog)) throw new OpenStackError(`authentication at ${where}: the token has no service catalog (is it project-scoped?)`);
    const expires = Date.parse(body.token?.expires_at ?? '');
    return { value: new Secret(value), expiresAt: Number.isNaN(expires) ? Infinity : expires, catalog };
  }
}

/** The address as messages show it: no user, password or query, which a clouds.yaml auth_url may carry. */
function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(the auth_url)';
  }
}

/** `…:5000`, `…:5000/v3`, `…/identity/v3/`, even a v2.0 URL: all lead to `…/v3/auth/tokens`. */
export function tokensUrl(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '').replace(/\/v2\.0$/, '');
  return `${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`;
}

function authBody(auth: CloudAuth): unknown {
  const domain = (name?: string, id?: string) => (id ? { id } : name ? { name } : undefined);
  const user = {
    ...(auth.userId ? { id: auth.userId } : { name: auth.username }),
    ...(auth.userId ? {} : { domain: domain(auth.userDomainName, auth.userDomainId) ?? { id: 'default' } }),
  };
  if (auth.type === 'v3applicationcredential') {
    const credential = auth.applicationCredentialId
      ? { id: auth.applicationCredentialId, secret: auth.applicationCredentialSecret!.reveal() }
      : { name: auth.applicationCredentialName, secret: auth.applicationCredentialSecret!.reveal(), user };
    // An application credential carries its own project scope.
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }
  const project = auth.projectId
    ? { id: auth.projectId }
    : { name: auth.projectName, domain: domain(auth.projectDomainName, auth.projectDomainId) ?? { id: 'default' } };
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { ...user, password: auth.password!.reveal() } } },
      scope: { project },
    },
  };
}
