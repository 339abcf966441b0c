-- usage-etl history database, schema version 5: the whole current schema.
-- Applied as it is to a new database by src/store/sqlite/open.ts; an older database is brought up to
-- date by the numbered files in migrations/, run in order (PRAGMA user_version says where it stands).
-- Times are UTC epoch milliseconds (INTEGER) so they sort and compare exactly.

-- A configured or derived origin of data (SPEC §3).
CREATE TABLE sources (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);

-- One (source, resource type): the unit that snapshots, diffs and history belong to.
CREATE TABLE series (
  id             INTEGER PRIMARY KEY,
  source_id      INTEGER NOT NULL REFERENCES sources (id),
  resource_type  TEXT NOT NULL,
  UNIQUE (source_id, resource_type)
);

-- Every ingest run, including those that changed nothing or failed (SPEC §3, Run).
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  command      TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  status       TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  error        TEXT,
  snapshots    INTEGER NOT NULL DEFAULT 0,
  examined     INTEGER NOT NULL DEFAULT 0,
  added        INTEGER NOT NULL DEFAULT 0,
  modified     INTEGER NOT NULL DEFAULT 0,
  removed      INTEGER NOT NULL DEFAULT 0,
  unchanged    INTEGER NOT NULL DEFAULT 0,
  rejected     INTEGER NOT NULL DEFAULT 0,
  skipped      INTEGER NOT NULL DEFAULT 0
);

-- Every applied snapshot and what it did; the observation of unchanged resources lives here.
CREATE TABLE snapshots (
  id            INTEGER PRIMARY KEY,
  series_id     INTEGER NOT NULL REFERENCES series (id),
  run_id        INTEGER NOT NULL REFERENCES runs (id),
  taken_at      INTEGER NOT NULL,
  complete      INTEGER NOT NULL CHECK (complete IN (0, 1)),
  -- How private fields were stored: drop, keep or hash (exports show them only when stored).
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
  -- A state type has one snapshot per time (the code refuses a second); a ledger file is applied in
  -- batches that may share a time, so content is part of what identifies a snapshot.
  UNIQUE (series_id, taken_at, content_hash)
);

-- The history: one row per added, modified or removed resource. `record` is the full projected
-- record after the change (for `removed`, the last one) and `hash` its hash, so the state at any
-- instant is the latest change per key at or before it; `fields` holds {field: {old, new}} for
-- `modified`. (series_id, taken_at) identifies the snapshot that made the change.
CREATE TABLE changes (
  id            INTEGER PRIMARY KEY,
  series_id     INTEGER NOT NULL REFERENCES series (id),
  snapshot_id   INTEGER NOT NULL REFERENCES snapshots (id),
  taken_at      INTEGER NOT NULL,
  resource_key  TEXT NOT NULL,
  action        TEXT NOT NULL CHECK (action IN ('added', 'modified', 'removed')),
  record        TEXT NOT NULL,
  hash          TEXT NOT NULL,
  fields        TEXT
);
CREATE INDEX changes_by_series_time ON changes (series_id, taken_at);

-- The present state of each series, for the next diff: the latest change of each present resource
-- (its hash, and the change row holding its record). Derived from `changes`, kept for speed.
-- For a ledger type it holds every record ever stored (a ledger never removes), and `ledger_at`
-- places each on the day the inventory reports it (a job's end; SPEC §8.1).
CREATE TABLE current (
  series_id     INTEGER NOT NULL REFERENCES series (id),
  resource_key  TEXT NOT NULL,
  hash          TEXT NOT NULL,
  change_id     INTEGER NOT NULL REFERENCES changes (id),
  ledger_at     INTEGER,
  PRIMARY KEY (series_id, resource_key)
) WITHOUT ROWID;
CREATE INDEX current_by_ledger_time ON current (series_id, ledger_at) WHERE ledger_at IS NOT NULL;

-- Quarantined records (SPEC §9): where they were and why. Their content is not kept: it may be private.
CREATE TABLE rejects (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES runs (id),
  snapshot_id    INTEGER REFERENCES snapshots (id),
  source         TEXT NOT NULL,
  resource_type  TEXT NOT NULL,
  file           TEXT NOT NULL,
  location       TEXT NOT NULL,
  field          TEXT,
  reason         TEXT NOT NULL
);
CREATE INDEX rejects_by_run ON rejects (run_id);
-- A growing log is re-read every run: a line already quarantined is not stored again.
CREATE INDEX rejects_by_place ON rejects (source, resource_type, file, location);

-- Accounting logs a `kind: pbs` source has read through, with the size and modification time they
-- had then: a log unchanged since is not read again (today's, which grows, always is).
CREATE TABLE source_files (
  source    TEXT NOT NULL,
  path      TEXT NOT NULL,
  size      INTEGER NOT NULL,
  mtime_ms  INTEGER NOT NULL,
  read_at   INTEGER NOT NULL,
  PRIMARY KEY (source, path)
) WITHOUT ROWID;

-- OpenStack notifications (SPEC §4.4), once each. What the lifecycles are folded from (`facts`) and
-- the key that recognises a re-delivery or a re-emission under a new id (`at` and `dedupe_key`:
-- event type, resource and payload) are kept for ever; the raw payload only
-- until `prune`. Messages the fold does not use are stored too (no action, no facts), counted as skipped.
CREATE TABLE events (
  id             INTEGER PRIMARY KEY,
  source_id      INTEGER NOT NULL REFERENCES sources (id),
  run_id         INTEGER NOT NULL REFERENCES runs (id),
  message_id     TEXT,
  dedupe_key     TEXT NOT NULL,
  event_type     TEXT NOT NULL,
  action         TEXT,
  resource_type  TEXT,
  resource_id    TEXT,
  at             INTEGER NOT NULL,
  facts          TEXT,
  payload        TEXT,
  file           TEXT NOT NULL,
  location       TEXT NOT NULL
);
-- Recognises an event stored already. Keyed by time first, so a capture, nearly in time order, adds
-- to the end of the index instead of all over it; a message delivered again has the same key too.
-- (The fold reads a source's events sorted by resource: no index is kept for that one read.)
CREATE UNIQUE INDEX events_once ON events (source_id, at, dedupe_key);

-- Each source a run collected, and how that went: "a source whose last run failed" for
-- `status --check` (a failed collection writes no snapshot, so the snapshots alone cannot tell it).
CREATE TABLE run_sources (
  run_id  INTEGER NOT NULL REFERENCES runs (id),
  source  TEXT NOT NULL,
  status  TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error   TEXT,
  PRIMARY KEY (source, run_id)
) WITHOUT ROWID;

-- Every `status --check`: when, and the last quarantined record it had seen, so the next check
-- reports only the records quarantined since.
CREATE TABLE status_checks (
  id              INTEGER PRIMARY KEY,
  checked_at      INTEGER NOT NULL,
  last_reject_id  INTEGER NOT NULL
);

-- Settings of this database (the HMAC key of `private_fields: hash`).
CREATE TABLE meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- At most one ingest at a time; a row left by a killed process is taken over once its pid is gone.
CREATE TABLE ingest_lock (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  pid         INTEGER NOT NULL,
  hostname    TEXT NOT NULL,
  command     TEXT NOT NULL,
  started_at  INTEGER NOT NULL
);
