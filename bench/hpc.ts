// Synthetic HPC scheduler dumps for `npm run bench` (SPEC §11): a Torque accounting log of E records
// and a `sacct --parsable2 --noheader` dump in our 26-field order, written in batches (never one big
// string). Jobs end over 30 days from 2026-11-01, in time order, as a real log has them.
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';

const MIB = 1024 * 1024;
const FROM = Date.UTC(2026, 10, 1) / 1000;
const SPAN = 30 * 86_400;

/** A small seeded PRNG, so every run writes the same files. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function writeLines(path: string, count: number, line: (i: number) => string): Promise<number> {
  const out = createWriteStream(path);
  let batch = '';
  for (let i = 0; i < count; i++) {
    batch += line(i);
    if (batch.length >= MIB) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'close');
  return statSync(path).size;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** PBS's local line time (here UTC, the default zone): MM/DD/YYYY HH:MM:SS. */
function pbsTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `lines` Torque E records (one job each), every exec_host form in the mix. */
export function writePbsLog(path: string, lines: number): Promise<number> {
  const r = random(4242);
  return writeLines(path, lines, (i) => {
    const end = FROM + Math.floor((i * SPAN) / lines);
    const wall = 60 + Math.floor(r() * 36_000);
    const start = end - wall;
    const ctime = start - Math.floor(r() * 7200);
    const node = Math.floor(r() * 2000);
    const cores = [1, 2, 4, 8, 16, 32][Math.floor(r() * 6)]!;
    const host = `n${pad(node, 4)}`;
    const execHost =
      cores <= 2
        ? Array.from({ length: cores }, (_, c) => `${host}/${c}`).join('+')
        : cores <= 16
          ? `${host}/0-${cores - 1}`
          : `${host}/0-15+n${pad((node + 1) % 2000, 4)}/0-15`;
    const id = i % 10 === 0 ? `${2_000_000 + i}[${i % 97}].emu-head` : `${1_000_000 + i}.emu-head`;
    return (
      `${pbsTime(end)};E;${id};user=u${Math.floor(r() * 500)} group=g${Math.floor(r() * 40)} account=proj${Math.floor(r() * 200)} ` +
      `jobname=run-${i} queue=${r() < 0.8 ? 'workq' : 'long'} ctime=${ctime} qtime=${ctime} etime=${ctime} start=${start} ` +
      `owner=u0@login1 exec_host=${execHost} Resource_List.nodect=${cores > 16 ? 2 : 1} Resource_List.walltime=24:00:00 ` +
      `Resource_List.mem=${cores * 4}gb session=${i % 65536} end=${end} Exit_status=${r() < 0.9 ? 0 : 1} ` +
      `resources_used.cput=${Math.floor((wall * cores) / 3600)}:12:34 resources_used.mem=${Math.floor(r() * 8_000_000)}kb ` +
      `resources_used.vmem=${Math.floor(r() * 16_000_000)}kb resources_used.walltime=00:00:00\n`
    );
  });
}

const iso = (epoch: number) => new Date(epoch * 1000).toISOString().slice(0, 19);

/** `rows` sacct rows in our order: every fifth one a `.batch` step of the job before. Returns the job count too. */
export async function writeSacct(path: string, rows: number): Promise<{ bytes: number; jobs: number }> {
  const r = random(777);
  let jobs = 0;
  let last = '';
  const bytes = await writeLines(path, rows, (i) => {
    if (i % 5 === 4) return `${last.replace(/^([^|]+)\|([^|]+)\|/, '$1.batch|$2.batch|')}\n`;
    jobs++;
    const end = FROM + Math.floor((i * SPAN) / rows);
    const wall = 60 + Math.floor(r() * 36_000);
    const start = end - wall;
    const submit = start - Math.floor(r() * 7200);
    const cpus = [1, 2, 4, 8, 16, 32, 64][Math.floor(r() * 7)]!;
    const nodes = cpus > 32 ? 2 : 1;
    const node = Math.floor(r() * 2000);
    const nodelist = nodes === 2 ? `cn[${pad(node, 4)}-${pad(node + 1, 4)}]` : `cn${pad(node, 4)}`;
    const gpus = r() < 0.1 ? ',gres/gpu=2' : '';
    const state = r() < 0.9 ? 'COMPLETED' : r() < 0.5 ? 'FAILED' : 'CANCELLED by 1001';
    const id = i % 10 === 0 ? `${3_000_000 + i}_${i % 50}` : String(1_000_000 + i);
    last = [
      id, String(1_000_000 + i), 'tango', r() < 0.8 ? 'work' : 'gpu', 'normal', `proj${Math.floor(r() * 200)}`, 'users', '1000',
      `u${Math.floor(r() * 500)}`, String(10_000 + Math.floor(r() * 500)), iso(submit), iso(submit), iso(start), iso(end),
      `${pad(Math.floor(wall / 3600))}:${pad(Math.floor(wall / 60) % 60)}:${pad(wall % 60)}`, state === 'FAILED' ? '1:0' : '0:0', state,
      String(nodes), String(cpus), String(cpus), `${cpus * 4}G`, `billing=${cpus},cpu=${cpus},mem=${cpus * 4}G,node=${nodes}`,
      `billing=${cpus},cpu=${cpus}${gpus},mem=${cpus * 4}G,node=${nodes}`, '1-00:00:00', nodelist, `run-${i}|post`,
    ].join('|');
    return `${last}\n`;
  });
  return { bytes, jobs };
}
