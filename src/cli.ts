// The command line: global options, one thin command per file, and the one place errors become exit codes.
import { Command, CommanderError } from 'commander';
import { exportCommand } from './commands/export.ts';
import { ingestCommand } from './commands/ingest.ts';
import { statusCommand } from './commands/status.ts';
import { validateCommand } from './commands/validate.ts';
import { InputError, LockError, RefusedError, UsageError } from './errors.ts';

const program = new Command('usage-etl')
  .description('Who had and used what, on which day, and what changed: snapshots -> diff -> SQLite history -> CSV')
  .option('--db <path>', 'history database (default $USAGE_ETL_DB, the config db, ./usage.db)')
  .option('--config <path>', 'configuration file (default $USAGE_ETL_CONFIG, ./usage-etl.yaml, ~/.config/usage-etl/config.yaml, /etc/usage-etl/config.yaml)')
  .option('--log-format <format>', 'text or json', 'text')
  .option('-q, --quiet', 'print nothing but warnings and errors (for cron)')
  .option('-v, --verbose', 'stack traces of unexpected errors')
  .addCommand(ingestCommand())
  .addCommand(exportCommand())
  .addCommand(statusCommand())
  .addCommand(validateCommand())
  .addHelpText('after', '\nSet-up and examples: see README.md. Each command has --help with examples.')
  .showSuggestionAfterError()
  .exitOverride();

// With --log-format json every line of output is JSON, commander's own messages included.
const output = { outputError: (text: string, write: (text: string) => void) => write(jsonLogs() ? jsonLine(text.trim()) : text) };
program.configureOutput(output);
for (const command of program.commands) command.exitOverride().configureOutput(output);

// A reader that closes our stdout (`export --stdout | head -1`) wanted no more: what we write after
// is dropped, and the command ends as `cat` would, quietly (the export stops at the next chunk).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') return;
  printError(`cannot write to standard output: ${err.message}`);
  process.exit(1);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeOf(err);
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
