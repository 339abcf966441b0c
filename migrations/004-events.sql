-- Schema version 4: OpenStack notifications (SPEC §4.4).
-- Every message once: what the lifecycles are folded from (`facts`) and the key that recognises a
-- re-delivery or a re-emission under a new id (`at` and `dedupe_key`: event type, resource and
-- payload) are kept for ever; the raw payload only until `prune`. Messages the fold
-- does not use are stored too (no action, no facts) and counted as skipped.
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
