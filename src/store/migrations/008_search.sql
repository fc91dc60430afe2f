-- Search terms for residents. Owned by src/domain/registry/search_terms.c.
-- A substring search (LIKE '%q%') reads every resident; this table turns it into an
-- indexed equality on one short term the query must contain, after which the full
-- condition is checked on those candidates only. Terms of one resident:
--   't:' + every 1 and 2 characters of the name, room and phone without their digits
--   'd:' + every 3 and every 4 digits in a row of the digits of the name, room, phone
--   'i:' + the last 1 to 4 characters of the masked ID number
-- Kept current by every registry write that changes a name, phone, ID or room.
-- Derived data, written by search_terms.c only and rebuilt from residents at will: no
-- constraints at all. A foreign key doubles the cost of writing thirty terms per
-- resident; a NOT NULL makes SQLite keep a statement journal for every multi-row
-- INSERT, a copy of each index page it touches (an import of 10,000 residents: 1.5 s
-- instead of a few hundred milliseconds).
CREATE TABLE resident_terms (
    community_id BIGINT,
    term TEXT,
    resident_id BIGINT
);
-- Equality on (community, term) and the residents in id order: a page of results is
-- the first rows of one index range.
CREATE INDEX resident_terms_find ON resident_terms(community_id, term, resident_id);
CREATE INDEX resident_terms_resident ON resident_terms(resident_id);

-- Communities whose terms were built by the current rules (version). A community
-- without a row, or with an older version, is rebuilt when the server starts.
CREATE TABLE resident_terms_state (
    community_id BIGINT PRIMARY KEY REFERENCES communities(id),
    version INTEGER NOT NULL,
    built_at BIGINT NOT NULL
);
