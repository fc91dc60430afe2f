-- Testing rounds (核酸 / 抗原), owned by src/domain/testing/. A round is one day's
-- sampling of a scope (the whole community, or some zones and blocks) at stations;
-- every sample is one row, put into a tube (pooled 10-in-1, or single), tubes into
-- transport boxes; tube results come back from the lab (typed or imported) and a
-- positive tube leads to its people and their follow-up. Antigen rounds have no tubes:
-- each sample carries its own result, self-reported or entered by a leader.

-- kind: pcr_pooled (pool_size people a tube, 10 by default), pcr_single, antigen.
-- state: planned (set up), open (stations register), closed (no more samples).
CREATE TABLE test_rounds (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    on_day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pcr_pooled', 'pcr_single', 'antigen')),
    pool_size INTEGER NOT NULL DEFAULT 10 CHECK (pool_size BETWEEN 1 AND 20),
    state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'open', 'closed')),
    note TEXT NOT NULL DEFAULT '',
    copied_from BIGINT REFERENCES test_rounds(id),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    opened_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX test_rounds_day ON test_rounds(community_id, on_day, id);

-- The round's scope: no row means the whole community; otherwise the union of the
-- zones and blocks listed (exactly one of zone_id, block_id is set).
CREATE TABLE test_round_scope (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    zone_id BIGINT REFERENCES zones(id),
    block_id BIGINT REFERENCES blocks(id),
    CHECK ((zone_id IS NULL) <> (block_id IS NULL))
);
CREATE INDEX test_round_scope_round ON test_round_scope(community_id, round_id);

-- A sampling point of a round, open from opens_at to closes_at (HH:MM, the
-- community's time), with the accounts staffing it.
CREATE TABLE test_stations (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    name TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    opens_at TEXT NOT NULL DEFAULT '07:00',
    closes_at TEXT NOT NULL DEFAULT '11:00',
    created_at BIGINT NOT NULL
);
CREATE INDEX test_stations_round ON test_stations(community_id, round_id, id);

CREATE TABLE test_station_staff (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    station_id BIGINT NOT NULL REFERENCES test_stations(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    duty TEXT NOT NULL DEFAULT 'registrar' CHECK (duty IN ('registrar', 'queue', 'sampler', 'runner')),
    UNIQUE (station_id, user_id)
);
CREATE INDEX test_station_staff_user ON test_station_staff(community_id, user_id);

-- Who this round does not expect: reason recovered (recently recovered), away, other.
CREATE TABLE test_exemptions (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    reason TEXT NOT NULL CHECK (reason IN ('recovered', 'away', 'other')),
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (round_id, resident_id)
);

-- Door-to-door sampling (上门采样): residents who cannot come (bedridden, in isolation,
-- from the registry's flags when the round is set up, or added by hand), the team
-- that goes, and how it ended (to_visit, sampled, refused, not_home).
CREATE TABLE test_door_visits (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    reason TEXT NOT NULL CHECK (reason IN ('bedridden', 'home_isolation', 'other')),
    team_id BIGINT REFERENCES teams(id),
    state TEXT NOT NULL DEFAULT 'to_visit' CHECK (state IN ('to_visit', 'sampled', 'refused', 'not_home')),
    note TEXT NOT NULL DEFAULT '',
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    UNIQUE (round_id, resident_id)
);

-- A transport box (转运箱) by its scanned code; closed when it leaves for the lab.
CREATE TABLE test_boxes (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    station_id BIGINT REFERENCES test_stations(id),
    code TEXT NOT NULL,
    opened_by BIGINT REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    UNIQUE (round_id, code)
);

-- A sample tube by its scanned code. samples counts its counted samples (at most the
-- round's pool_size); closed_at is set when it is closed by hand or fills. result
-- comes from the lab: negative, positive, invalid (to re-sample); result_source entered
-- or imported.
CREATE TABLE test_tubes (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    station_id BIGINT REFERENCES test_stations(id),
    box_id BIGINT REFERENCES test_boxes(id),
    code TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    samples INTEGER NOT NULL DEFAULT 0,
    opened_by BIGINT REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    result TEXT CHECK (result IN ('negative', 'positive', 'invalid')),
    result_source TEXT CHECK (result_source IN ('entered', 'imported')),
    result_by BIGINT REFERENCES users(id),
    result_at BIGINT,
    UNIQUE (round_id, code)
);
CREATE INDEX test_tubes_station ON test_tubes(community_id, round_id, station_id, closed_at);
CREATE INDEX test_tubes_result ON test_tubes(community_id, round_id, result);

-- One person sampled once. via: station (scanned or found), door (door-to-door),
-- self (an antigen result reported by the household), leader (entered on their
-- behalf). state: counted, or conflict (the same person already counted in this round,
-- e.g. at two stations while both were offline: kept for a person to settle, pointing
-- at the counted row), or void (settled as a mistake). At most one counted sample a
-- person a round. idem_key: the client's key of a queued registration, so a retried or
-- re-synced one is taken once. result: antigen only (PCR results are the tube's).
CREATE TABLE test_samples (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    tube_id BIGINT REFERENCES test_tubes(id),
    station_id BIGINT REFERENCES test_stations(id),
    via TEXT NOT NULL CHECK (via IN ('station', 'door', 'self', 'leader')),
    state TEXT NOT NULL DEFAULT 'counted' CHECK (state IN ('counted', 'conflict', 'void')),
    conflict_with BIGINT REFERENCES test_samples(id),
    result TEXT CHECK (result IN ('negative', 'positive', 'invalid')),
    photo_path TEXT,
    idem_key TEXT,
    taken_at BIGINT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    settled_by BIGINT REFERENCES users(id),
    settled_at BIGINT
);
CREATE UNIQUE INDEX test_samples_counted ON test_samples(round_id, resident_id) WHERE state = 'counted';
CREATE UNIQUE INDEX test_samples_idem ON test_samples(community_id, idem_key) WHERE idem_key IS NOT NULL;
CREATE INDEX test_samples_tube ON test_samples(community_id, tube_id);
CREATE INDEX test_samples_household ON test_samples(community_id, round_id, household_id);
CREATE INDEX test_samples_state ON test_samples(community_id, round_id, state);

-- "Called" marks on the not-tested list: a leader phoned the resident (outcome
-- coming, away, refused, no_answer, other), kept as history.
CREATE TABLE test_calls (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    outcome TEXT NOT NULL CHECK (outcome IN ('coming', 'away', 'refused', 'no_answer', 'other')),
    note TEXT NOT NULL DEFAULT '',
    called_by BIGINT REFERENCES users(id),
    called_at BIGINT NOT NULL
);
CREATE INDEX test_calls_round ON test_calls(community_id, round_id, resident_id, id);

-- The follow-up of a person in a positive tube (or with a positive antigen result):
-- open, retest (single re-test taken), then ended as cleared (re-test negative) or
-- isolated (positive: to isolation / hospital), with notes along the way.
CREATE TABLE test_followups (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    round_id BIGINT NOT NULL REFERENCES test_rounds(id),
    tube_id BIGINT REFERENCES test_tubes(id),
    sample_id BIGINT REFERENCES test_samples(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'retest', 'cleared', 'isolated')),
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    ended_at BIGINT,
    UNIQUE (round_id, resident_id)
);
CREATE INDEX test_followups_state ON test_followups(community_id, state);
