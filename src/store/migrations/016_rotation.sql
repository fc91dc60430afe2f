-- Household rotation (轮值): the households of one block keep its gate in a fixed order,
-- one household a day within a daily window (8:00-20:00), handing the key to the next
-- household at its end. Owned by src/domain/rotation/. Times BIGINT microseconds UTC;
-- days are the community's calendar days as 'YYYY-MM-DD', windows 'HH:MM' local time.
--
-- Only what happened is stored: the rotation, its order (rotation_members) and one row
-- per turn that was recorded (rotation_turns). The schedule ahead is computed from the
-- order and the turns so far: turn `seq` (0, 1, 2, ...) belongs to member seq % members
-- in round seq / members + 1. A turn done takes a day; a turn skipped (the household did
-- not open the gate) passes that same day to the next household, so every later day
-- moves up by one household and the plan ends a day earlier. A skipped household is
-- called on (care_called_at), it is not penalised.
CREATE TABLE rotations (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    block_id BIGINT NOT NULL REFERENCES blocks(id),
    name TEXT NOT NULL,
    window_start TEXT NOT NULL DEFAULT '08:00',
    window_end TEXT NOT NULL DEFAULT '20:00',
    starts_on TEXT NOT NULL,
    rounds_planned INTEGER NOT NULL CHECK (rounds_planned > 0),
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'finished')),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX rotations_block ON rotations(community_id, block_id);

-- The fixed order: position 0 keeps the gate first.
CREATE TABLE rotation_members (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    rotation_id BIGINT NOT NULL REFERENCES rotations(id),
    position INTEGER NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households(id),
    UNIQUE (rotation_id, position),
    UNIQUE (rotation_id, household_id)
);
CREATE INDEX rotation_members_household ON rotation_members(community_id, household_id);

-- One row per recorded turn, in the order they happened (seq). outcome 'done': the
-- household kept the gate that day and handed the key over to handover_to_household_id
-- at handed_over_at (NULL after the very last turn). 'skipped': it did not take its
-- turn; the next household takes the same day.
CREATE TABLE rotation_turns (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    rotation_id BIGINT NOT NULL REFERENCES rotations(id),
    seq INTEGER NOT NULL,
    day TEXT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households(id),
    round INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'skipped')),
    handover_to_household_id BIGINT REFERENCES households(id),
    handed_over_at BIGINT,
    note TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT REFERENCES users(id),
    recorded_at BIGINT NOT NULL,
    care_called_at BIGINT,
    care_called_by BIGINT REFERENCES users(id),
    UNIQUE (rotation_id, seq)
);
CREATE INDEX rotation_turns_care ON rotation_turns(community_id, outcome, care_called_at);
