-- Outbound channels and their durable outbox, owned by src/domain/channels/ (routes,
-- delivery) and src/domain/outbox.c (the one write other capabilities call). A channel
-- is a chat group's webhook configured by the committee: a WeCom group robot or a
-- generic JSON webhook, taking some events (comma-separated in `events`). The URL is
-- a secret of the group (whoever holds it may post there): lists show it masked.
CREATE TABLE channels (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('wecom', 'webhook')),
    url TEXT NOT NULL,
    format TEXT NOT NULL DEFAULT 'text' CHECK (format IN ('text', 'markdown')),
    events TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX channels_of ON channels(community_id, id);

-- One row per channel and event: written in the transaction of what happened (a
-- bulletin published), so an event is queued exactly when it commits; the unique key
-- keeps the same event from being queued twice for a channel. next_at is when a
-- process may claim the row: the next attempt while pending, the end of the lease
-- while sending (a process that died mid-send leaves a row that simply comes due
-- again); NULL once delivered or failed. The server's tick reads it on its index.
CREATE TABLE outbox_deliveries (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    event TEXT NOT NULL,
    event_key TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT,
    lease_until BIGINT,
    claim_token TEXT,
    http_status INTEGER,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE UNIQUE INDEX outbox_deliveries_once ON outbox_deliveries(community_id, channel_id, event_key);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries(next_at);
CREATE INDEX outbox_deliveries_state ON outbox_deliveries(community_id, state, id);
CREATE INDEX outbox_deliveries_channel ON outbox_deliveries(community_id, channel_id, id);

-- Bulletins: when the current version is to be announced to the channels (its
-- publish_at, or at once), NULL once announced; claimed like a help request's due_at.
ALTER TABLE bulletins ADD COLUMN announce_at BIGINT;
CREATE INDEX bulletins_announce ON bulletins(announce_at);
