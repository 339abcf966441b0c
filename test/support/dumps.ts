// Generated dumps, for tests that need many resources.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export interface VmDump {
  readonly source: string;
  readonly takenAt: string;
  /** VMs are `vm-<skip>` ... `vm-<count - 1>`. */
  readonly count: number;
  /** How many VMs at the start have another status (so a later snapshot modifies them). */
  readonly changed?: number;
  /** How many VMs at the start are left out (so a later snapshot removes them). */
  readonly skip?: number;
}

/** Streams a canonical vm snapshot (SPEC §4.1.1) to `file`, a batch at a time. */
export async function writeVmDump(file: string, dump: VmDump): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`{"source":"${dump.source}","resource_type":"vm","taken_at":"${dump.takenAt}","complete":true,"resources":[\n`);
  const first = dump.skip ?? 0;
  let batch: string[] = [];
  for (let i = first; i < dump.count; i++) {
    const status = i < (dump.changed ?? 0) ? 'SHUTOFF' : 'ACTIVE';
    batch.push(`${i > first ? ',' : ''}{"id":"vm-${i}","status":"${status}","tenant_id":"project-${i % 97}","flavor_id":"m3.small","vcpus":${1 + (i % 8)},"ram_mb":4096}`);
    if (batch.length === 5000) {
      await write(batch.join('\n'));
      batch = [];
    }
  }
  await write(`${batch.join('\n')}\n]}\n`);
  out.end();
  await once(out, 'finish');
}
