// Where a PBS job ran (SPEC §5 `job`: hosts, nodes, cores): Torque's and PBS Pro's `exec_host`
// and PBS Pro's `exec_vnode`.
import { RecordError, describe } from '../../errors.ts';
import { wholeNumber } from '../hpc/values.ts';

interface Placement {
  readonly hosts: string[];
  readonly cores: number;
}

/**
 * Torque `n1/0+n1/1` (one slot per entry), Torque 5 `n1/0-3` and `n1/0,2`, PBS Pro `n1/0*4`
 * (four cpus at index 0). Cores are the slots; nodes the distinct hosts.
 */
export function execHost(text: string): Placement {
  const hosts = new Set<string>();
  let cores = 0;
  for (const part of text.split('+')) {
    const slash = part.indexOf('/');
    const host = slash < 0 ? part : part.slice(0, slash);
    if (!host) throw new RecordError('exec_host', `expected host/slots, found ${describe(part)}`);
    hosts.add(host);
    if (slash < 0) {
      cores++;
      continue;
    }
    for (const item of part.slice(slash + 1).split(',')) {
      const m = SLOTS.exec(item);
      if (!m) throw new RecordError('exec_host', `expected slots such as 0, 0-3, 0,2 or 0*4 after ${host}/, found ${describe(item)}`);
      if (m[2] !== undefined) {
        if (+m[2] < +m[1]!) throw new RecordError('exec_host', `slot range ${item} runs backwards`);
        cores += +m[2] - +m[1]! + 1;
      } else cores += m[3] !== undefined ? +m[3] : 1;
    }
  }
  if (!Number.isSafeInteger(cores)) throw new RecordError('exec_host', `counts more cores than there can be: ${describe(text)}`);
  return { hosts: [...hosts], cores };
}

/** One slot item of `exec_host`: `0`, `0-3` or `0*4` (digit runs capped: a count, not an id). */
const SLOTS = /^(\d{1,9})(?:-(\d{1,9})|\*(\d{1,9}))?$/;

/** PBS Pro `(vnodeA:ncpus=4:mem=8gb)+(vnodeB[1]:ncpus=2+vnodeC:ncpus=2)`: cpus summed, vnodes named by host. */
export function execVnode(text: string): Placement {
  const hosts = new Set<string>();
  let cores = 0;
  for (const chunk of text.replace(/[()]/g, '').split('+')) {
    const [vnode, ...resources] = chunk.split(':');
    if (!vnode) throw new RecordError('exec_vnode', `expected (vnode:ncpus=N), found ${describe(chunk)}`);
    hosts.add(vnode.replace(/\[\d+\]$/, ''));
    for (const resource of resources) {
      const [name, value] = resource.split('=');
      if (name?.toLowerCase() === 'ncpus') cores += wholeNumber('exec_vnode', value) ?? 0;
    }
  }
  return { hosts: [...hosts], cores };
}
