-- Testing rounds, the results side (src/domain/testing/testing_results.c): a household's
-- own results are read by household across rounds (GET /me/tests), and a corrected
-- tube result finds its follow-ups by tube; neither is served by 033's indexes.
CREATE INDEX test_samples_own ON test_samples(community_id, household_id, id);
CREATE INDEX test_followups_tube ON test_followups(community_id, tube_id);
