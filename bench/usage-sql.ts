// The peer of the usage scenario (SPEC §11), run by bench.ts as its own process: usage_vm's per-day
// hours per tenant and flavor, as one SQL query over the product's `changes` table, opened read-only.
// Same rules as SPEC §8.3 under the default billing policy: a server is billed from launched_at (else
// created_at, else the snapshot that added it); a change or removal first seen in a snapshot took
// effect midway between it and the snapshot before; nothing after the series' last snapshot; each
// stretch clipped to UTC days. Times stay in epoch ms; each row's hours are ROUND(ms / 3 600 000, 6).
// It does not compute estimated_hours, nor sizes from a `flavor` series (the records carry them).
// Usage: node --import tsx bench/usage-sql.ts DB SOURCE FROM TO OUT.csv   -> one JSON line on stdout.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import Database from 'better-sqlite3';

const [dbPath, source, from, to, outPath] = process.argv.slice(2);
if (!dbPath || !source || !from || !to || !outPath) {
  process.stderr.write('usage: node --import tsx bench/usage-sql.ts DB SOURCE FROM TO OUT.csv\n');
  process.exit(2);
}

const USAGE_SQL = `
WITH
  series_id AS (
    SELECT series.id FROM series JOIN sources ON sources.id = series.source_id
    WHERE sources.name = :source AND series.resource_type = 'vm'),
  snaps AS MATERIALIZED (
    SELECT taken_at, lag(taken_at) OVER (ORDER BY taken_at) AS before FROM snapshots
    WHERE series_id = (SELECT id FROM series_id) GROUP BY taken_at),
  -- Each change and the instant it took effect.
  effect AS (
    SELECT c.id AS change_id, c.resource_key AS vm, c.action,
      CASE WHEN c.action = 'added'
        THEN coalesce(CAST(round(unixepoch(json_extract(c.record, '$.launched_at'), 'subsec') * 1000) AS INTEGER),
                      CAST(round(unixepoch(json_extract(c.record, '$.created_at'), 'subsec') * 1000) AS INTEGER), c.taken_at)
        ELSE (snaps.before + c.taken_at) / 2 END AS at,
      json_extract(c.record, '$.tenant_id') AS tenant_id,
      json_extract(c.record, '$.flavor_id') AS flavor_id,
      json_extract(c.record, '$.vcpus') AS vcpus,
      json_extract(c.record, '$.ram_mb') AS ram_mb,
      json_extract(c.record, '$.disk_gb') AS disk_gb,
      -- vm_state, else the one the API status stands for (only the unbilled ones matter here).
      lower(coalesce(nullif(json_extract(c.record, '$.vm_state'), ''),
        CASE upper(json_extract(c.record, '$.status'))
          WHEN 'BUILD' THEN 'building' WHEN 'SHELVED_OFFLOADED' THEN 'shelved_offloaded' WHEN 'SOFT_DELETED' THEN 'soft_deleted'
          WHEN 'DELETED' THEN 'deleted' WHEN 'ERROR' THEN 'error' ELSE 'active' END)) AS vm_state
    FROM changes c JOIN snaps ON snaps.taken_at = c.taken_at
    WHERE c.series_id = (SELECT id FROM series_id)),
  -- Each record holds from its change (never before an earlier one) until the server's next change,
  -- or the last snapshot.
  stretch AS (
    SELECT vm, action, tenant_id, flavor_id, vcpus, ram_mb, disk_gb, vm_state, max(at) OVER w AS start,
      coalesce(lead(at) OVER w, (SELECT max(taken_at) FROM snaps)) AS "end"
    FROM effect WINDOW w AS (PARTITION BY vm ORDER BY change_id)),
  billed AS (
    SELECT * FROM stretch
    WHERE action != 'removed' AND "end" > start
      AND vm_state NOT IN ('shelved_offloaded', 'deleted', 'soft_deleted', 'error', 'building')),
  days(day) AS (
    SELECT unixepoch(:from) * 1000 UNION ALL SELECT day + 86400000 FROM days WHERE day < unixepoch(:to) * 1000),
  pieces AS (
    SELECT day, vm, tenant_id, flavor_id, vcpus, ram_mb, disk_gb, min("end", day + 86400000) - max(start, day) AS ms
    FROM billed JOIN days ON billed.start < day + 86400000 AND billed."end" > day)
SELECT strftime('%Y-%m-%d', day / 1000, 'unixepoch') AS day, tenant_id, flavor_id, count(DISTINCT vm) AS instances,
  round(sum(ms) / 3600000.0, 6) AS instance_hours,
  round(sum(ms * vcpus) / 3600000.0, 6) AS vcpu_hours,
  round(sum(ms * ram_mb) / (1024 * 3600000.0), 6) AS ram_gb_hours,
  round(sum(ms * disk_gb) / 3600000.0, 6) AS disk_gb_hours
FROM pieces GROUP BY day, tenant_id, flavor_id ORDER BY day, tenant_id, flavor_id`;

interface UsageRow {
  day: string;
  tenant_id: string | null;
  flavor_id: string | null;
  instances: number;
  instance_hours: number;
  vcpu_hours: number;
  ram_gb_hours: number;
  disk_gb_hours: number;
}

const started = performance.now();
const db = new Database(dbPath, { readonly: true, fileMustExist: true });
const out = createWriteStream(outPath);
out.write('source,day,tenant_id,flavor_id,instances,instance_hours,vcpu_hours,ram_gb_hours,disk_gb_hours\n');
let rows = 0;
let instances = 0;
let instanceMicroHours = 0;
let vcpuMicroHours = 0;
let batch = '';
for (const row of db.prepare(USAGE_SQL).iterate({ source, from, to }) as IterableIterator<UsageRow>) {
  rows++;
  instances += row.instances;
  instanceMicroHours += Math.round(row.instance_hours * 1e6);
  vcpuMicroHours += Math.round(row.vcpu_hours * 1e6);
  batch += `${source},${row.day},${row.tenant_id ?? ''},${row.flavor_id ?? ''},${row.instances},${row.instance_hours},${row.vcpu_hours},${row.ram_gb_hours},${row.disk_gb_hours}\n`;
  if (batch.length >= 1 << 20) {
    if (!out.write(batch)) await once(out, 'drain');
    batch = '';
  }
}
out.end(batch);
await once(out, 'close');
db.close();
process.stdout.write(`${JSON.stringify({ rows, instances, instanceMicroHours, vcpuMicroHours, total_s: (performance.now() - started) / 1000 })}\n`);
