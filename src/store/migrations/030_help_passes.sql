-- Exit passes (src/domain/help/help_pass.c): an approved exit or hospital visit gives
-- the household a pass valid from–to. The code is found at the gate by its hash and
-- kept encrypted under the field key (NULL without one: shown once) so the household
-- can show it again. A revoked pass stays, marked.
CREATE TABLE help_passes (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    request_id BIGINT NOT NULL REFERENCES help_requests(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    resident_id BIGINT REFERENCES residents(id),
    code_hash TEXT NOT NULL,
    code_cipher TEXT,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT NOT NULL,
    basis TEXT NOT NULL,
    basis_note TEXT,
    approved_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by BIGINT REFERENCES users(id)
);
CREATE UNIQUE INDEX help_passes_code ON help_passes(community_id, code_hash);
CREATE INDEX help_passes_request ON help_passes(community_id, request_id);
