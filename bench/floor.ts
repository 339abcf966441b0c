// The floor of SPEC §11, run by bench.ts as its own process: the least any ingest of FILE could cost.
// (a) read the whole file and JSON.parse it; (b) one bare prepared INSERT per resource into a fresh
// SQLite file (WAL, synchronous NORMAL, like the product), all in one transaction.
// Usage: node --import tsx bench/floor.ts FILE DB   -> one JSON line on stdout.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const [file, dbPath] = process.argv.slice(2);
if (!file || !dbPath) {
  process.stderr.write('usage: node --import tsx bench/floor.ts FILE DB\n');
  process.exit(2);
}

const started = performance.now();
const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { resources: { id: string }[] };
const parsed = performance.now();

const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE t (id TEXT NOT NULL, record TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO t (id, record) VALUES (?, ?)');
db.transaction(() => {
  for (const record of snapshot.resources) insert.run(record.id, JSON.stringify(record));
})();
// Closing checkpoints the WAL into the database file, as the product's close does.
db.close();
const inserted = performance.now();

process.stdout.write(
  `${JSON.stringify({
    records: snapshot.resources.length,
    read_parse_s: (parsed - started) / 1000,
    insert_s: (inserted - parsed) / 1000,
  })}\n`,
);
