-- The kinds of post a volunteer would rather stand (gate, sorting, sampling, patrol,
-- other; comma-separated, '' for no preference). The roster generator honours it where
-- it costs no fairness: between people with the same hours. Owned by
-- src/domain/volunteers/volunteers.c and roster.c.
ALTER TABLE volunteers ADD COLUMN preferred_posts TEXT NOT NULL DEFAULT '';
