-- Codes: door-plate and personal scan codes, household invite codes, password reset
-- codes, the link between accounts and resident records, and sign-ups waiting for
-- approval. Owned by src/domain/registry/codes.c. Times are BIGINT microseconds UTC.
--
-- No code is stored in clear. code_hash is the keyed lookup hash (secret.h) used to
-- find a code that was scanned or typed; code_cipher is the code encrypted under the
-- field key, kept only for codes that are printed again (scan and invite codes), so a
-- reprinted sheet shows the same code. Reset codes are shown once and keep only the hash.

-- The current scan code of a household ('household') or resident ('resident'):
-- "SW1:H:<code>" / "SW1:R:<code>" in the QR. A regenerated code revokes the old row.
CREATE TABLE scan_codes (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('household', 'resident')),
    target_id BIGINT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    code_cipher TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX scan_codes_current ON scan_codes(community_id, kind, target_id)
    WHERE revoked_at IS NULL;

-- A household's invite code: its residents make their own accounts with it until it
-- expires, is revoked, or every resident of the household has an account.
CREATE TABLE invite_codes (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    code_hash TEXT NOT NULL UNIQUE,
    code_cipher TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    revoked_at BIGINT
);
CREATE INDEX invite_codes_household ON invite_codes(community_id, household_id);

-- One-time password reset codes a leader issues for a resident's account (24 h).
CREATE TABLE reset_codes (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX reset_codes_user ON reset_codes(community_id, user_id);

-- Which account is which resident: one account per resident record, one resident per
-- account.
CREATE TABLE resident_accounts (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, resident_id)
);
CREATE UNIQUE INDEX resident_accounts_user ON resident_accounts(user_id);

-- A person who signed up without a code: the account exists (no role) until staff
-- approve the link to a household (and resident) or reject it.
CREATE TABLE signups (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    claimed_address TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    household_id BIGINT REFERENCES households(id),
    resident_id BIGINT REFERENCES residents(id),
    decided_by BIGINT REFERENCES users(id),
    decided_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX signups_state ON signups(community_id, state, id);
