-- Registry, people: moving out and travel history. Owned by the registry (src/domain/registry).
-- Times are BIGINT microseconds UTC; dates as people give them, TEXT 'YYYY-MM-DD'.

-- A resident who moved out keeps the row (history, audit) with the time of leaving;
-- lists leave such residents out unless asked.
ALTER TABLE residents ADD COLUMN moved_out_at BIGINT;

-- One ID number is registered once among the residents living in a community: the
-- rule holds across writers and server processes, not only in the handler's check.
CREATE UNIQUE INDEX residents_id_hash_current ON residents(community_id, id_hash)
    WHERE moved_out_at IS NULL AND id_hash IS NOT NULL;

-- Where a resident has been (行程): place and dates as reported, who wrote it down.
CREATE TABLE resident_travel (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    place TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX resident_travel_resident ON resident_travel(community_id, resident_id, id);
