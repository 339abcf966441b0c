// What every command shares: global options, the logger, the config (read only when needed), the db path.
import { type Config, loadConfig } from '../config.ts';
import { UsageError } from '../errors.ts';
import { type LogFormat, Logger } from '../log.ts';

export interface GlobalOptions {
  readonly db?: string;
  readonly config?: string;
  readonly logFormat: string;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

export class Context {
  readonly logger: Logger;
  private loaded?: Config;

  constructor(readonly options: GlobalOptions) {
    if (options.logFormat !== 'text' && options.logFormat !== 'json') {
      throw new UsageError(`--log-format: expected text or json, found ${options.logFormat}`);
    }
    this.logger = new Logger({ format: options.logFormat as LogFormat, quiet: !!options.quiet, verbose: !!options.verbose });
  }

  /** The context of one command, its spinner loaded when it will show (a terminal). */
  static async of(options: GlobalOptions): Promise<Context> {
    const ctx = new Context(options);
    await ctx.logger.ready();
    return ctx;
  }

  config(): Config {
    return (this.loaded ??= loadConfig(this.options.config));
  }

  /** SPEC §2: --db, then $USAGE_ETL_DB, then the config's db, then ./usage.db. */
  dbPath(): string {
    return this.options.db ?? process.env.USAGE_ETL_DB ?? this.config().db ?? 'usage.db';
  }
}

/** `--wait SECONDS` (ingest, prune) in ms: how long to wait for another ingest's lock. */
export function waitOption(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--wait: expected seconds, found ${text}`);
  return seconds * 1000;
}

/** Collects a repeatable option (`--type vm --type volume`) into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
