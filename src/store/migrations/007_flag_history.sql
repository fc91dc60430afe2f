-- Flag history: who closed a flag entry and whether it was cleared or replaced. Owned by
-- the registry (src/domain/registry/registry_people.c). Times BIGINT microseconds UTC.
--
-- A resident_flags row is one entry: set (set_by, set_at), later closed (cleared_at).
-- cleared_by: the account that closed it (cleared the flag, set it again with another
-- detail, or merged the resident into another record); NULL for entries closed before
-- this migration by a plain clear, whose author was not recorded.
-- replaced_by: the entry that took its place when the flag was set again ("changed");
-- NULL when the flag was cleared. Not a foreign key: the retention purge deletes old
-- entries and the newer one may outlive them.
ALTER TABLE resident_flags ADD COLUMN cleared_by BIGINT REFERENCES users(id);
ALTER TABLE resident_flags ADD COLUMN replaced_by BIGINT;

-- Entries closed before: setting a flag again closed the previous entry at the very
-- instant the new one was set, so the pair is found by that instant and its author is
-- that of the new entry.
UPDATE resident_flags SET replaced_by = (SELECT MIN(n.id) FROM resident_flags n
        WHERE n.community_id = resident_flags.community_id AND n.resident_id = resident_flags.resident_id
        AND n.flag = resident_flags.flag AND n.id > resident_flags.id AND n.set_at = resident_flags.cleared_at)
    WHERE cleared_at IS NOT NULL;
UPDATE resident_flags SET cleared_by = (SELECT n.set_by FROM resident_flags n WHERE n.id = resident_flags.replaced_by)
    WHERE replaced_by IS NOT NULL;
