// Errors carry what the user needs to find the problem; the CLI prints their message on one line.

/** Bad flag, bad date, unknown source or type, unreadable config: nothing was done (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A dump, snapshot or export failed; its message names the file and the place (exit 1). */
export class InputError extends Error {
  override name = 'InputError';
  readonly detail: string;
  constructor(
    readonly file: string,
    readonly location: string | undefined,
    detail: string,
  ) {
    super(oneLine(location ? `${file}: ${location}: ${detail}` : `${file}: ${detail}`));
    this.detail = oneLine(detail);
  }
}

/** One record is wrong; it is quarantined, the rest of its snapshot goes on. */
export class RecordError extends Error {
  override name = 'RecordError';
  readonly detail: string;
  constructor(
    readonly field: string | undefined,
    detail: string,
  ) {
    super(oneLine(field ? `${field}: ${detail}` : detail));
    this.detail = oneLine(detail);
  }
}

/** The store refused a snapshot (older than the latest, mass removal, conflicting content). */
export class RefusedError extends Error {
  override name = 'RefusedError';
}

/** Another ingest holds the database. */
export class LockError extends Error {
  override name = 'LockError';
}

/**
 * Messages are one line (SPEC §9): JSON.parse quotes the text around a syntax error, newlines and
 * all, and a multi-line message read as several problems in cron mail (issue 13 fuzz).
 */
export function oneLine(text: string): string {
  return text.replace(/\r?\n|\r/g, '\\n');
}

/** A short, safe rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
