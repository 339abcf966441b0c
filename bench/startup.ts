// Start-up (issue 12, SPEC §11): `usage-etl --help` against `node -e 0`, and `status` on the fixture
// database, each the median of several runs, with the targets: --help within 0.15 s of node, status
// within 0.3 s. A miss is printed, not failed: timings on a shared machine are not a correctness check.
import { join } from 'node:path';
import { printTable } from './table.ts';

export interface StartupHarness {
  readonly work: string;
  readonly root: string;
  readonly bin: string;
  measure(what: string, command: readonly string[]): Promise<{ wallS: number; rssMiB: number }>;
  progress(text: string): void;
}

const RUNS = 7;

async function median(h: StartupHarness, what: string, command: readonly string[]): Promise<{ wallS: number; rssMiB: number }> {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await h.measure(what, command));
  runs.sort((a, b) => a.wallS - b.wallS);
  return runs[Math.floor(RUNS / 2)]!;
}

export async function startupScenarios(h: StartupHarness): Promise<void> {
  h.progress('start-up: node -e 0, usage-etl --help, usage-etl status');
  const db = join(h.work, 'fixtures.db');
  await h.measure('ingest of fixtures/sequence', [h.bin, '--db', db, '-q', 'ingest', '--dump', join(h.root, 'fixtures', 'sequence')]);
  const node = await median(h, 'node -e 0', [process.execPath, '-e', '0']);
  const help = await median(h, 'usage-etl --help', [h.bin, '--help']);
  const status = await median(h, 'usage-etl status', [h.bin, '--db', db, 'status']);
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`\nusage-etl bench: start-up, median of ${RUNS} runs each (the compiled CLI, dist/)\n`);
  printTable([
    ['command', 'wall (s)', 'peak RSS (MiB)', 'target', ''],
    ['node -e 0', node.wallS.toFixed(3), node.rssMiB.toFixed(0), '', ''],
    ['usage-etl --help', help.wallS.toFixed(3), help.rssMiB.toFixed(0), `≤ node + 0.15 = ${(node.wallS + 0.15).toFixed(3)}`, verdict(help.wallS <= node.wallS + 0.15)],
    ['usage-etl status (fixture db)', status.wallS.toFixed(3), status.rssMiB.toFixed(0), '≤ 0.300', verdict(status.wallS <= 0.3)],
  ]);
  console.log(JSON.stringify({ startup: { node_s: node.wallS, help_s: help.wallS, status_s: status.wallS, help_over_node_s: help.wallS - node.wallS } }));
}
