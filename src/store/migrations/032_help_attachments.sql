-- Attachments of help requests (src/domain/help/help_files.c): the bytes live in the
-- files directory under stored_name; the row says whose they are and what they are.
CREATE TABLE help_attachments (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    request_id BIGINT NOT NULL REFERENCES help_requests(id),
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    size BIGINT NOT NULL,
    stored_name TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX help_attachments_request ON help_attachments(community_id, request_id, id);
