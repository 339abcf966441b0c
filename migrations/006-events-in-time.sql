-- Schema version 6: the lifecycle fold reads a source's events of one resource type in time and
-- arrival order along this index (the id ends every entry), instead of sorting them all; what
-- notifications cover (EventSeries) is read from it too, without reading the payloads (issue 10).
CREATE INDEX events_in_time ON events (source_id, resource_type, at);
