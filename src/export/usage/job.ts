// SPEC §8.3 `usage_job.csv`: per source, day, user, account and queue, the jobs that ended that day
// and the core-, wall- and GPU-hours of every job's [start, end) clipped to the day (a job over
// midnight counts on both days). Hours are on the micro-hour grid, so a range's days sum exactly.
import { byText } from '../../order.ts';
import type { HistoryReads, SeriesInfo } from '../../store/index.ts';
import { addDays, formatDay, startOfDay } from '../../time.ts';
import type { Row } from '../../types/fields.ts';
import { hours, overlap } from '../../lifecycles/hours.ts';
import { DAY_MS } from '../../time.ts';
import { csvLine, inChunks } from '../csv.ts';

export const USAGE_JOB_COLUMNS = ['source', 'day', 'user', 'account', 'queue', 'jobs', 'core_hours', 'walltime_hours', 'gpu_hours'];

/**
 * Jobs are read by their end; one that ends after the range may have run inside it. No scheduler
 * allows a walltime near a year, so jobs ending up to 366 days after the range are read for their hours.
 */
const LOOK_BACK_DAYS = 366;

interface Group {
  readonly user: string;
  readonly account: string;
  readonly queue: string;
  jobs: number;
  /** Micro-hours: wall, cores × wall and GPUs × wall. */
  wall: number;
  core: number;
  gpu: number;
  /** Some job of the group gave its cores / GPUs (else that column is empty, not zero). */
  coresKnown: boolean;
  gpusKnown: boolean;
}

/**
 * Rows of one job series for the UTC days [fromDay, toDay], in chunks of lines. Memory holds the
 * groups of the range's days (the report's own rows), never the jobs.
 */
export async function* jobUsageRows(reads: HistoryReads, series: SeriesInfo, fromDay: number, toDay: number): AsyncGenerator<string> {
  const rangeEnd = addDays(toDay, 1);
  // Per day of the range (by index), its groups by user, account and queue.
  const days: Map<string, Group>[] = Array.from({ length: Math.round((rangeEnd - fromDay) / DAY_MS) }, () => new Map());
  const group = (dayIndex: number, record: Row): Group => {
    const user = text(record.user);
    const account = text(record.account);
    const queue = text(record.queue);
    const key = `${user}\0${account}\0${queue}`;
    const groups = days[dayIndex]!;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { user, account, queue, jobs: 0, wall: 0, core: 0, gpu: 0, coresKnown: false, gpusKnown: false }));
    return g;
  };

  // Jobs ending before --from ended before the range began: nothing of them is in it.
  for await (const chunk of reads.ledgerRecords(series.id, fromDay, addDays(rangeEnd, LOOK_BACK_DAYS))) {
    for (const { at: end, record: json } of chunk) {
      const record = JSON.parse(json) as Row;
      const start = typeof record.start === 'string' ? Date.parse(record.start) : undefined;
      const endsInRange = end < rangeEnd;
      // A job that ends after the range counts only for hours inside it; one starting after it, not at all.
      if (!endsInRange && (start === undefined || start >= rangeEnd)) continue;
      const cores = count(record.cores);
      const gpus = count(record.gpus);
      const add = (g: Group, wall: number) => {
        g.wall += wall;
        if (cores !== undefined) {
          g.core += cores * wall;
          g.coresKnown = true;
        }
        if (gpus !== undefined) {
          g.gpu += gpus * wall;
          g.gpusKnown = true;
        }
      };
      // SPEC §8.3: `jobs` counts the jobs ending that day, with or without hours (never started).
      if (endsInRange) {
        const g = group(Math.round((startOfDay(end) - fromDay) / DAY_MS), record);
        g.jobs++;
        // No hours yet, but the job's cores and GPUs are known to its group (a never-started job's: 0 h).
        add(g, 0);
      }
      if (start === undefined || !(start < end)) continue;
      const last = Math.min(startOfDay(end), toDay);
      for (let day = Math.max(startOfDay(start), fromDay); day <= last; day = addDays(day, 1)) {
        const wall = overlap(start, end, day, addDays(day, 1));
        if (wall > 0) add(group(Math.round((day - fromDay) / DAY_MS), record), wall);
      }
    }
  }

  for (let i = 0; i < days.length; i++) {
    const groups = days[i]!;
    const date = formatDay(addDays(fromDay, i));
    const lines: string[] = [];
    for (const key of [...groups.keys()].sort(byText)) {
      const g = groups.get(key)!;
      // Rows only where some quantity is non-zero (SPEC §8.3); core and GPU hours need wall hours.
      if (!g.jobs && !g.wall) continue;
      lines.push(
        csvLine([
          series.source,
          date,
          g.user,
          g.account,
          g.queue,
          g.jobs,
          g.coresKnown ? hours(g.core) : undefined,
          hours(g.wall),
          g.gpusKnown ? hours(g.gpu) : undefined,
        ]),
      );
    }
    days[i] = new Map();
    yield* inChunks(lines);
  }
}

function text(value: Row[string] | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** A count as stored: a number (a count beyond 2^53 would be garbage, quarantined at ingest). */
function count(value: Row[string] | undefined): number | undefined {
  return typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : undefined;
}
