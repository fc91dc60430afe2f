-- Teams (队): named groups of volunteers of a kind (youth commando for parcels, sampling
-- assistance, party duty, patrol, delivery, gate), with a leader, a member cap and an
-- ordered waitlist the leader promotes from; a team may require a qualification or the
-- leader's approval to join. Owned by src/domain/volunteers/teams.c.
--
-- members counts the team's members, so that a conditional UPDATE admits exactly up
-- to the cap however many join at once. A shift or a task may be for one team only.
CREATE TABLE teams (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('commando', 'sampling', 'party_duty', 'patrol', 'delivery', 'gate', 'other')),
    leader_volunteer_id BIGINT REFERENCES volunteers(id),
    cap BIGINT,
    members BIGINT NOT NULL DEFAULT 0,
    qualification TEXT,
    requires_approval INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    CHECK (cap IS NULL OR (cap > 0 AND members <= cap))
);
CREATE INDEX teams_of ON teams(community_id);

CREATE TABLE team_members (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    team_id BIGINT NOT NULL REFERENCES teams(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    state TEXT NOT NULL CHECK (state IN ('member', 'waitlist', 'pending', 'left')),
    queued_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX team_members_one ON team_members(team_id, volunteer_id);
CREATE INDEX team_members_volunteer ON team_members(community_id, volunteer_id, state);

ALTER TABLE shifts ADD COLUMN team_id BIGINT REFERENCES teams(id);
ALTER TABLE tasks ADD COLUMN team_id BIGINT REFERENCES teams(id);
