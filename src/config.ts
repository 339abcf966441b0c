// SPEC §4.3: the YAML configuration. Found in the usual places, validated key by key; a mistake is a
// usage error naming the file and the key. Secrets never live here.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError, describe } from './errors.ts';
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
  readonly settings: Readonly<Record<string, string>>;
}

export interface Config {
  /** The file it came from; undefined when there is none (ingest --dump and export need none). */
  readonly path?: string;
  readonly db?: string;
  readonly sources: ReadonlyMap<string, SourceConfig>;
}

const COMMON_KEYS = ['kind', 'types', 'private_fields', 'allow_mass_removal'];
const KIND_KEYS: Record<SourceKind, readonly string[]> = {
  openstack: ['cloud', 'region'],
  pbs: ['path', 'timezone'],
  slurm: ['cluster', 'lookback', 'command'],
  dump: ['path'],
};
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
    const allowed = [...COMMON_KEYS, ...KIND_KEYS[kind as SourceKind]];
    const settings: Record<string, string> = {};
    for (const [key, value] of Object.entries(entry)) {
      if (!allowed.includes(key)) throw bad(`${at}.${key}`, `unknown key for kind ${kind} (expected ${allowed.join(', ')})`);
      if (KIND_KEYS[kind as SourceKind].includes(key)) {
        if (typeof value !== 'string' || value === '') throw bad(`${at}.${key}`, `expected text, found ${describe(value)}`);
        settings[key] = value;
      }
    }
    const types = entry.types;
    if (types !== undefined && !(Array.isArray(types) && types.every((t) => typeof t === 'string'))) {
      throw bad(`${at}.types`, `expected a list of resource types, found ${describe(types)}`);
    }
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
