// `usage-etl status`: what the database holds, when each series was last seen, how the last runs went;
// `status --check`: one line per problem, for monitoring (issue 12).
import { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { neverCollected, runCheck } from '../status/check.ts';
import { withStore } from '../store/open.ts';
import { formatDay, formatInstant, parseDuration } from '../time.ts';
import { Context, type GlobalOptions } from './context.ts';

interface StatusOptions {
  readonly runs: string;
  readonly check?: boolean;
  readonly maxAge?: string;
}

export function statusCommand(): Command {
  return new Command('status')
    .option('--runs <n>', 'how many recent runs to list', '10')
    .option('--check', 'one line per problem, exit 1 on any (Nagios/Icinga, cron)')
    .option('--max-age <duration>', 'with --check: how old a last snapshot may be (26h, 2d, 90m)')
    .addHelpText(
      'after',
      `
Examples:
  usage-etl status
  usage-etl --log-format json status | jq .series
  usage-etl status --check --max-age 26h        OK, or one CRITICAL/WARNING line per problem; exit 1 on any
  usage-etl -q status --check                   cron: silent when all is well`,
    )
    .action(async function (this: Command, options: StatusOptions) {
      const ctx = await Context.of(this.optsWithGlobals<GlobalOptions>());
      if (options.check) process.exitCode = await check(ctx, options.maxAge ?? '26h');
      else if (options.maxAge !== undefined) throw new UsageError('--max-age goes with --check');
      else await status(ctx, Math.max(1, Number(options.runs) || 10));
    });
}

/** Exit 0 when all is well, 1 on any problem, a WARNING alone included (issue 12: visible in Nagios). */
async function check(ctx: Context, maxAge: string): Promise<number> {
  const maxAgeMs = parseDuration(maxAge);
  if (maxAgeMs === undefined) throw new UsageError(`--max-age: expected a duration like 26h, 2d or 90m, found ${maxAge}`);
  // Read-write (the check remembers itself, so the next one reports only records quarantined after
  // it), but never a new database.
  const request = { now: Date.now(), maxAgeMs, maxAgeText: maxAge };
  const result = await withStore(ctx.dbPath(), { existing: true }, (store) => runCheck(store, ctx.config(), request));
  const { problems, sources } = result;
  if (ctx.logger.options.format === 'json') {
    const state = problems.some((p) => p.severity === 'CRITICAL') ? 'CRITICAL' : problems.length ? 'WARNING' : 'OK';
    const json = problems.map(({ at, days, ...p }) => ({
      ...p,
      ...(at === undefined ? {} : { at: formatInstant(at) }),
      ...(days === undefined ? {} : { days: days.map((day) => formatDay(day)) }),
    }));
    const previous = result.previousCheckAt === undefined ? null : formatInstant(result.previousCheckAt);
    process.stdout.write(`${JSON.stringify({ status: state, maxAge, sources, previousCheckAt: previous, problems: json })}\n`);
  } else if (problems.length) {
    const lines = problems.map((p) => `${p.severity}${p.source ? ` ${p.source}` : ''}${p.type ? ` ${p.type}` : ''}: ${p.message}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } else if (!ctx.options.quiet) {
    process.stdout.write(`OK ${sources.length} source(s) collected within ${maxAge}: ${sources.join(', ')}\n`);
  }
  return problems.length ? 1 : 0;
}

async function status(ctx: Context, runs: number): Promise<void> {
  await withStore(ctx.dbPath(), { readonly: true }, async (store) => {
    const never = await neverCollected(store, ctx.config());
    const series = await store.reads.seriesStatus();
    const recent = [];
    for (const run of await store.runs.recent(runs)) {
      // A run still 'running' whose process holds no lock was killed.
      recent.push({ ...run, status: run.status === 'running' && !(await store.lock.isRunning(run.pid)) ? 'interrupted' : run.status });
    }
    const rejects = await store.reads.recentRejects(20);
    const events = await store.reads.eventStatus();
    if (ctx.logger.options.format === 'json') {
      // Times as ISO-8601 UTC and real booleans, as everywhere else we print (SPEC §7; issue 12).
      const iso = (ms: number | null) => (ms === null ? null : formatInstant(ms));
      const json = {
        database: store.path,
        series: series.map((s) => ({ ...s, lastAt: iso(s.lastAt), complete: s.complete === null ? null : s.complete === 1 })),
        neverCollected: never,
        events: events.map((e) => ({ ...e, lastAt: iso(e.lastAt) })),
        runs: recent.map((run) => ({ ...run, startedAt: iso(run.startedAt), finishedAt: iso(run.finishedAt) })),
        rejects,
      };
      process.stdout.write(`${JSON.stringify(json)}\n`);
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
    const width = Math.max('SOURCE / TYPE'.length, ...rows.map((row) => row[0]!.length));
    for (const name of never) out.push(`${name.padEnd(width)}  (never collected)`);
    if (!series.length && !never.length) out.push('(no snapshots yet)');
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
  });
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
