// A source kind (SPEC §4.3 `kind:`) is a declaration: its settings, the resource types it can
// collect, and how it collects them for one run. Adding a kind is one folder under src/sources/
// with a `kind.ts`, and one line in src/sources/index.ts.
import type { PrivacyMode } from '../types/normalise.ts';
import type { CollectContext, Delivery } from './delivery.ts';

/**
 * How a setting is written: text, a whole number from 1, seconds, a duration (2d, 36h), an IANA zone,
 * a path (a file, folder or glob; relative ones are relative to the config file's folder), or a
 * command (a program on the PATH, or a path when it holds a `/`).
 */
export type SettingKind = 'text' | 'count' | 'seconds' | 'duration' | 'timezone' | 'path' | 'command';

export interface Setting<K extends SettingKind = SettingKind, R extends boolean = boolean> {
  readonly kind: K;
  readonly required: R;
}

export function optional<K extends SettingKind>(kind: K): Setting<K, false> {
  return { kind, required: false };
}

export function required<K extends SettingKind>(kind: K): Setting<K, true> {
  return { kind, required: true };
}

export type SettingsSpec = Readonly<Record<string, Setting>>;

/** Durations and counts are numbers (durations in seconds); text, zones, paths and commands are strings. */
type ValueOf<K extends SettingKind> = K extends 'text' | 'timezone' | 'path' | 'command' ? string : number;

/** The settings a kind's declaration describes, as the config loader hands them over, typed. */
export type SettingsOf<S extends SettingsSpec> = {
  readonly [N in keyof S]: S[N] extends Setting<infer K, true> ? ValueOf<K> : ValueOf<S[N]['kind']> | undefined;
};

/** One configured source, checked against its kind's declaration. */
export interface SourceConfig<S = Readonly<Record<string, string | number | undefined>>> {
  readonly name: string;
  readonly kind: string;
  /** The types to collect, when the config chooses (default: all of the kind's). */
  readonly types?: readonly string[];
  readonly privateFields: PrivacyMode;
  readonly allowMassRemoval: boolean;
  readonly settings: S;
}

/** What collects one source for one run: deliveries in apply order. */
export interface Collection {
  deliveries(context: CollectContext): AsyncIterable<Delivery>;
}

export interface SourceKind<S extends SettingsSpec = SettingsSpec> {
  readonly name: string;
  readonly settings: S;
  /** The resource types it can collect; `types:` may choose among them. */
  readonly types: readonly string[];
  /**
   * Checks what can be checked before the database is opened (paths, credentials), throwing a
   * UsageError naming the file or setting; returns what collects the source.
   */
  plan(source: SourceConfig<SettingsOf<S>>): Promise<Collection>;
}

/** A kind as the registry holds it: its settings' types are known inside its own folder only. */
export type AnySourceKind = SourceKind<SettingsSpec> & { plan(source: SourceConfig): Promise<Collection> };

export function defineSourceKind<S extends SettingsSpec>(kind: SourceKind<S>): AnySourceKind {
  // The config loader validates settings against `kind.settings` before `plan` sees them.
  return kind as unknown as AnySourceKind;
}
