// The DuckDB peer of SPEC §11's vm scenarios, run by bench.ts as its own process: the same diff of the
// same canonical snapshot file against the state this peer persisted from the previous one, in its
// own database file. It reads the file (read_json), hashes each record's JSON (sha1), full-outer-joins
// the new keys and hashes with the stored ones, writes the added / modified (with their records) /
// removed rows and brings the stored state up to date, in one transaction; then prints the counts
// (the bench checks them against ours) and its time, taken inside the process from before DuckDB is
// loaded to after its file is closed, as the floor's are.
// Usage: node --import tsx bench/duckdb-peer.ts FILE DB   -> one JSON line on stdout.
const [file, dbPath] = process.argv.slice(2);
if (!file || !dbPath) {
  process.stderr.write('usage: node --import tsx bench/duckdb-peer.ts FILE DB\n');
  process.exit(2);
}

const started = performance.now();
const { DuckDBInstance } = await import('@duckdb/node-api');
const instance = await DuckDBInstance.create(dbPath);
const db = await instance.connect();
const quoted = `'${file.replace(/'/g, "''")}'`;

// `data` is a reserved word in DuckDB's SQL: no table or column is named so.
await db.run('CREATE TABLE IF NOT EXISTS state (key VARCHAR NOT NULL, hash VARCHAR NOT NULL)');
await db.run('CREATE TABLE IF NOT EXISTS changes (taken_at VARCHAR NOT NULL, key VARCHAR NOT NULL, action VARCHAR NOT NULL, record JSON, hash VARCHAR NOT NULL)');
await db.run('BEGIN TRANSACTION');
// The records as JSON values (not typed structs), so each is hashed as the text it was read as.
await db.run(
  `CREATE TEMP TABLE snap AS
   SELECT taken_at, r->>'id' AS key, sha1(r::VARCHAR) AS hash, r AS record
   FROM (SELECT taken_at, unnest(resources) AS r
         FROM read_json(${quoted}, columns = {taken_at: 'VARCHAR', resources: 'JSON[]'}, maximum_object_size = 4000000000))`,
);
await db.run(
  `CREATE TEMP TABLE delta AS
   SELECT coalesce(n.key, o.key) AS key,
          CASE WHEN o.key IS NULL THEN 'added' WHEN n.key IS NULL THEN 'removed' ELSE 'modified' END AS action,
          n.record AS record, coalesce(n.hash, o.hash) AS hash
   FROM snap n FULL OUTER JOIN state o ON n.key = o.key
   WHERE n.hash IS DISTINCT FROM o.hash`,
);
await db.run(`INSERT INTO changes SELECT (SELECT any_value(taken_at) FROM snap), key, action, record, hash FROM delta`);
await db.run(`DELETE FROM state WHERE key IN (SELECT key FROM delta WHERE action <> 'added')`);
await db.run(`INSERT INTO state SELECT key, hash FROM delta WHERE action <> 'removed'`);
await db.run('COMMIT');

const counts = { added: 0, modified: 0, removed: 0 };
for (const [action, n] of (await db.runAndReadAll('SELECT action, count(*)::INTEGER FROM delta GROUP BY action')).getRows()) {
  counts[action as keyof typeof counts] = Number(n);
}
const records = Number((await db.runAndReadAll('SELECT count(*)::INTEGER FROM snap')).getRows()[0]![0]);
db.closeSync();
instance.closeSync();
const seconds = (performance.now() - started) / 1000;

process.stdout.write(`${JSON.stringify({ records, ...counts, unchanged: records - counts.added - counts.modified, seconds })}\n`);
