-- Schema version 3: accounting logs already read (see schema.sql).
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
