-- Help requests (求助): what a resident asks for, routed to their block leader and
-- escalated by time (src/domain/help/). The escalation timer is the row itself: due_at
-- is when the request moves one level up unless acknowledged before; the server's tick
-- claims due rows with a conditional UPDATE, so a restart loses nothing and two server
-- processes never escalate one request twice.
CREATE TABLE help_settings (
    community_id BIGINT PRIMARY KEY REFERENCES communities(id),
    urgent_ack_s BIGINT NOT NULL,
    normal_ack_s BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL
);

CREATE TABLE help_requests (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    block_id BIGINT NOT NULL REFERENCES blocks(id),
    zone_id BIGINT REFERENCES zones(id),
    resident_id BIGINT REFERENCES residents(id),
    kind TEXT NOT NULL,
    urgency TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    contact_phone TEXT,
    state TEXT NOT NULL,
    level TEXT NOT NULL,
    ack_due_at BIGINT NOT NULL,
    due_at BIGINT,
    escalations INTEGER NOT NULL DEFAULT 0,
    acknowledged_at BIGINT,
    acknowledged_by BIGINT REFERENCES users(id),
    assigned_volunteer_id BIGINT REFERENCES volunteers(id),
    handed_to TEXT,
    handed_at BIGINT,
    reason TEXT,
    channel TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX help_requests_due ON help_requests(due_at);
CREATE INDEX help_requests_state ON help_requests(community_id, state, id);
CREATE INDEX help_requests_household ON help_requests(community_id, household_id, id);
CREATE INDEX help_requests_creator ON help_requests(community_id, created_by, id);

-- The timeline: every step with who and when (user_id NULL: the server's timer).
CREATE TABLE help_events (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    request_id BIGINT NOT NULL REFERENCES help_requests(id),
    at BIGINT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    kind TEXT NOT NULL,
    state TEXT,
    level TEXT,
    text TEXT
);
CREATE INDEX help_events_request ON help_events(community_id, request_id, id);
