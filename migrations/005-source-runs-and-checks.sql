-- Schema version 5: what `status --check` needs (issue 12).
-- Each source a run collected, and how that went: "a source whose last run failed" is read here
-- (a failed collection writes no snapshot, so the snapshots alone cannot tell it).
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
