// `usage-etl status`: what the database holds, when each series was last seen, how the last runs went.
import { Command } from 'commander';
import { openStore } from '../store/open.ts';
import { formatInstant } from '../time.ts';
import { Context, type GlobalOptions } from './context.ts';

export function statusCommand(): Command {
  return new Command('status')
    .option('--runs <n>', 'how many recent runs to list', '10')
    .addHelpText('after', '\nExamples:\n  usage-etl status\n  usage-etl --log-format json status | jq .series')
    .action(async function (this: Command, options: { runs: string }) {
      await status(new Context(this.optsWithGlobals<GlobalOptions>()), Math.max(1, Number(options.runs) || 10));
    });
}

async function status(ctx: Context, runs: number): Promise<void> {
  const store = await openStore(ctx.dbPath(), { readonly: true });
  try {
    const series = await store.reads.seriesStatus();
    const recent = [];
    for (const run of await store.runs.recent(runs)) {
      // A run still 'running' whose process holds no lock was killed.
      recent.push({ ...run, status: run.status === 'running' && !(await store.lock.isRunning(run.pid)) ? 'interrupted' : run.status });
    }
    const rejects = await store.reads.recentRejects(20);
    const events = await store.reads.eventStatus();
    if (ctx.logger.options.format === 'json') {
      process.stdout.write(`${JSON.stringify({ database: store.path, series, events, runs: recent, rejects })}\n`);
      return;
    }
    const out: string[] = [`database ${store.path}`, ''];
    const rows = series.map((s) => [
      `${s.source} / ${s.type}`,
      String(s.present),
      String(s.snapshots),
      s.lastAt === null ? '-' : `${formatInstant(s.lastAt)}${s.complete ? '' : ' (incomplete)'}`,
      s.lastAt === null ? '' : `+${s.added} ~${s.modified} -${s.removed} =${s.unchanged} !${s.lastRejected}`,
      String(s.rejected),
    ]);
    out.push(...table(['SOURCE / TYPE', 'PRESENT', 'SNAPSHOTS', 'LAST SNAPSHOT (UTC)', 'LAST: +ADD ~MOD -REM =SAME !REJ', 'QUARANTINED'], rows, [1, 2, 5]));
    if (!series.length) out.push('(no snapshots yet)');
    if (events.length) {
      // SPEC §4.4: per source, the notifications stored, the last one's time, and what was not used or refused.
      const eventRows = events.map((e) => [e.source, String(e.events), e.lastAt === null ? '-' : formatInstant(e.lastAt), String(e.skipped), String(e.quarantined)]);
      out.push('', ...table(['NOTIFICATIONS OF', 'EVENTS', 'LAST EVENT (UTC)', 'SKIPPED', 'QUARANTINED'], eventRows, [1, 3, 4]));
    }
    out.push('', 'RECENT RUNS');
    if (!recent.length) out.push('(none)');
    for (const run of recent) {
      const took = run.finishedAt === null ? '' : ` in ${((run.finishedAt - run.startedAt) / 1000).toFixed(1)}s`;
      out.push(
        `#${run.id} ${formatInstant(run.startedAt)} ${run.status}${took}: ${run.snapshots} snapshot(s), +${run.added} ~${run.modified} -${run.removed} =${run.unchanged} !${run.rejected}  (${run.command})`,
      );
      if (run.error) for (const line of run.error.split('\n').slice(0, 3)) out.push(`    ${line}`);
    }
    if (rejects.length) {
      out.push('', 'RECENTLY QUARANTINED RECORDS');
      for (const r of rejects) out.push(`run #${r.runId} ${r.source} ${r.type}: ${r.file}: ${r.location}: ${r.field ? `${r.field}: ` : ''}${r.reason}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await store.close();
  }
}

/** Columns as wide as their widest cell (long source names included); `right` columns are numbers. */
function table(header: string[], rows: string[][], right: number[]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
