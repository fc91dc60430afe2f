-- API tokens end: each has an expiry (90 days unless asked otherwise, at most a year)
-- and holds the password hash its account had when it was made (password_stamp, the
-- same value users.password_hash held, no new secret): a password change or a reset
-- with a code ends every token made under the old one. last_used_at (001) is now
-- kept up to date. Owned by src/domain/accounts.c and src/http/auth.c.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN password_stamp TEXT;
UPDATE api_tokens SET expires_at = created_at + 7776000000000 WHERE expires_at IS NULL;
UPDATE api_tokens SET password_stamp = (SELECT u.password_hash FROM users u WHERE u.id = api_tokens.user_id);

-- Devices an account logged in from (a random cookie sent only to the login route,
-- the hash is kept). A correct password from a known device passes and lifts the
-- account-wide login lock, so guesses from elsewhere cannot lock the owner out.
CREATE TABLE known_devices (
    id {{ID}},
    community_id BIGINT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    device_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX known_devices_user ON known_devices(user_id);
