-- Why staff refused a sign-up, shown to the person on their waiting page (optional,
-- at most 200 characters). Owned by src/domain/registry/codes.c.
ALTER TABLE signups ADD COLUMN reason TEXT;
