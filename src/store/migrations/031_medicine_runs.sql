-- Medicine runs (配药): one trip to a pharmacy or health centre for many households
-- (src/domain/help/help_medicine.c). Each line is one household's medicines with a
-- triage colour, the custody of the medical-insurance card and record book handed over
-- and returned (who, when), the money advanced and paid back (integer fen), and the
-- delivery. A line may come from a help request, which follows it.
CREATE TABLE medicine_runs (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    place TEXT NOT NULL,
    state TEXT NOT NULL,
    runner_volunteer_id BIGINT REFERENCES volunteers(id),
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX medicine_runs_community ON medicine_runs(community_id, id);

CREATE TABLE medicine_run_items (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    run_id BIGINT NOT NULL REFERENCES medicine_runs(id),
    request_id BIGINT REFERENCES help_requests(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    resident_id BIGINT REFERENCES residents(id),
    triage TEXT NOT NULL,
    medicines TEXT NOT NULL,
    card_kinds TEXT NOT NULL DEFAULT '',
    card_received_at BIGINT,
    card_received_by BIGINT REFERENCES users(id),
    card_returned_at BIGINT,
    card_returned_by BIGINT REFERENCES users(id),
    advanced_fen BIGINT NOT NULL DEFAULT 0,
    repaid_fen BIGINT NOT NULL DEFAULT 0,
    delivered_at BIGINT,
    delivered_by BIGINT REFERENCES users(id),
    note TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX medicine_run_items_run ON medicine_run_items(community_id, run_id, id);
CREATE UNIQUE INDEX medicine_run_items_request ON medicine_run_items(community_id, run_id, request_id);
