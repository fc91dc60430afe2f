-- Retention of sensitive data and merged residents. Owned by src/domain/registry/retention.c
-- and merge.c. Dates TEXT 'YYYY-MM-DD' in the community's time zone; times BIGINT
-- microseconds UTC.

-- The committee's retention setting, one row per community (absent: the defaults, an
-- emergency still going on, keep_days 30, max_days 180). emergency_ended_on NULL while
-- the emergency goes on. keep_days: how long isolation, travel and health details are
-- kept after the emergency ended. max_days: while it goes on, a record ended longer ago
-- than this is removed. last_purge_on: the community day of the last purge, so that the
-- server's hourly maintenance purges once a day.
CREATE TABLE community_retention (
    community_id BIGINT PRIMARY KEY REFERENCES communities(id),
    emergency_ended_on TEXT,
    keep_days INTEGER NOT NULL DEFAULT 30 CHECK (keep_days BETWEEN 1 AND 3650),
    max_days INTEGER NOT NULL DEFAULT 180 CHECK (max_days BETWEEN 7 AND 3650),
    last_purge_on TEXT,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL
);

-- A duplicate record merged into another keeps its row (history, audit) and points at
-- the record that was kept; it is also moved out, so lists and search leave it out.
ALTER TABLE residents ADD COLUMN merged_into BIGINT REFERENCES residents(id);
