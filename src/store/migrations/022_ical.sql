-- A volunteer's calendar feed (iCalendar): a secret address a phone's calendar
-- subscribes to. Only its hash is kept; renewing it makes the old address stop working.
-- Owned by src/domain/volunteers/ical.c.
ALTER TABLE volunteers ADD COLUMN ical_hash TEXT;
CREATE UNIQUE INDEX volunteers_ical ON volunteers(ical_hash);
