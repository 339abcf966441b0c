// SPEC §4.2: credentials exactly as `openstack` CLI users have them: a clouds.yaml entry (with
// secure.yaml merged on top) named by the source's `cloud` or OS_CLOUD, else the plain OS_* variables.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { UsageError, describe } from '../../errors.ts';
import { isObject } from '../../types/type.ts';
import { readYamlFile } from '../../yaml-file.ts';

/** A password, secret or token: prints as `[secret]` however it is logged, stringified or inspected. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

export type AuthType = 'password' | 'v3applicationcredential';

export interface CloudAuth {
  readonly authUrl: string;
  readonly type: AuthType;
  readonly username?: string;
  readonly userId?: string;
  readonly password?: Secret;
  readonly userDomainName?: string;
  readonly userDomainId?: string;
  readonly projectName?: string;
  readonly projectId?: string;
  readonly projectDomainName?: string;
  readonly projectDomainId?: string;
  readonly applicationCredentialId?: string;
  readonly applicationCredentialName?: string;
  readonly applicationCredentialSecret?: Secret;
}

export interface Cloud {
  /** The clouds.yaml entry, or `OS_* environment`. */
  readonly name: string;
  /** Where it came from, for messages. */
  readonly origin: string;
  readonly auth: CloudAuth;
  readonly regionName?: string;
  /** Endpoint interface: public (default), internal or admin. */
  readonly interface: string;
  readonly verify: boolean;
  readonly cacert?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The first clouds.yaml / secure.yaml of the usual search path (openstacksdk's order). */
function findFile(env: Env, variable: string, name: string): string | undefined {
  const named = env[variable];
  if (named) {
    if (!existsSync(named)) throw new UsageError(`${variable}=${named}: no such file`);
    return named;
  }
  return [name, join(homedir(), '.config', 'openstack', name), join('/etc/openstack', name)].find((path) => existsSync(path));
}

function readYaml(path: string): Record<string, unknown> {
  const document = readYamlFile(path);
  if (!isObject(document)) throw new UsageError(`${path}: expected a mapping with a clouds key, found ${describe(document)}`);
  return document;
}

/**
 * The cloud a source uses: `cloud` from the source, else OS_CLOUD, else the OS_* variables.
 * `region` from the source wins over the cloud's region_name.
 */
export function resolveCloud(cloudName: string | undefined, env: Env = process.env): Cloud {
  const name = cloudName ?? (env.OS_CLOUD || undefined);
  if (name === undefined) return fromEnvironment(env);
  const cloudsFile = findFile(env, 'OS_CLIENT_CONFIG_FILE', 'clouds.yaml');
  if (!cloudsFile) {
    throw new UsageError(
      `cloud ${name}: no clouds.yaml found (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml)`,
    );
  }
  const clouds = readYaml(cloudsFile).clouds;
  if (!isObject(clouds)) throw new UsageError(`${cloudsFile}: clouds: expected a mapping of cloud names`);
  const entry = clouds[name];
  if (!isObject(entry)) {
    throw new UsageError(`${cloudsFile}: no cloud named ${name} (it has: ${Object.keys(clouds).join(', ') || 'none'})`);
  }
  let merged: Record<string, unknown> = entry;
  let origin = cloudsFile;
  const secureFile = findFile(env, 'OS_CLIENT_SECURE_FILE', 'secure.yaml');
  if (secureFile) {
    const secure = readYaml(secureFile).clouds;
    if (isObject(secure) && isObject(secure[name])) {
      merged = deepMerge(entry, secure[name]);
      origin = `${cloudsFile} + ${secureFile}`;
    }
  }
  return fromEntry(name, `${origin}: clouds.${name}`, merged);
}

function fromEntry(name: string, at: string, entry: Record<string, unknown>): Cloud {
  if (entry.profile !== undefined) throw new UsageError(`${at}.profile: vendor profiles are not supported; write the auth_url out`);
  const auth = entry.auth;
  if (!isObject(auth)) throw new UsageError(`${at}.auth: expected a mapping with auth_url and credentials`);
  const text = (key: string, map: Record<string, unknown> = auth, prefix = 'auth.'): string | undefined => {
    const value = map[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw new UsageError(`${at}.${prefix}${key}: expected text, found ${SECRET_KEYS.has(key) ? 'something else' : describe(value)}`);
  };
  const secret = (key: string) => {
    const value = text(key);
    return value === undefined ? undefined : new Secret(value);
  };
  const region = entry.region_name;
  const regionName = Array.isArray(region) ? regionOf(region[0]) : text('region_name', entry, '');
  const verify = entry.verify ?? true;
  if (typeof verify !== 'boolean') throw new UsageError(`${at}.verify: expected true or false, found ${describe(verify)}`);
  return checked(name, at, {
    auth: {
      authUrl: text('auth_url') ?? '',
      type: authType(text('auth_type', entry, '') ?? 'password', `${at}.auth_type`),
      username: text('username'),
      userId: text('user_id'),
      password: secret('password'),
      userDomainName: text('user_domain_name') ?? text('domain_name'),
      userDomainId: text('user_domain_id') ?? text('domain_id'),
      projectName: text('project_name') ?? text('tenant_name'),
      projectId: text('project_id') ?? text('tenant_id'),
      projectDomainName: text('project_domain_name') ?? text('domain_name'),
      projectDomainId: text('project_domain_id') ?? text('domain_id'),
      applicationCredentialId: text('application_credential_id'),
      applicationCredentialName: text('application_credential_name'),
      applicationCredentialSecret: secret('application_credential_secret'),
    },
    regionName,
    interface: text('interface', entry, '') ?? text('endpoint_type', entry, '') ?? 'public',
    verify,
    cacert: text('cacert', entry, ''),
  });
}

/** No cloud named: the OS_* variables of an openrc file. */
function fromEnvironment(env: Env): Cloud {
  const get = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const secret = (...names: string[]) => {
    const value = get(...names);
    return value === undefined ? undefined : new Secret(value);
  };
  if (!get('OS_AUTH_URL')) {
    throw new UsageError('no cloud named (set cloud: in the source, or OS_CLOUD) and no OS_AUTH_URL in the environment');
  }
  const insecure = get('OS_INSECURE');
  return checked('OS_* environment', 'the OS_* environment', {
    auth: {
      authUrl: get('OS_AUTH_URL')!,
      type: authType(get('OS_AUTH_TYPE') ?? 'password', 'OS_AUTH_TYPE'),
      username: get('OS_USERNAME'),
      userId: get('OS_USER_ID'),
      password: secret('OS_PASSWORD'),
      userDomainName: get('OS_USER_DOMAIN_NAME', 'OS_DOMAIN_NAME'),
      userDomainId: get('OS_USER_DOMAIN_ID', 'OS_DOMAIN_ID'),
      projectName: get('OS_PROJECT_NAME', 'OS_TENANT_NAME'),
      projectId: get('OS_PROJECT_ID', 'OS_TENANT_ID'),
      projectDomainName: get('OS_PROJECT_DOMAIN_NAME', 'OS_DOMAIN_NAME'),
      projectDomainId: get('OS_PROJECT_DOMAIN_ID', 'OS_DOMAIN_ID'),
      applicationCredentialId: get('OS_APPLICATION_CREDENTIAL_ID'),
      applicationCredentialName: get('OS_APPLICATION_CREDENTIAL_NAME'),
      applicationCredentialSecret: secret('OS_APPLICATION_CREDENTIAL_SECRET'),
    },
    regionName: get('OS_REGION_NAME'),
    interface: get('OS_INTERFACE', 'OS_ENDPOINT_TYPE') ?? 'public',
    verify: !(insecure && /^(1|true|yes)$/i.test(insecure)),
    cacert: get('OS_CACERT'),
  });
}

const SECRET_KEYS = new Set(['password', 'application_credential_secret', 'token']);

function authType(value: string, at: string): AuthType {
  const type = value.toLowerCase();
  if (type === 'password' || type === 'v3password') return 'password';
  if (type === 'v3applicationcredential' || type === 'applicationcredential') return 'v3applicationcredential';
  throw new UsageError(`${at}: auth type ${value} is not supported (password or v3applicationcredential)`);
}

/** What Keystone will need, checked before anything is sent. */
function checked(name: string, at: string, cloud: Omit<Cloud, 'name' | 'origin'>): Cloud {
  const { auth } = cloud;
  const missing = (what: string) => new UsageError(`${at}: ${what}`);
  if (!auth.authUrl) throw missing('auth_url is missing');
  try {
    new URL(auth.authUrl);
  } catch {
    throw missing(`auth_url is not a URL: ${describe(auth.authUrl)}`);
  }
  if (auth.type === 'password') {
    if (!auth.username && !auth.userId) throw missing('username (or user_id) is missing');
    if (!auth.password) throw missing('password is missing (put it in secure.yaml, clouds.yaml or OS_PASSWORD)');
    if (!auth.projectName && !auth.projectId) throw missing('project_name (or project_id) is missing: listing every project needs a project-scoped admin token');
  } else {
    if (!auth.applicationCredentialId && !auth.applicationCredentialName) throw missing('application_credential_id (or _name) is missing');
    if (!auth.applicationCredentialSecret) throw missing('application_credential_secret is missing');
    if (!auth.applicationCredentialId && !auth.username && !auth.userId) {
      throw missing('an application credential given by name needs username (or user_id) too');
    }
  }
  if (!['public', 'internal', 'admin'].includes(cloud.interface.replace(/URL$/, ''))) {
    throw missing(`interface: expected public, internal or admin, found ${describe(cloud.interface)}`);
  }
  return { name, origin: at, ...cloud, interface: cloud.interface.replace(/URL$/, '') };
}

function regionOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.name === 'string') return value.name;
  return undefined;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

