// `export` as an analyst or cron meets it: a closed pipe, mistyped options, ranges by month or by
// `yesterday`, which files an empty range writes, one time precision, Excel's byte-order mark.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, runCli, tempDir } from './support/cli.ts';

/** A canonical snapshot of `count` instances, written into `dir`; returns its path. */
function vmSnapshot(dir: string, takenAt: string, count: number, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `vm-${takenAt.replace(/[^0-9]/g, '')}.json`);
  const resources = Array.from({ length: count }, (_, i) => ({
    id: `vm-${String(i).padStart(5, '0')}`,
    status: 'ACTIVE',
    tenant_id: `proj-${i % 7}`,
    flavor_id: 'm3.small',
    vcpus: 2,
    ram_mb: 4096,
    disk_gb: 30,
    availability_zone: 'sa',
    created_at: '2026-09-01T00:00:00Z',
    ...extra,
  }));
  writeFileSync(path, JSON.stringify({ source: 'lab', resource_type: 'vm', taken_at: takenAt, resources }));
  return path;
}

async function ingest(dir: string, ...paths: string[]): Promise<void> {
  for (const path of paths) {
    const run = await runCli(['-q', 'ingest', '--dump', path], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
  }
}

describe('export --stdout into a pipe closed early', () => {
  it('ends quietly with exit 0 when the reader has had enough (`| head -1`)', async () => {
    const dir = tempDir();
    // Several megabytes of CSV: far more than a pipe buffer holds.
    await ingest(dir, vmSnapshot(dir, '2026-11-01T02:00:00Z', 5000));
    const child = spawn(process.execPath, [BIN, 'export', '--from', '2026-11-01', '--to', '2026-11-10', '--type', 'vm', '--stdout'], {
      cwd: dir,
      env: { ...process.env, HOME: dir, USAGE_ETL_DB: undefined, USAGE_ETL_CONFIG: undefined, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.match(first, /^source,resource_type,stats_on_date,id,/);
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});
