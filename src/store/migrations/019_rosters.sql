-- Rosters: a generated plan that fills a period's shifts from the eligible volunteers,
-- kept as a draft (roster_entries) the committee edits by hand, then published into
-- shift_assignments (source 'roster'). Owned by src/domain/volunteers/roster.c.
--
-- rules holds the limits the generator kept (hours a day and a week, rest between
-- shifts, the posts); result what it found: per shift left short, how many people each
-- rule excluded, and the spread of hours. An entry's reason says why that person was
-- chosen (JSON: the rule words and figures, shown in the reader's language).
CREATE TABLE rosters (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'published', 'discarded')),
    rules TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT '{}',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    published_by BIGINT REFERENCES users(id),
    published_at BIGINT
);
CREATE INDEX rosters_of ON rosters(community_id, state);

CREATE TABLE roster_entries (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    roster_id BIGINT NOT NULL REFERENCES rosters(id),
    shift_id BIGINT NOT NULL REFERENCES shifts(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    reason TEXT NOT NULL,
    manual INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX roster_entries_one ON roster_entries(roster_id, shift_id, volunteer_id);
CREATE INDEX roster_entries_volunteer ON roster_entries(community_id, roster_id, volunteer_id);
