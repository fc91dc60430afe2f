-- Sweeps (排摸): a door-to-door or phone survey of a target set of households, with
-- progress per block and zone and the list of households not yet reached.
-- Owned by src/domain/registry/sweeps.c. Times are BIGINT microseconds UTC.
--
-- A sweep is drafted (questions and target), opened (its targets are materialized from
-- the registry at that moment, so later moves do not change who is to be visited) and
-- closed. questions is a JSON array of {key, label_zh, label_en, type, choices?,
-- required}; type is yes_no, text, choice or number. target_filter is a JSON object:
-- {zone_id?, block_id?, status?} for target_kind 'filter', {household_ids: [...]} for
-- 'list', {} for 'all'.

CREATE TABLE sweeps (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    questions TEXT NOT NULL DEFAULT '[]',
    target_kind TEXT NOT NULL DEFAULT 'all' CHECK (target_kind IN ('all', 'filter', 'list')),
    target_filter TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed')),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    opened_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX sweeps_community ON sweeps(community_id, id);

-- The households a sweep is to reach, fixed when it opens. outcome is the current
-- outcome ('pending' until the first record), kept here so that progress counts read
-- one table; the answers themselves, with their history, are in sweep_answers.
CREATE TABLE sweep_targets (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    sweep_id BIGINT NOT NULL REFERENCES sweeps(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    block_id BIGINT NOT NULL REFERENCES blocks(id),
    outcome TEXT NOT NULL DEFAULT 'pending'
        CHECK (outcome IN ('pending', 'answered', 'not_home', 'refused')),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, sweep_id, household_id)
);
CREATE INDEX sweep_targets_block ON sweep_targets(community_id, sweep_id, block_id, outcome);
CREATE INDEX sweep_targets_outcome ON sweep_targets(community_id, sweep_id, outcome);

-- Every record of a visit or call, never deleted: a new record for a household marks
-- the previous one not current (current = 0), so "first not at home, answered on the
-- second visit" stays visible. At most one current row per household and sweep.
-- method: visit (door-to-door) or phone. on_behalf_of: the resident who answered for
-- the household, when known.
CREATE TABLE sweep_answers (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    sweep_id BIGINT NOT NULL REFERENCES sweeps(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'not_home', 'refused')),
    answers TEXT NOT NULL DEFAULT '{}',
    method TEXT NOT NULL DEFAULT 'visit' CHECK (method IN ('visit', 'phone')),
    note TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    on_behalf_of BIGINT REFERENCES residents(id),
    recorded_at BIGINT NOT NULL,
    current INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1))
);
CREATE INDEX sweep_answers_household ON sweep_answers(community_id, sweep_id, household_id, id);
CREATE UNIQUE INDEX sweep_answers_current ON sweep_answers(community_id, sweep_id, household_id)
    WHERE current = 1;
