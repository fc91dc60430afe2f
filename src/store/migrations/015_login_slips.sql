-- Logins made from the app: committee staff (or a zone leader, for the blocks of the
-- zone) make an account for a leader or resident and print a slip with a one-time
-- password and a one-time login link. Owned by src/domain/registry/logins.c; the login
-- routes of src/http/auth.c read must_change_password. Times BIGINT microseconds UTC.
--
-- must_change_password: the account's password is a one-time password; a session of it
-- may only read "me", log out and set its own password until it has done so.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- One printed slip. The one-time password is the account's password hash (argon2id);
-- link_hash is the hash of the login link's token. secret_cipher keeps both, encrypted
-- under the field key, so a jammed printer can print the slip again while it is live.
-- A slip works once (used_at, by password or link), until expires_at (7 days), and a
-- newer slip for the account revokes it (revoked_at). post_title names the post it was
-- made for ("1号楼1单元 · 楼组长"), printed on the slip; posts are rewritten as a set.
CREATE TABLE login_slips (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    link_hash TEXT NOT NULL UNIQUE,
    secret_cipher TEXT NOT NULL,
    post_title TEXT,
    resident_id BIGINT REFERENCES residents(id),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX login_slips_user ON login_slips(community_id, user_id);
