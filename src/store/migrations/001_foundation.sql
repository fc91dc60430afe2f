-- Foundation: communities, accounts, role assignments, sessions, tokens, throttling,
-- idempotency, jobs and the append-only audit log.
-- Placeholders expanded per backend: {{ID}} identity primary key, {{BLOB}} bytes.

CREATE TABLE communities (
    id {{ID}},
    name TEXT NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    settings TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id {{ID}},
    community_id BIGINT REFERENCES communities(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'zh-CN',
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX users_community ON users(community_id, id);

-- One row per role a user holds, with its scope: community, zone, block or household.
-- scope_id is the id of that zone/block/household (the community id for 'community').
CREATE TABLE role_assignments (
    id {{ID}},
    community_id BIGINT REFERENCES communities(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, role, scope_kind, scope_id)
);
CREATE INDEX role_assignments_scope ON role_assignments(community_id, role, scope_kind, scope_id);

CREATE TABLE sessions (
    id {{ID}},
    community_id BIGINT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id {{ID}},
    community_id BIGINT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed logins per key ('u:<username>' or 'a:<address>') in the current window.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures INTEGER NOT NULL
);

-- A write's first response, replayed for a retry with the same key.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    community_id BIGINT,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);

CREATE TABLE jobs (
    id {{ID}},
    community_id BIGINT,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    done_count BIGINT NOT NULL DEFAULT 0,
    total_count BIGINT NOT NULL DEFAULT 0,
    result TEXT,
    result_type TEXT,
    result_name TEXT,
    result_data {{BLOB}},
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_user ON jobs(community_id, user_id, id);

-- Append-only: no route updates or deletes a row. detail never holds plaintext
-- personal data (ids and field names only).
CREATE TABLE audit_log (
    id {{ID}},
    community_id BIGINT,
    at BIGINT NOT NULL,
    user_id BIGINT,
    on_behalf_of BIGINT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id BIGINT,
    address TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_community ON audit_log(community_id, id);
CREATE INDEX audit_log_user ON audit_log(community_id, user_id, id);
