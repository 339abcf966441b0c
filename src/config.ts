// SPEC §4.3: the YAML configuration. Found in the usual places, validated key by key; a mistake is a
// usage error naming the file and the key. Secrets never live here.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError, describe } from './errors.ts';
import { OPENSTACK_TYPES } from './sources/openstack/collected.ts';
import { isTimeZone } from './time.ts';
import { resourceTypes } from './types/index.ts';
import type { PrivacyMode } from './types/normalise.ts';

export const SOURCE_KINDS = ['openstack', 'pbs', 'slurm', 'dump'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceConfig {
  readonly name: string;
  readonly kind: SourceKind;
  readonly types?: readonly string[];
  readonly privateFields: PrivacyMode;
  readonly allowMassRemoval: boolean;
  /** Kind-specific settings (cloud, region, path, timezone, cluster, lookback...), validated by name and type. */
  readonly settings: Readonly<Record<string, string | number>>;
}

export interface Config {
  /** The file it came from; undefined when there is none (ingest --dump and export need none). */
  readonly path?: string;
  readonly db?: string;
  readonly sources: ReadonlyMap<string, SourceConfig>;
}

const COMMON_KEYS = ['kind', 'types', 'private_fields', 'allow_mass_removal'];

/** How a kind-specific setting is written: text, a whole number from 1, or a duration. */
type SettingKind = 'text' | 'count' | 'seconds' | 'duration' | 'timezone';

const KIND_KEYS: Record<SourceKind, Readonly<Record<string, SettingKind>>> = {
  openstack: { cloud: 'text', region: 'text', max_requests_per_host: 'count', timeout: 'seconds' },
  pbs: { path: 'text', timezone: 'timezone' },
  slurm: { cluster: 'text', lookback: 'duration', command: 'text' },
  dump: { path: 'text' },
};

const REQUIRED_KEYS: Record<SourceKind, readonly string[]> = { openstack: [], pbs: ['path'], slurm: [], dump: ['path'] };

/** The types each kind can collect; `types:` may choose among them (default: all). */
function kindTypes(kind: SourceKind): readonly string[] {
  if (kind === 'openstack') return OPENSTACK_TYPES;
  if (kind === 'dump') return resourceTypes().map((type) => type.name);
  return ['job'];
}

/** `2d`, `36h`, `90m`, `3600s` (or bare seconds) -> seconds; undefined when it is none of those. */
export function durationSeconds(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function setting(kind: SettingKind, value: unknown, bad: (detail: string) => Error): string | number {
  const found = `found ${describe(value)}`;
  switch (kind) {
    case 'text':
      if (typeof value === 'string' && value !== '') return value;
      throw bad(`expected text, ${found}`);
    case 'count':
      if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
      throw bad(`expected a whole number from 1, ${found}`);
    case 'seconds':
      if (typeof value === 'number' && value > 0) return value;
      throw bad(`expected seconds (a number above 0), ${found}`);
    case 'duration': {
      const seconds = typeof value === 'string' || typeof value === 'number' ? durationSeconds(String(value)) : undefined;
      if (seconds !== undefined && seconds > 0) return seconds;
      throw bad(`expected a duration like 2d, 36h or 90m, ${found}`);
    }
    case 'timezone':
      if (typeof value === 'string' && isTimeZone(value)) return value;
      throw bad(`expected an IANA time zone like Australia/Adelaide or UTC, ${found}`);
  }
}
const PRIVACY_MODES: readonly PrivacyMode[] = ['drop', 'keep', 'hash'];

/** `--config`, else `$USAGE_ETL_CONFIG`, else the first of the usual places that exists. */
function findConfig(explicit?: string): string | undefined {
  const named = explicit ?? process.env.USAGE_ETL_CONFIG;
  if (named) {
    if (!existsSync(named)) throw new UsageError(`config file not found: ${named}`);
    return named;
  }
  const candidates = ['usage-etl.yaml', join(homedir(), '.config', 'usage-etl', 'config.yaml'), '/etc/usage-etl/config.yaml'];
  return candidates.find((path) => existsSync(path));
}

export function loadConfig(explicit?: string): Config {
  const path = findConfig(explicit);
  if (!path) return { sources: new Map() };
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseConfig(path, document ?? {});
}

export function parseConfig(path: string, document: unknown): Config {
  const bad = (key: string, detail: string) => new UsageError(`${path}: ${key}: ${detail}`);
  if (!isMap(document)) throw bad('(top level)', `expected a mapping, found ${describe(document)}`);
  for (const key of Object.keys(document)) {
    if (key !== 'db' && key !== 'sources') throw bad(key, 'unknown key (expected db, sources)');
  }
  if (document.db !== undefined && typeof document.db !== 'string') throw bad('db', `expected a path, found ${describe(document.db)}`);
  const sources = new Map<string, SourceConfig>();
  const listed = document.sources ?? {};
  if (!isMap(listed)) throw bad('sources', `expected a mapping of source names, found ${describe(listed)}`);
  for (const [name, entry] of Object.entries(listed)) {
    const at = `sources.${name}`;
    if (!isMap(entry)) throw bad(at, `expected a mapping, found ${describe(entry)}`);
    const kind = entry.kind;
    if (typeof kind !== 'string' || !(SOURCE_KINDS as readonly string[]).includes(kind)) {
      throw bad(`${at}.kind`, `expected one of ${SOURCE_KINDS.join(', ')}, found ${describe(kind)}`);
    }
    const kindKeys = KIND_KEYS[kind as SourceKind];
    const allowed = [...COMMON_KEYS, ...Object.keys(kindKeys)];
    const settings: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(entry)) {
      if (!allowed.includes(key)) throw bad(`${at}.${key}`, `unknown key for kind ${kind} (expected ${allowed.join(', ')})`);
      const settingKind = kindKeys[key];
      if (settingKind) settings[key] = setting(settingKind, value, (detail) => bad(`${at}.${key}`, detail));
    }
    for (const needed of REQUIRED_KEYS[kind as SourceKind]) {
      if (settings[needed] === undefined) throw bad(`${at}.${needed}`, `missing (kind ${kind} needs it)`);
    }
    const types = entry.types;
    if (types !== undefined && !(Array.isArray(types) && types.length && types.every((t) => typeof t === 'string'))) {
      throw bad(`${at}.types`, `expected a list of resource types, found ${Array.isArray(types) && !types.length ? 'an empty list' : describe(types)}`);
    }
    const collectable = kindTypes(kind as SourceKind);
    const unknownType = (types as string[] | undefined)?.find((t) => !collectable.includes(t));
    if (unknownType !== undefined) throw bad(`${at}.types`, `${unknownType} is not a type of kind ${kind} (expected some of ${collectable.join(', ')})`);
    const privateFields = entry.private_fields ?? 'drop';
    if (!PRIVACY_MODES.includes(privateFields as PrivacyMode)) {
      throw bad(`${at}.private_fields`, `expected drop, keep or hash, found ${describe(privateFields)}`);
    }
    const allowMassRemoval = entry.allow_mass_removal ?? false;
    if (typeof allowMassRemoval !== 'boolean') {
      throw bad(`${at}.allow_mass_removal`, `expected true or false, found ${describe(allowMassRemoval)}`);
    }
    sources.set(name, {
      name,
      kind: kind as SourceKind,
      types: types as string[] | undefined,
      privateFields: privateFields as PrivacyMode,
      allowMassRemoval,
      settings,
    });
  }
  return { path, db: document.db as string | undefined, sources };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
