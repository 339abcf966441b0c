// Output for people and for cron: results on stdout, problems on stderr, a spinner only on a
// terminal (SPEC §2). `--quiet` leaves only warnings and errors; `--log-format json` gives one
// JSON object per line.
import type { Ora } from 'ora';

export type LogFormat = 'text' | 'json';

/** Where lines go: process.stdout and process.stderr, unless a caller (a test) collects them. */
export interface Sink {
  write(text: string): unknown;
}

export interface LoggerOptions {
  readonly format: LogFormat;
  readonly quiet: boolean;
  /** `-v`: details (HTTP retries) that cron mail should not carry by default. */
  readonly verbose?: boolean;
  readonly out?: Sink;
  readonly err?: Sink;
}

type Fields = Record<string, unknown>;

/** What decides the spinner: the terminal it would draw on, and the environment. */
export interface SpinnerSetting {
  readonly format: LogFormat;
  readonly quiet: boolean;
  /** Lines are collected by a caller (a test): nothing to draw on. */
  readonly collected: boolean;
  readonly stream: { readonly isTTY?: boolean; readonly columns?: number };
  readonly env: NodeJS.ProcessEnv;
}

/**
 * SPEC §2: a spinner only on a terminal, never with --quiet or JSON logs; undefined when none. A
 * terminal of no width (a pseudo-terminal nobody sized) gets none either: ora would clear lines
 * forever. `NO_COLOR` (set and not empty, per no-color.org) leaves the spinner uncoloured; ora's
 * colour library does not read it.
 */
export function spinnerStyle(setting: SpinnerSetting): { readonly color: 'cyan' | false } | undefined {
  if (setting.quiet || setting.format === 'json' || setting.collected) return undefined;
  if (!setting.stream.isTTY || !setting.stream.columns) return undefined;
  return { color: setting.env.NO_COLOR ? false : 'cyan' };
}

export class Logger {
  private spinner?: Ora;
  /** ora, once `ready()` loaded it: only a terminal pays for loading it (start-up, issue 12). */
  private ora?: typeof import('ora').default;

  constructor(readonly options: LoggerOptions) {}

  /** A result line (a snapshot summary, a written file): stdout, unless quiet. */
  result(text: string, fields: Fields = {}): void {
    if (this.options.quiet) return;
    this.emit(this.options.out ?? process.stdout, 'info', text, fields);
  }

  /** Progress worth a line in a log, but not an alarm: stderr, unless quiet. */
  info(text: string, fields: Fields = {}): void {
    if (this.options.quiet) return;
    this.emit(this.options.err ?? process.stderr, 'info', text, fields);
  }

  /** A detail for someone looking into a run (`-v` only): stderr. */
  detail(text: string, fields: Fields = {}): void {
    if (!this.options.verbose) return;
    this.emit(this.options.err ?? process.stderr, 'info', text, fields);
  }

  warn(text: string, fields: Fields = {}): void {
    this.emit(this.options.err ?? process.stderr, 'warn', text, fields);
  }

  error(text: string, fields: Fields = {}): void {
    this.emit(this.options.err ?? process.stderr, 'error', text, fields);
  }

  /** Whether progress() shows anything: so a caller skips the work of counting for nobody. */
  get showsProgress(): boolean {
    return this.style() !== undefined;
  }

  private style() {
    const { format, quiet, err } = this.options;
    return spinnerStyle({ format, quiet, collected: !!err, stream: process.stderr, env: process.env });
  }

  /** Spinner text; nothing at all without a terminal, with --quiet or with JSON logs. */
  progress(text: string): void {
    if (this.spinner) {
      this.spinner.text = text;
      return;
    }
    const style = this.style();
    if (style && this.ora) this.spinner = this.ora({ text, stream: process.stderr, discardStdin: false, color: style.color }).start();
  }

  /** Loads the spinner where one will show: a command that reports progress awaits this first. */
  async ready(): Promise<void> {
    if (this.style() && !this.ora) this.ora = (await import('ora')).default;
  }

  done(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private emit(stream: Sink, level: string, text: string, fields: Fields): void {
    this.spinner?.clear();
    if (this.options.format === 'json') {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, message: text, ...fields })}\n`);
    } else {
      stream.write(level === 'warn' ? `warning: ${text}\n` : level === 'error' ? `usage-etl: ${text}\n` : `${text}\n`);
    }
    this.spinner?.render();
  }
}
