-- Registry import, day one: what committees keep in their spreadsheets beside names and
-- rooms. Owned by the registry import (src/domain/registry/import.c).
--
-- person_type: registered (户籍), floating (流动/外来/暂住) or foreign (外籍/境外); NULL
-- when not recorded. residents.floating stays the flag lists and sweeps filter on; the
-- import keeps it in step with the person type.
ALTER TABLE residents ADD COLUMN person_type TEXT CHECK (person_type IN ('registered', 'floating', 'foreign'));
-- household_head: 1 for the head of household (户主); relation: the relation to the head
-- as the committee wrote it (配偶, 子女, 户主).
ALTER TABLE residents ADD COLUMN household_head INTEGER NOT NULL DEFAULT 0 CHECK (household_head IN (0, 1));
ALTER TABLE residents ADD COLUMN relation TEXT NOT NULL DEFAULT '';
-- Where a flag entry came from: NULL when set in a form, 'import' when a file import set
-- it (set_by is then the account that ran the import).
ALTER TABLE resident_flags ADD COLUMN source TEXT;
