// The "usage" table and JSON line of `npm run bench` (SPEC §11): the usage export at N and N/4, the
// inventory export of the same history (the yardstick), the SQL peer, their ratios, and memory.
import { cpus } from 'node:os';
import { int, printTable } from './table.ts';
import { USAGE_DAYS, USAGE_FROM, USAGE_TO, type UsageFigures, type UsageHistory } from './usage.ts';

export interface Timed {
  readonly wallS: number;
  readonly rssMiB: number;
}

/** One history: its ingest (not the figure), its usage export, and what that export summed to. */
export interface UsageRun {
  readonly n: number;
  readonly history: UsageHistory;
  readonly ingest: Timed;
  readonly usage: Timed;
  readonly got: UsageFigures;
}

export interface UsageResults {
  readonly startup: Timed;
  readonly big: UsageRun;
  readonly small: UsageRun;
  readonly inventory: Timed & { readonly rows: number };
  /** `agrees`: same rows as ours, instance_hours within 0.001 h × rows; else no ratio is printed. */
  readonly peer: Timed & { readonly rows: number; readonly instanceMicroHours: number; readonly agrees: boolean };
  /** The checked figures against the expected ones, a line each. */
  readonly checks: readonly string[];
  readonly ok: boolean;
}

export const hoursText = (microHours: number) => (microHours / 1e6).toFixed(6);

export function printUsageResults({ startup, big, small, inventory, peer, checks, ok }: UsageResults): void {
  const perS = (rows: number, t: Timed) => int(rows / t.wallS);
  const table: string[][] = [['scenario', 'N', 'rows', 'wall (s)', 'rows/s', 'peak RSS (MiB)']];
  for (const run of [big, small]) {
    const records = USAGE_DAYS * run.n;
    table.push(['ingest of 30 daily snapshots (not the figure)', int(run.n), `${int(records)} rec`, run.ingest.wallS.toFixed(2), perS(records, run.ingest), int(run.ingest.rssMiB)]);
    table.push(['usage export, 30 days', int(run.n), int(run.got.rows), run.usage.wallS.toFixed(2), perS(run.got.rows, run.usage), int(run.usage.rssMiB)]);
    if (run !== big) continue;
    table.push(['inventory export, 30 days (yardstick)', int(run.n), int(inventory.rows), inventory.wallS.toFixed(2), perS(inventory.rows, inventory), int(inventory.rssMiB)]);
    table.push(['SQL peer: one query, better-sqlite3', int(run.n), int(peer.rows), peer.wallS.toFixed(2), perS(peer.rows, peer), int(peer.rssMiB)]);
  }
  const ratioInventory = big.usage.wallS / inventory.wallS;
  // Never a ratio to a peer that computed something else.
  const ratioSql = peer.agrees ? big.usage.wallS / peer.wallS : null;
  const { changes } = big.history;
  console.log(
    `\nusage-etl bench: usage report, N = ${int(big.n)} VMs over ${USAGE_DAYS} daily snapshots (${USAGE_FROM}..${USAGE_TO}, 02:00Z), 1% changing each day: ` +
      `${int(changes.resize)} resizes, ${int(changes.power)} power changes, ${int(changes.shelve)} shelve-offloads/unshelves, ${int(changes.removal)} removals + as many new VMs`,
  );
  console.log(`wall times include the CLI's start-up (${startup.wallS.toFixed(2)} s)\n`);
  printTable(table);
  console.log(`\nusage / inventory (wall): ${ratioInventory.toFixed(2)} (target ≤ 1.0)`);
  console.log(`ours / SQL peer (wall): ${ratioSql === null ? 'n/a: the peer disagrees with ours' : ratioSql.toFixed(2)}`);
  console.log(
    `memory: usage export peak RSS ${int(small.usage.rssMiB)} MiB at N/4, ${int(big.usage.rssMiB)} MiB at N ` +
      `(× ${(big.usage.rssMiB / small.usage.rssMiB).toFixed(2)} for × 4 VMs, ${USAGE_DAYS} days at both; the CLI alone: ${int(startup.rssMiB)} MiB)`,
  );
  console.log(`checked:\n${checks.map((line) => `  ${line}`).join('\n')}`);
  const figures = (run: UsageRun) => ({
    n: run.n,
    ingest: { wall_s: run.ingest.wallS, peak_rss_mib: run.ingest.rssMiB },
    usage: { rows: run.got.rows, wall_s: run.usage.wallS, peak_rss_mib: run.usage.rssMiB, instance_hours: run.got.instanceMicroHours / 1e6 },
    expected: { rows: run.history.expected.rows, instance_hours: run.history.expected.instanceMicroHours / 1e6 },
  });
  console.log(
    JSON.stringify({
      usage_n: big.n,
      days: USAGE_DAYS,
      changes,
      node: process.version,
      cpus: cpus().length,
      startup_s: startup.wallS,
      at_n: figures(big),
      at_quarter_n: figures(small),
      inventory: { rows: inventory.rows, wall_s: inventory.wallS, peak_rss_mib: inventory.rssMiB },
      sql_peer: { rows: peer.rows, instance_hours: peer.instanceMicroHours / 1e6, wall_s: peer.wallS, peak_rss_mib: peer.rssMiB, agrees: peer.agrees },
      ratio_usage_to_inventory: ratioInventory,
      ratio_ours_to_sql: ratioSql,
      ok,
    }),
  );
}
