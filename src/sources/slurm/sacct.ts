// Runs `sacct` for a `kind: slurm` source (SPEC §4.2): parsable output in our 26-field order, over a
// window, with TZ=UTC so the times it prints are UTC. Its output is read line by line as it comes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { InputError } from '../../errors.ts';
import { SACCT_FORMAT } from './parsable.ts';

interface SacctWindow {
  /** The command to run (`sacct`, or a path; tests point it at a script). */
  readonly command: string;
  /** `--clusters`, when the source names one. */
  readonly cluster?: string;
  /** Epoch ms: jobs that were pending, running or ended at any time since then. */
  readonly since: number;
}

interface SacctRun {
  readonly lines: AsyncIterable<string>;
  /** Resolves when sacct has ended well; rejects with an InputError naming the run otherwise. */
  readonly finished: Promise<void>;
  /** How the run is named in messages: `sacct -S 2026-11-20T02:00:00`. */
  readonly label: string;
}

function sacctArguments(window: SacctWindow): string[] {
  return [
    '--allusers',
    '--parsable2',
    '--noheader',
    `--format=${SACCT_FORMAT}`,
    `--starttime=${sacctTime(window.since)}`,
    '--endtime=now',
    ...(window.cluster ? [`--clusters=${window.cluster}`] : []),
  ];
}

export function runSacct(window: SacctWindow): SacctRun {
  const label = `${window.command} -S ${sacctTime(window.since)}`;
  const child = spawn(window.command, sacctArguments(window), { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 2000) stderr += chunk;
  });
  const finished = new Promise<void>((resolve, reject) => {
    const fail = (detail: string) => reject(new InputError(label, undefined, detail));
    child.once('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'ENOENT' ? `cannot run ${window.command}: not found (set command: in the source)` : `cannot run ${window.command}: ${err.message}`),
    );
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const said = stderr.trim().split('\n')[0];
      fail(`${signal ? `killed by ${signal}` : `exited with code ${code}`}${said ? `: ${said}` : ''}; jobs read before that are kept`);
    });
  });
  // The line reader ends with stdout; an error of the process itself is reported through `finished`.
  finished.catch(() => {});
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  return { lines: withEnd(lines, finished), finished, label };
}

/** The lines, then the process's outcome: a sacct that fails after some output still fails. */
async function* withEnd(lines: AsyncIterable<string>, finished: Promise<void>): AsyncGenerator<string> {
  yield* lines;
  await finished;
}

/** sacct reads `YYYY-MM-DDTHH:MM:SS` in its TZ, which is UTC here. */
function sacctTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
