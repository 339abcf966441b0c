// The command line: global options, one thin command per file, and the one place errors become exit codes.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { InputError, LockError, RefusedError, UsageError } from './errors.ts';
import { cannotWrite } from './export/write-errors.ts';
import { storageProblem } from './store/errors.ts';

const program = new Command('usage-etl')
  .description('Who had and used what, on which day, and what changed: snapshots -> diff -> SQLite history -> CSV')
  .option('--db <path>', 'history database: an SQLite file, or postgres://user@host:port/database (default $USAGE_ETL_DB, the config db, ./usage.db)')
  .option('--config <path>', 'configuration file (default $USAGE_ETL_CONFIG, ./usage-etl.yaml, ~/.config/usage-etl/config.yaml, /etc/usage-etl/config.yaml)')
  .option('--log-format <format>', 'text or json', 'text')
  .option('-q, --quiet', 'print nothing but warnings and errors (for cron)')
  .option('-v, --verbose', 'stack traces of unexpected errors')
  .version(packageVersion(), '-V, --version', 'the version of usage-etl')
  .addHelpText('after', '\nSet-up and examples: see README.md. Each command has --help with examples.')
  .showSuggestionAfterError()
  .exitOverride();

// Only the command that runs is loaded; the others are their names and summaries, for the help.
const wanted = invokedCommand(process.argv.slice(2));
for (const entry of COMMANDS) {
  const command = entry.name === wanted ? await entry.load() : new Command(entry.name);
  program.addCommand(command.description(entry.summary));
}

// With --log-format json every line of output is JSON, commander's own messages included.
const output = { outputError: (text: string, write: (text: string) => void) => write(jsonLogs() ? jsonLine(text.trim()) : text) };
program.configureOutput(output);
for (const command of program.commands) command.exitOverride().configureOutput(output);

// A reader that closes our stdout (`export --stdout | head -1`) wanted no more: what we write after
// is dropped, and the command ends as `cat` would, quietly (the export stops at the next chunk).
// Any other failure (stdout onto a full disk, /dev/full) is said as an export's file would be.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') return;
  printError(cannotWrite('standard output', err).message);
  process.exit(1);
});

try {
  await program.parseAsync(withoutHelpOfUnknownCommand(process.argv));
} catch (err) {
  process.exitCode = exitCodeOf(err);
}

/**
 * Commander answers `frobnicate --help` with the top-level help and exit 0, as if all were well, and
 * `help frobnicate` with that help on stderr, the command unnamed: an unknown command is a usage
 * error whatever surrounds it (SPEC §2), so the help asked for is dropped and commander reports the
 * command (exit 2).
 */
function withoutHelpOfUnknownCommand(argv: string[]): string[] {
  if (wanted === undefined || COMMANDS.some((command) => command.name === wanted)) return argv;
  return argv.filter((arg, i) => i < 2 || (arg !== '--help' && arg !== '-h' && arg !== 'help'));
}

/** SPEC §2: 2 for usage and configuration errors, 1 for failed work; messages on one line. */
function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UsageError) {
    printError(err.message);
    return 2;
  }
  if (err instanceof InputError || err instanceof RefusedError || err instanceof LockError) {
    printError(err.message);
    return 1;
  }
  const verbose = process.argv.includes('-v') || process.argv.includes('--verbose');
  const storage = storageProblem(err);
  if (storage) {
    printError(verbose ? `${storage}\n${(err as Error).stack ?? ''}` : storage);
    return 1;
  }
  const error = err as Error;
  printError(`unexpected error: ${error?.message ?? String(err)}${verbose ? `\n${error?.stack ?? ''}` : ' (run with --verbose for details)'}`);
  return 1;
}

function printError(message: string): void {
  process.stderr.write(jsonLogs() ? jsonLine(message) : `usage-etl: ${message}\n`);
}

/** Read from the arguments, not the parsed options: a parse error may come before they exist. */
function jsonLogs(): boolean {
  const args = process.argv.slice(2);
  return args.includes('--log-format=json') || args.some((arg, i) => arg === '--log-format' && args[i + 1] === 'json');
}

function jsonLine(message: string): string {
  return `${JSON.stringify({ time: new Date().toISOString(), level: 'error', message })}\n`;
}

/** The command named in ARGS (`help NAME` included): the first word that is not a global option or its value. */
function invokedCommand(args: readonly string[]): string | undefined {
  const withValue = new Set(['--db', '--config', '--log-format']);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (withValue.has(arg)) i++;
    else if (arg === 'help') return args[i + 1];
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url); // from src/ and from dist/ alike
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
