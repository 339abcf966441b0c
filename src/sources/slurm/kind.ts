// `kind: slurm` (SPEC §4.2): `sacct` over a window reaching `lookback` before the newest job already
// stored (or before now, if that is earlier), so a run after days without cron misses nothing; the
// overlap is de-duplicated by key. (XDMoD's "newer than the newest job" watermark skipped back-filled days.)
import { type Delivery, failingSoftly } from '../delivery.ts';
import { defineSourceKind, optional } from '../kind.ts';

/** SPEC §4.2: two days of overlap unless the source says otherwise. */
const DEFAULT_LOOKBACK_S = 2 * 86_400;

export const slurmKind = defineSourceKind({
  name: 'slurm',
  settings: { cluster: optional('text'), lookback: optional('duration'), command: optional('command') },
  types: ['job'],
  async plan(source) {
    const { cluster, command = 'sacct', lookback = DEFAULT_LOOKBACK_S } = source.settings;
    const series = { source: source.name, type: 'job' };
    // Readers load when a source is planned, not when a config is read (start-up, issue 12).
    const [{ runSacct }, { readSacctText }] = await Promise.all([import('./sacct.ts'), import('./text.ts')]);
    return {
      async *deliveries(context): AsyncGenerator<Delivery> {
        const newest = await context.history.latestAt(series);
        const run = runSacct({ command, cluster, since: Math.min(Date.now(), newest ?? Infinity) - lookback * 1000 });
        yield { kind: 'progress', text: `${source.name}: ${run.label}` };
        // Named by the command, not the window, so a row quarantined last run is known again (SPEC §9).
        yield* failingSoftly(series, readSacctText(command, run.lines, { source: source.name, privacy: context.privacy(source.name), byJob: true }));
      },
    };
  },
});
