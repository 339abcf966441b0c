-- Schema version 2: ledger types (SPEC §3, §6: finished HPC jobs).
--
-- 1. A ledger file is applied in batches, each its own snapshot, and two batches (or two files) may
--    end at the same record time: a snapshot is identified by its series, time and content, not by
--    series and time alone. (State types still allow one snapshot per time; the code refuses more.)
CREATE TABLE snapshots_v2 (
  id            INTEGER PRIMARY KEY,
  series_id     INTEGER NOT NULL REFERENCES series (id),
  run_id        INTEGER NOT NULL REFERENCES runs (id),
  taken_at      INTEGER NOT NULL,
  complete      INTEGER NOT NULL CHECK (complete IN (0, 1)),
  private_fields TEXT NOT NULL CHECK (private_fields IN ('drop', 'keep', 'hash')),
  content_hash  TEXT NOT NULL,
  origin        TEXT NOT NULL,
  examined      INTEGER NOT NULL,
  added         INTEGER NOT NULL,
  modified      INTEGER NOT NULL,
  removed       INTEGER NOT NULL,
  unchanged     INTEGER NOT NULL,
  rejected      INTEGER NOT NULL,
  duplicates    INTEGER NOT NULL,
  skipped       INTEGER NOT NULL,
  elapsed_ms    INTEGER NOT NULL,
  UNIQUE (series_id, taken_at, content_hash)
);
INSERT INTO snapshots_v2 (id, series_id, run_id, taken_at, complete, private_fields, content_hash, origin, examined, added,
    modified, removed, unchanged, rejected, duplicates, skipped, elapsed_ms)
  SELECT id, series_id, run_id, taken_at, complete, private_fields, content_hash, origin, examined, added,
    modified, removed, unchanged, rejected, duplicates, skipped, elapsed_ms FROM snapshots;
DROP TABLE snapshots;
ALTER TABLE snapshots_v2 RENAME TO snapshots;

-- 2. A ledger's `current` holds every record ever (nothing is removed by absence); the inventory
--    reports each on the day of one of its times (a job's end), found through this column.
ALTER TABLE current ADD COLUMN ledger_at INTEGER;
CREATE INDEX current_by_ledger_time ON current (series_id, ledger_at) WHERE ledger_at IS NOT NULL;

-- 3. A growing log is re-read every run: a line already quarantined is not stored again.
CREATE INDEX rejects_by_place ON rejects (source, resource_type, file, location);
