-- Point-to-point care (点对点关爱), owned by src/domain/care/: a vulnerable resident gets
-- a named carer (an account: a volunteer or a leader) and a rhythm of contact, and the
-- carer records each call or visit. An assignment is open while ended_at is NULL; at
-- most one is open per resident (changing the carer ends the old one, so the history
-- keeps who looked after whom). A resident who moves out or whose last care flag is
-- cleared is no longer due: queries check it, the hourly upkeep ends the assignment.
-- missed_flagged_at is the claim of the hourly lapse check (two rhythms running without
-- a contact): set once per lapse with a conditional UPDATE, cleared by the next contact.
CREATE TABLE care_assignments (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    carer_user_id BIGINT NOT NULL REFERENCES users(id),
    rhythm TEXT NOT NULL CHECK (rhythm IN ('daily_call', 'daily_visit', 'twice_weekly_visit', 'weekly_call')),
    start_date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    ended_at BIGINT,
    ended_by BIGINT REFERENCES users(id),
    end_reason TEXT,
    missed_flagged_at BIGINT
);
CREATE UNIQUE INDEX care_assignments_open ON care_assignments(community_id, resident_id) WHERE ended_at IS NULL;
CREATE INDEX care_assignments_resident ON care_assignments(community_id, resident_id, id);
CREATE INDEX care_assignments_carer ON care_assignments(community_id, carer_user_id, ended_at);

-- One call or visit: when (at, and on_day, the community's calendar day of it), how it
-- went, what was needed, and the help request it became (if any). as_leader: recorded
-- by a leader of the resident's scope rather than the carer.
CREATE TABLE care_checkins (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    assignment_id BIGINT NOT NULL REFERENCES care_assignments(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    at BIGINT NOT NULL,
    on_day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'visit')),
    outcome TEXT NOT NULL CHECK (outcome IN ('fine', 'needs', 'not_reached')),
    needs TEXT NOT NULL DEFAULT '',
    help_request_id BIGINT REFERENCES help_requests(id),
    recorded_by BIGINT NOT NULL REFERENCES users(id),
    as_leader INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX care_checkins_assignment ON care_checkins(community_id, assignment_id, on_day);
CREATE INDEX care_checkins_resident ON care_checkins(community_id, resident_id, id);
CREATE INDEX care_checkins_day ON care_checkins(community_id, on_day, outcome);
