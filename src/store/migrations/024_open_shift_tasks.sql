-- A shift given back with nobody on its waitlist becomes an open task to grab: the task
-- names the shift, and claiming it puts the claimant on the shift (src/domain/
-- volunteers/tasks.c, shifts.c). Its hours come from the shift's check-in and out.
ALTER TABLE tasks ADD COLUMN shift_id BIGINT REFERENCES shifts(id);
CREATE INDEX tasks_shift ON tasks(community_id, shift_id);
