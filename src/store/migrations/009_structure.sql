-- The community's structure: who leads a zone (片区: leader and deputy) and a block (楼组:
-- a building's leader, or a courtyard committee 院委会 of 3-7 residents, one of whom may
-- chair it). Owned by src/domain/registry/structure.c. Times BIGINT microseconds UTC.
--
-- One row is one post, on a zone or on a block (exactly one of the two). It is held by a
-- resident of the registry, by a user account, or by both: an elderly committee member
-- without a smartphone holds a post as a resident alone (shown with name and phone, no
-- access). A post that names an account goes with that account's role assignment
-- (zone_leader over the zone, block_leader over the block): structure.c creates the
-- assignment with the post and removes it with the last post that needs it, in the same
-- transaction.
CREATE TABLE structure_leaders (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    zone_id BIGINT REFERENCES zones(id),
    block_id BIGINT REFERENCES blocks(id),
    position TEXT NOT NULL CHECK (position IN ('leader', 'deputy', 'member')),
    resident_id BIGINT REFERENCES residents(id),
    user_id BIGINT REFERENCES users(id),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    CHECK ((zone_id IS NULL AND block_id IS NOT NULL) OR (zone_id IS NOT NULL AND block_id IS NULL)),
    CHECK (resident_id IS NOT NULL OR user_id IS NOT NULL)
);
CREATE INDEX structure_leaders_zone ON structure_leaders(community_id, zone_id);
CREATE INDEX structure_leaders_block ON structure_leaders(community_id, block_id);
CREATE INDEX structure_leaders_user ON structure_leaders(community_id, user_id);
