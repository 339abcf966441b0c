// SPEC §4.3: the YAML configuration. Found in the usual places, validated key by key; a mistake is a
// usage error naming the file and the key. Each source is checked against its kind's declaration
// (src/sources/*/kind.ts): this file knows no kind by name. Secrets never live here.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError, describe } from './errors.ts';
import { NEVER_BILLED, VM_STATES } from './lifecycles/policy.ts';
import { sourceKind, sourceKinds } from './sources/index.ts';
import type { SettingKind, SourceConfig } from './sources/kind.ts';
import { isTimeZone, parseDuration } from './time.ts';
import type { PrivacyMode } from './types/normalise.ts';
import { isObject } from './types/type.ts';
import { readYamlFile } from './yaml-file.ts';

export interface Config {
  /** The file it came from; undefined when there is none (ingest --dump and export need none). */
  readonly path?: string;
  readonly db?: string;
  readonly sources: ReadonlyMap<string, SourceConfig>;
  /** SPEC §8.3: the billing policy of the usage report (undefined: the default). */
  readonly usage: { readonly billableStates?: readonly string[] };
}

const COMMON_KEYS = ['kind', 'types', 'private_fields', 'allow_mass_removal'];
const PRIVACY_MODES: readonly PrivacyMode[] = ['drop', 'keep', 'hash'];

/**
 * A relative path in the config is relative to the config file's folder, as in most tools, so cron
 * and a person in another folder read the same files (issue 12). Kept relative to the working folder
 * when the config was named relatively, so messages stay short.
 */
function fromConfig(configPath: string, value: string): string {
  return isAbsolute(value) ? value : join(dirname(configPath), value);
}

function setting(kind: SettingKind, value: unknown, bad: (detail: string) => Error, configPath: string): string | number {
  const found = `found ${describe(value)}`;
  switch (kind) {
    case 'text':
      if (typeof value === 'string' && value !== '') return value;
      throw bad(`expected text, ${found}`);
    case 'path':
      if (typeof value === 'string' && value !== '') return fromConfig(configPath, value);
      throw bad(`expected a path, ${found}`);
    case 'command':
      // `sacct` is looked up on the PATH; `bin/sacct` or `./sacct` is a file next to the config.
      // Made absolute: `./sacct` joined to `.` would lose its `/` and be looked up on the PATH.
      if (typeof value === 'string' && value !== '') return value.includes('/') ? resolve(fromConfig(configPath, value)) : value;
      throw bad(`expected a command, ${found}`);
    case 'count':
      if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
      throw bad(`expected a whole number from 1, ${found}`);
    case 'seconds':
      if (typeof value === 'number' && value > 0) return value;
      throw bad(`expected seconds (a number above 0), ${found}`);
    case 'duration': {
      const ms = typeof value === 'string' ? parseDuration(value) : undefined;
      if (ms !== undefined) return ms / 1000;
      throw bad(`expected a duration like 2d, 36h or 90m, ${found}`);
    }
    case 'timezone':
      if (typeof value === 'string' && isTimeZone(value)) return value;
      throw bad(`expected an IANA time zone like Australia/Adelaide or UTC, ${found}`);
  }
}

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
  if (!path) return { sources: new Map(), usage: {} };
  return parseConfig(path, readYamlFile(path) ?? {});
}

export function parseConfig(path: string, document: unknown): Config {
  const bad = (key: string, detail: string) => new UsageError(`${path}: ${key}: ${detail}`);
  if (!isObject(document)) throw bad('(top level)', `expected a mapping, found ${describe(document)}`);
  for (const key of Object.keys(document)) {
    if (key !== 'db' && key !== 'sources' && key !== 'usage') throw bad(key, 'unknown key (expected db, sources, usage)');
  }
  const sources = new Map<string, SourceConfig>();
  const listed = document.sources ?? {};
  if (!isObject(listed)) throw bad('sources', `expected a mapping of source names, found ${describe(listed)}`);
  for (const [name, entry] of Object.entries(listed)) {
    const at = `sources.${name}`;
    if (!isObject(entry)) throw bad(at, `expected a mapping, found ${describe(entry)}`);
    const kind = typeof entry.kind === 'string' ? sourceKind(entry.kind) : undefined;
    if (!kind) throw bad(`${at}.kind`, `expected one of ${sourceKinds().map((k) => k.name).join(', ')}, found ${describe(entry.kind)}`);
    const allowed = [...COMMON_KEYS, ...Object.keys(kind.settings)];
    const settings: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(entry)) {
      if (!allowed.includes(key)) throw bad(`${at}.${key}`, `unknown key for kind ${kind.name} (expected ${allowed.join(', ')})`);
      const declared = kind.settings[key];
      if (declared) settings[key] = setting(declared.kind, value, (detail) => bad(`${at}.${key}`, detail), path);
    }
    for (const [key, declared] of Object.entries(kind.settings)) {
      if (declared.required && settings[key] === undefined) throw bad(`${at}.${key}`, `missing (kind ${kind.name} needs it)`);
    }
    const types = entry.types;
    if (types !== undefined && !(Array.isArray(types) && types.length && types.every((t) => typeof t === 'string'))) {
      throw bad(`${at}.types`, `expected a list of resource types, found ${Array.isArray(types) && !types.length ? 'an empty list' : describe(types)}`);
    }
    const unknownType = (types as string[] | undefined)?.find((t) => !kind.types.includes(t));
    if (unknownType !== undefined) {
      throw bad(`${at}.types`, `${unknownType} is not a type of kind ${kind.name} (expected some of ${kind.types.join(', ')})`);
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
      kind: kind.name,
      types: types as string[] | undefined,
      privateFields: privateFields as PrivacyMode,
      allowMassRemoval,
      settings,
    });
  }
  // A database URL (postgres://…) is not a path.
  // A database URL as it is; a file path like every path of the config (an empty one refused).
  const url = typeof document.db === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(document.db);
  const db = document.db === undefined || url ? (document.db as string | undefined) : String(setting('path', document.db, (detail) => bad('db', detail), path));
  return { path, db, sources, usage: usagePolicy(document.usage, bad) };
}

/** `usage: {billable_states: [...]}`: Nova vm_states (or `unknown`); shelved_offloaded is never billed. */
function usagePolicy(usage: unknown, bad: (key: string, detail: string) => UsageError): Config['usage'] {
  if (usage === undefined || usage === null) return {};
  if (!isObject(usage)) throw bad('usage', `expected a mapping, found ${describe(usage)}`);
  for (const key of Object.keys(usage)) if (key !== 'billable_states') throw bad(`usage.${key}`, 'unknown key (expected billable_states)');
  const states = usage.billable_states;
  if (states === undefined) return {};
  if (!Array.isArray(states) || !states.every((state) => typeof state === 'string')) {
    throw bad('usage.billable_states', `expected a list of instance states, found ${describe(states)}`);
  }
  const known: readonly string[] = [...VM_STATES, 'unknown'];
  for (const state of states as string[]) {
    if (state === NEVER_BILLED) throw bad('usage.billable_states', `${NEVER_BILLED} is never billed (its instance holds no hypervisor resources); leave it out`);
    if (!known.includes(state)) throw bad('usage.billable_states', `${describe(state)} is not an instance state (expected some of ${known.join(', ')})`);
  }
  return { billableStates: states as string[] };
}
