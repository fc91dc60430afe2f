-- The in-app notification centre, shared by every capability (src/domain/notify.c
-- writes, src/domain/notifications/ reads): one row per person and thing to tell. The
-- text is not stored: kind and params are shown through the catalogue (notify.<kind>)
-- in the reader's language when read. link is the web app's path it leads to.
CREATE TABLE notifications (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    link TEXT,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, read_at, id);

-- The day-before question is asked once per place (shift_assignments.reminded_at).
ALTER TABLE shift_assignments ADD COLUMN reminded_at BIGINT;
