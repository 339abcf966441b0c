-- Schema version 4: OpenStack notifications (SPEC §4.4).
-- Every message once: what the lifecycles are folded from (`facts`) and the key that recognises a
-- re-delivery (the message id) or a re-emission under a new id (`dedupe_key`: event type, resource,
-- event time and payload) are kept for ever; the raw payload only until `prune`. Messages the fold
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
  location       TEXT NOT NULL,
  UNIQUE (source_id, dedupe_key)
);
CREATE UNIQUE INDEX events_by_message ON events (source_id, message_id) WHERE message_id IS NOT NULL;
-- The fold reads one resource's events in time order.
CREATE INDEX events_by_resource ON events (source_id, resource_type, resource_id, at);
