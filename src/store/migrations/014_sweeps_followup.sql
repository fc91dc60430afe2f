-- Follow-up sweeps: a closed sweep's households not reached (never visited, or not at
-- home at the last visit) become a new sweep with the same questions, targeting exactly
-- those households. followup_of links the new sweep back to the one it follows, so
-- either page can lead to the other. Owned by src/domain/registry/sweeps.c.
--
-- Since this level, besides what 004 lists: a question's type may be multi (several of
-- its choices, stored as a JSON array), and a filter target may carry flag (households
-- with a resident living there whose flag is current, e.g. alone_elderly).
ALTER TABLE sweeps ADD COLUMN followup_of BIGINT REFERENCES sweeps(id);
CREATE INDEX sweeps_followup ON sweeps(community_id, followup_of);
