-- Volunteers (志愿者): the people, their qualifications and equipment, the posts they
-- staff, the shifts of those posts and who is on them, the tasks they grab, their
-- verified hours and the time bank's ledger. Owned by src/domain/volunteers/. Times
-- BIGINT microseconds UTC; calendar days TEXT 'YYYY-MM-DD' in the community's zone.
--
-- A volunteer is a resident (resident_id) or an outsider (kind cadre, company, student,
-- other, with an organisation), with an account (user_id) or without one (an elderly
-- party member signed up by a block leader). While approved, active or paused the
-- account holds the community's volunteer role; leaving removes it in the same write.
CREATE TABLE volunteers (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    user_id BIGINT REFERENCES users(id),
    resident_id BIGINT REFERENCES residents(id),
    name TEXT NOT NULL,
    phone TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('resident', 'cadre', 'company', 'student', 'other')),
    organisation TEXT,
    skills TEXT NOT NULL DEFAULT '',
    availability TEXT NOT NULL DEFAULT '[]',
    zone_id BIGINT REFERENCES zones(id),
    health TEXT NOT NULL DEFAULT 'healthy' CHECK (health IN ('healthy', 'limited', 'unwell')),
    state TEXT NOT NULL CHECK (state IN ('applied', 'approved', 'active', 'paused', 'left')),
    left_reason TEXT,
    note TEXT,
    signed_up_by BIGINT REFERENCES users(id),
    on_behalf INTEGER NOT NULL DEFAULT 0,
    approved_by BIGINT REFERENCES users(id),
    approved_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX volunteers_user ON volunteers(community_id, user_id);
CREATE UNIQUE INDEX volunteers_resident ON volunteers(community_id, resident_id);
CREATE INDEX volunteers_state ON volunteers(community_id, state);

-- A qualification the committee recorded, with the day it expires (NULL: never).
CREATE TABLE volunteer_qualifications (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    qualification TEXT NOT NULL,
    expires_on TEXT,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX volunteer_qualifications_one ON volunteer_qualifications(volunteer_id, qualification);

-- Protective equipment handed out: what, how many, when, by whom.
CREATE TABLE volunteer_equipment (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    item TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    issued_by BIGINT REFERENCES users(id),
    issued_at BIGINT NOT NULL
);
CREATE INDEX volunteer_equipment_of ON volunteer_equipment(community_id, volunteer_id);

-- The community's rules for shifts: how many days ahead a volunteer may sign up.
CREATE TABLE volunteer_settings (
    community_id BIGINT PRIMARY KEY REFERENCES communities(id),
    signup_days_ahead BIGINT NOT NULL DEFAULT 3,
    updated_at BIGINT NOT NULL
);

-- A place volunteers staff (a gate, a sorting area, a sampling point). code is the
-- secret in its printed QR code: scanning it checks a volunteer in or out there.
CREATE TABLE posts (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('gate', 'sorting', 'sampling', 'patrol', 'other')),
    zone_id BIGINT REFERENCES zones(id),
    place TEXT,
    code TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX posts_of ON posts(community_id);

-- One shift of a post: when, how many people it needs (taken counts those assigned, so
-- that a conditional UPDATE grants exactly `need` places however many ask at once), the
-- qualification they must hold, if any.
CREATE TABLE shifts (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    post_id BIGINT NOT NULL REFERENCES posts(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    need BIGINT NOT NULL CHECK (need > 0),
    taken BIGINT NOT NULL DEFAULT 0,
    qualification TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (taken >= 0 AND taken <= need)
);
CREATE INDEX shifts_post ON shifts(community_id, post_id, starts_at);
CREATE INDEX shifts_when ON shifts(community_id, starts_at);

-- A volunteer on a shift (assigned) or waiting for a place (waitlist, in id order);
-- given_back frees the place. confirmation is the day-before answer. Check-in and out
-- are by scanning the post's code (or by a leader: checked_by).
CREATE TABLE shift_assignments (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    shift_id BIGINT NOT NULL REFERENCES shifts(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    state TEXT NOT NULL CHECK (state IN ('assigned', 'waitlist', 'given_back')),
    source TEXT NOT NULL CHECK (source IN ('self', 'leader', 'waitlist', 'roster')),
    confirmation TEXT NOT NULL DEFAULT 'pending' CHECK (confirmation IN ('pending', 'confirmed', 'declined')),
    checked_in_at BIGINT,
    checked_out_at BIGINT,
    checked_by BIGINT REFERENCES users(id),
    no_show INTEGER NOT NULL DEFAULT 0,
    queued_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX shift_assignments_one ON shift_assignments(shift_id, volunteer_id);
CREATE INDEX shift_assignments_volunteer ON shift_assignments(community_id, volunteer_id, state);

-- A task to grab (抢单): slots places, claimed counts the granted claims (a conditional
-- UPDATE, as shifts.taken). Who may take it: any active volunteer, or those with skill,
-- or of zone.
CREATE TABLE tasks (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    title TEXT NOT NULL,
    details TEXT,
    place TEXT,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    slots BIGINT NOT NULL CHECK (slots > 0),
    claimed BIGINT NOT NULL DEFAULT 0,
    skill TEXT,
    zone_id BIGINT REFERENCES zones(id),
    service_kind TEXT NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes > 0),
    state TEXT NOT NULL CHECK (state IN ('open', 'done', 'cancelled')),
    posted_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    done_by BIGINT REFERENCES users(id),
    done_at BIGINT,
    CHECK (claimed >= 0 AND claimed <= slots)
);
CREATE INDEX tasks_open ON tasks(community_id, state, starts_at);

CREATE TABLE task_claims (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    state TEXT NOT NULL CHECK (state IN ('claimed', 'waitlist', 'cancelled')),
    queued_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX task_claims_one ON task_claims(task_id, volunteer_id);
CREATE INDEX task_claims_volunteer ON task_claims(community_id, volunteer_id);

-- Verified hours: a completed shift or task credits them (source and source_id, once:
-- the unique index), a manual entry waits for a second person (pending), a leader may
-- credit a group at once. Only verified entries count and earn points.
CREATE TABLE volunteer_hours (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    service_kind TEXT NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes > 0),
    worked_on TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('shift', 'task', 'manual', 'group')),
    source_id BIGINT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'verified', 'rejected')),
    note TEXT,
    entered_by BIGINT REFERENCES users(id),
    confirmed_by BIGINT REFERENCES users(id),
    confirmed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX volunteer_hours_source ON volunteer_hours(community_id, source, source_id, volunteer_id);
CREATE INDEX volunteer_hours_of ON volunteer_hours(community_id, volunteer_id, state);

-- Points per hour of each kind of service (a missing kind earns the default 10).
CREATE TABLE points_rules (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    service_kind TEXT NOT NULL,
    points_per_hour BIGINT NOT NULL CHECK (points_per_hour >= 0),
    PRIMARY KEY (community_id, service_kind)
);

-- The time bank, double entry. A transaction (ledger_txns) is two or more entries
-- summing to zero. A volunteer's account is ('volunteer', volunteer_id); the community's
-- are 'issued' (points given for hours) and 'redeemed' (points spent on a gift). A
-- service one volunteer gives another moves points between their two accounts. Rows
-- are never updated or deleted: a mistake is corrected by a reversal transaction
-- (reverses = the transaction it undoes; once: the unique index).
CREATE TABLE ledger_txns (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('hours', 'redemption', 'service', 'reversal')),
    hours_id BIGINT REFERENCES volunteer_hours(id),
    reverses BIGINT REFERENCES ledger_txns(id),
    memo TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ledger_txns_reverses ON ledger_txns(community_id, reverses);
CREATE INDEX ledger_txns_hours ON ledger_txns(community_id, hours_id);

CREATE TABLE ledger_entries (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    txn_id BIGINT NOT NULL REFERENCES ledger_txns(id),
    account TEXT NOT NULL CHECK (account IN ('volunteer', 'issued', 'redeemed')),
    volunteer_id BIGINT REFERENCES volunteers(id),
    points BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK ((account = 'volunteer') = (volunteer_id IS NOT NULL))
);
CREATE INDEX ledger_entries_txn ON ledger_entries(community_id, txn_id);
CREATE INDEX ledger_entries_volunteer ON ledger_entries(community_id, volunteer_id);
