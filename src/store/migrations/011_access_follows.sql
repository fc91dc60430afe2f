-- Access follows the person; ID numbers shared by two records. Owned by the registry
-- (src/domain/registry).
--
-- An ID number registered to a resident elsewhere in the community used to be refused
-- (a unique index and a 409 naming it). The refusal told a block leader that the number
-- lives somewhere outside the leader's scope. Now every caller gets the same answer: the
-- record is written, and the committee sees the pair on its list of likely duplicates
-- (GET /residents/duplicates, reason id_number) and merges or corrects it. Lookups by
-- number keep the plain index residents_id_hash (community_id, id_hash).
DROP INDEX residents_id_hash_current;
