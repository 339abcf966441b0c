// Output for people and for cron: results on stdout, problems on stderr, a spinner only on a
// terminal (SPEC §2). `--quiet` leaves only warnings and errors; `--log-format json` gives one
// JSON object per line.
import ora, { type Ora } from 'ora';

export type LogFormat = 'text' | 'json';

/** Where lines go: process.stdout and process.stderr, unless a caller (a test) collects them. */
export interface Sink {
  write(text: string): unknown;
}

export interface LoggerOptions {
  readonly format: LogFormat;
  readonly quiet: boolean;
  readonly out?: Sink;
  readonly err?: Sink;
}

type Fields = Record<string, unknown>;

export class Logger {
  private spinner?: Ora;

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

  warn(text: string, fields: Fields = {}): void {
    this.emit(this.options.err ?? process.stderr, 'warn', text, fields);
  }

  error(text: string, fields: Fields = {}): void {
    this.emit(this.options.err ?? process.stderr, 'error', text, fields);
  }

  /** Whether progress() shows anything: so a caller skips the work of counting for nobody. */
  get showsProgress(): boolean {
    // A terminal of no width (`script` without a size) would send ora into an endless loop clearing lines.
    const terminal = !!process.stderr.isTTY && (process.stderr.columns ?? 0) > 0;
    return !this.options.quiet && this.options.format !== 'json' && !this.options.err && terminal;
  }

  /** Spinner text; nothing at all without a terminal, with --quiet or with JSON logs. */
  progress(text: string): void {
    if (!this.showsProgress) return;
    if (!this.spinner) this.spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
    else this.spinner.text = text;
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
