// Slurm's bracketed ranges (SPEC §4.1.4, §5 `job` hosts): host lists (`node[01-03,07]`) and job-array
// ids (`123_[1-3,7%2]`), one expansion with one cap for both.
import { RecordError, describe } from '../../errors.ts';

/** `123`, `123_4`, `123+0` as given; a not-yet-split array `123_[1-3,7%2]` is one job per task. */
export function jobIds(jobId: string): string[] {
  const m = /^(\d+)_\[([^\]]+)\]$/.exec(jobId);
  if (!m) return [jobId];
  return expandRanges('jobid', m[2]!.replace(/%\d+$/, '')).map((task) => `${m[1]}_${task}`);
}

const MAX_EXPANSION = 1 << 20;

/** `1-3,7` -> 1 2 3 7; zero-padding kept (`01-03` -> 01 02 03). */
function expandRanges(field: string, text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!m) throw new RecordError(field, `expected ranges such as 1-3,7, found ${describe(part)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (to < from || step < 1) throw new RecordError(field, `range ${part} runs backwards`);
    if (out.length + (to - from) / step > MAX_EXPANSION) throw new RecordError(field, `range ${part} is too large`);
    const width = m[1]!.length;
    for (let i = from; i <= to; i += step) out.push(String(i).padStart(width, '0'));
  }
  return out;
}

/** Slurm host lists: `node[01-03,07],gpu1,rack[1-2]-n[1-2]` -> each host name. */
export function hostlist(field: string, text: string): string[] | undefined {
  if (text === '' || text === 'None assigned' || text === '(null)') return undefined;
  const hosts: string[] = [];
  for (const item of splitTopLevel(text)) {
    for (const host of expandHost(field, item)) hosts.push(host);
    if (hosts.length > MAX_HOSTS) throw new RecordError(field, `expands to more than ${MAX_HOSTS} hosts: ${describe(text)}`);
  }
  return hosts;
}

/** No job runs on more hosts than this; nested ranges beyond it are garbage, not a node list. */
const MAX_HOSTS = 65_536;

function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']') depth--;
    else if (text[i] === ',' && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items.filter((item) => item !== '');
}

function expandHost(field: string, item: string): string[] {
  const open = item.indexOf('[');
  if (open < 0) return [item];
  const close = item.indexOf(']', open);
  if (close < 0) throw new RecordError(field, `a [ is not closed in ${describe(item)}`);
  const head = item.slice(0, open);
  const tails = expandHost(field, item.slice(close + 1));
  const out: string[] = [];
  for (const n of expandRanges(field, item.slice(open + 1, close))) {
    for (const tail of tails) out.push(`${head}${n}${tail}`);
    if (out.length > MAX_HOSTS) throw new RecordError(field, `expands to more than ${MAX_HOSTS} hosts: ${describe(item)}`);
  }
  return out;
}
