-- Shift swaps: a volunteer asks another to take their shift (or to exchange it for one
-- of the other's). Nothing moves until the other accepts; then both places move in one
-- write, under the same rules as a sign-up. Owned by src/domain/volunteers/swaps.c.
CREATE TABLE shift_swaps (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    shift_id BIGINT NOT NULL REFERENCES shifts(id),
    from_volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    to_volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    their_shift_id BIGINT REFERENCES shifts(id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined', 'cancelled')),
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX shift_swaps_to ON shift_swaps(community_id, to_volunteer_id, state);
CREATE INDEX shift_swaps_from ON shift_swaps(community_id, from_volunteer_id, state);
