-- Bulletins (通告): the committee's notices to the neighbourhood, owned by
-- src/domain/bulletins/. A bulletin has a kind (daily report, notice, urgent, rumour
-- clarification), a scope (the community, some zones or some blocks: bulletin_targets)
-- and texts in up to four languages per version; a revision adds a version and keeps
-- the older texts. Readers see it once publish_at has passed (no timer): a bulletin
-- written for later is simply not yet visible. A receipt is per household: the first
-- member who opened it in the app, or a leader who called or visited a household
-- without a smartphone (method, confirmed_by).
CREATE TABLE bulletins (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('daily', 'notice', 'urgent', 'rumour')),
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('community', 'zones', 'blocks')),
    pinned INTEGER NOT NULL DEFAULT 0,
    public INTEGER NOT NULL DEFAULT 0,
    publish_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('published', 'withdrawn')),
    version INTEGER NOT NULL DEFAULT 1,
    revised_at BIGINT,
    withdrawn_at BIGINT,
    withdrawn_by BIGINT REFERENCES users(id),
    notified_at BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX bulletins_of ON bulletins(community_id, publish_at);
CREATE INDEX bulletins_to_notify ON bulletins(kind, notified_at);

CREATE TABLE bulletin_versions (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    bulletin_id BIGINT NOT NULL REFERENCES bulletins(id),
    version INTEGER NOT NULL,
    edited_by BIGINT REFERENCES users(id),
    edited_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX bulletin_versions_one ON bulletin_versions(community_id, bulletin_id, version);

CREATE TABLE bulletin_texts (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    bulletin_id BIGINT NOT NULL REFERENCES bulletins(id),
    version INTEGER NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('zh-CN', 'en', 'ja', 'ko')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    rumour TEXT
);
CREATE UNIQUE INDEX bulletin_texts_one ON bulletin_texts(community_id, bulletin_id, version, lang);

CREATE TABLE bulletin_targets (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    bulletin_id BIGINT NOT NULL REFERENCES bulletins(id),
    zone_id BIGINT REFERENCES zones(id),
    block_id BIGINT REFERENCES blocks(id)
);
CREATE INDEX bulletin_targets_of ON bulletin_targets(community_id, bulletin_id);

CREATE TABLE bulletin_receipts (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    bulletin_id BIGINT NOT NULL REFERENCES bulletins(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    read_at BIGINT NOT NULL,
    reader_id BIGINT REFERENCES users(id),
    method TEXT NOT NULL CHECK (method IN ('app', 'phone', 'visit', 'in_person')),
    confirmed_by BIGINT REFERENCES users(id)
);
CREATE UNIQUE INDEX bulletin_receipts_one ON bulletin_receipts(community_id, bulletin_id, household_id);
