// The commands, each loaded only when it runs: `--help` and `--version` load commander alone, and a
// command loads what it uses (start-up, issue 12). A command is one file here and one line below.
import type { Command } from 'commander';

export interface CommandEntry {
  readonly name: string;
  /** One line for the top-level help, and the command's own description. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'ingest',
    summary: 'collect every (or the named) configured source, or load dump files, into the history',
    load: async () => (await import('./ingest.ts')).ingestCommand(),
  },
  { name: 'export', summary: 'write CSV reports for a range of UTC days (both inclusive)', load: async () => (await import('./export.ts')).exportCommand() },
  { name: 'status', summary: 'sources, last snapshot per source and type, last runs, quarantined records; --check for monitoring', load: async () => (await import('./status.ts')).statusCommand() },
  {
    name: 'prune',
    summary: 'drop run logs, quarantined records and notification payloads older than --keep; never the history',
    load: async () => (await import('./prune.ts')).pruneCommand(),
  },
  {
    name: 'validate',
    summary: 'check dump files without writing anything; exit 1 if any problem is found',
    load: async () => (await import('./validate.ts')).validateCommand(),
  },
];
