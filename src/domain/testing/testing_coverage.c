/* testing_coverage.c — how far a round has come, live: per block and zone of the
 * leader's scope, who is expected, sampled, exempt, still to test and waiting for a
 * door-to-door visit, counted straight from the rows (TESTING_EXPECTED, _SAMPLED,
 * _EXEMPT) so each registration shows at once; the list of who has not come yet, with
 * phones for the leaders who call them, and the "called" marks they leave (kept as
 * history, the last one shown). Leaders only: the list holds phones. */
#include "testing_int.h"
#include "../../core/clock.h"
#include <string.h>

static const char *const testing_call_outcomes[] = {"coming", "away", "refused", "no_answer", "other", NULL};

/* r still to test: expected ($3 the round), neither sampled nor exempt. */
#define TESTING_TO_TEST "NOT " TESTING_SAMPLED("$3") " AND NOT " TESTING_EXEMPT("$3")
#define TESTING_ON_DOORS \
    "EXISTS (SELECT 1 FROM test_door_visits dv WHERE dv.round_id = $3 AND dv.resident_id = r.id)"
#define TESTING_COVER_FROM \
    "FROM residents r JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id "

/* Per block of the leader's scope ($3 the round, `where` more conditions): id, name,
 * zone id and name, then expected, sampled, exempt, door-to-door (testing_counts_row). */
#define TESTING_COVER_BLOCKS(where) \
    "SELECT b.id, b.name, b.zone_id, z.name, COUNT(*), " \
    "SUM(CASE WHEN " TESTING_SAMPLED("$3") " THEN 1 ELSE 0 END), " \
    "SUM(CASE WHEN NOT " TESTING_SAMPLED("$3") " AND " TESTING_EXEMPT("$3") " THEN 1 ELSE 0 END), " \
    "SUM(CASE WHEN " TESTING_TO_TEST " AND " TESTING_ON_DOORS " THEN 1 ELSE 0 END) " \
    TESTING_COVER_FROM "LEFT JOIN zones z ON z.id = b.zone_id WHERE r.community_id = $1 AND " \
    TESTING_EXPECTED("$3") " AND " SCOPE_HOUSEHOLD where " GROUP BY b.id, b.name, b.zone_id, z.name "

/* The round of the path for a leader (every round of the community); false with 404. */
static bool testing_cover_round(http_req *req, testing_round *r)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return false;
    if (!testing_round_load(req, id, r)) return http_fail_not_found(req), false;
    return true;
}

typedef struct testing_counts {
    int64_t expected, sampled, exempt, to_test, doors;
} testing_counts;

static json_t *testing_counts_json(const testing_counts *n)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I}", "expected", (json_int_t)n->expected, "sampled",
                     (json_int_t)n->sampled, "exempt", (json_int_t)n->exempt, "to_test", (json_int_t)n->to_test,
                     "door_to_door", (json_int_t)n->doors);
}

static void testing_counts_add(testing_counts *to, const testing_counts *n)
{
    to->expected += n->expected, to->sampled += n->sampled, to->exempt += n->exempt;
    to->to_test += n->to_test, to->doors += n->doors;
}

/* The counts of a TESTING_COVER_BLOCKS row; to_test is what is neither sampled nor exempt. */
static testing_counts testing_counts_row(store_stmt *st)
{
    testing_counts n = {store_col_int(st, 4), store_col_int(st, 5), store_col_int(st, 6), 0, store_col_int(st, 7)};
    n.to_test = n.expected - n.sampled - n.exempt;
    return n;
}

static void testing_counts_set(json_t *o, const testing_counts *n)
{
    json_t *counts = testing_counts_json(n);
    json_object_update(o, counts);
    json_decref(counts);
}

/* GET /test-rounds/{id}/coverage — {round, totals, zones: [{id, name, …counts,
 * blocks: [{id, name, …counts}]}]}: blocks without a zone gather under id null. A
 * person is counted once: sampled first, then exempt, else to test; door_to_door
 * counts those still to test who wait for a visit. */
static int testing_coverage(http_req *req)
{
    testing_round r;
    if (!testing_cover_round(req, &r)) return -1;
    store_stmt *st = store_prepare(req->conn, TESTING_COVER_BLOCKS("") "ORDER BY b.zone_id, b.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, r.id);
    json_t *zones = json_array(), *zone = NULL;
    int64_t zone_id = -1;
    testing_counts total = {0}, zsum = {0};
    while (store_step(st) == STORE_ROW) {
        int64_t zid = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
        if (!zone || zid != zone_id) {
            if (zone) testing_counts_set(zone, &zsum);
            zone = json_pack("{s:o, s:s, s:[]}", "id", zid ? json_integer(zid) : json_null(), "name",
                             store_col_null(st, 3) ? "" : store_col_text(st, 3), "blocks");
            json_array_append_new(zones, zone);
            zone_id = zid;
            memset(&zsum, 0, sizeof zsum);
        }
        testing_counts n = testing_counts_row(st);
        json_t *b = json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1));
        testing_counts_set(b, &n);
        json_array_append_new(json_object_get(zone, "blocks"), b);
        testing_counts_add(&zsum, &n);
        testing_counts_add(&total, &n);
    }
    store_done(st);
    if (zone) testing_counts_set(zone, &zsum);
    json_t *round = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)r.id, "on_day", r.on_day,
                              "kind", r.kind, "state", r.state, "state_text",
                              testing_setup_word(req, "testing.state.", r.state), "name", "", "pool_size",
                              (json_int_t)r.pool_size);
    if (store_run(req->conn, &st, "SELECT name FROM test_rounds WHERE id = $1", "i", r.id) == STORE_ROW) {
        json_object_set_new(round, "name", json_string(store_col_text(st, 0)));
        store_done(st);
    }
    return http_reply(req, 200, json_pack("{s:o, s:o, s:o}", "round", round, "totals", testing_counts_json(&total),
                                          "zones", zones));
}

/* ------------------------------------------------------ coverage per block */

static json_t *testing_cover_block_row(store_stmt *st, void *ctx)
{
    (void)ctx;
    testing_counts n = testing_counts_row(st);
    char percent[16];
    snprintf(percent, sizeof percent, "%d%%", n.expected ? (int)((n.sampled + n.exempt) * 100 / n.expected) : 0);
    json_t *b = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0), "block_id",
                          (json_int_t)store_col_int(st, 0), "block_name", store_col_text(st, 1), "zone_name",
                          store_col_null(st, 3) ? "" : store_col_text(st, 3), "done_percent", percent);
    json_object_set_new(b, "zone_id", store_col_null(st, 2) ? json_null() : json_integer(store_col_int(st, 2)));
    testing_counts_set(b, &n);
    return b;
}

static const list_column testing_cover_block_columns[] = {
    {"zone_name", "testing.cov.col.zone"}, {"block_name", "testing.col.block"},
    {"expected", "testing.cov.col.expected"}, {"sampled", "testing.cov.col.sampled"},
    {"exempt", "testing.cov.col.exempt"}, {"to_test", "testing.cov.col.to_test"},
    {"door_to_door", "testing.cov.col.door"}, {"done_percent", "testing.cov.col.done"}, {0, 0},
};

/* GET /test-rounds/{id}/coverage/blocks?zone_id= — the coverage's blocks as a list, one
 * row a block in id order with the same counts, so it pages, exports and prints as the
 * sheet a meeting reads; the same scope as /coverage (the leader's blocks only). */
static int testing_cover_blocks(http_req *req)
{
    testing_round r;
    int64_t zone_id;
    if (!testing_cover_round(req, &r)) return -1;
    if (!testing_setup_query_id(req, "zone_id", &zone_id)) return -1;
    store_stmt *st = store_prepare(req->conn, TESTING_COVER_BLOCKS(" AND ($4 = 0 OR b.zone_id = $4) AND b.id > $5")
                                   "ORDER BY b.id LIMIT $6");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, r.id);
    store_bind_int(st, 4, zone_id);
    return testing_setup_list(req, st, 5, testing_cover_block_row, "testing.cov.list.blocks", 0,
                              testing_cover_block_columns);
}

/* ---------------------------------------------------------------- not tested */

/* The last call mark of r in the round: outcome, time, who. */
#define TESTING_LAST_CALL(col) \
    "(SELECT " col " FROM test_calls k LEFT JOIN users ku ON ku.id = k.called_by WHERE k.community_id = $1 AND " \
    "k.round_id = $3 AND k.resident_id = r.id ORDER BY k.id DESC LIMIT 1)"

static json_t *testing_not_tested_row(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    const char *phone = store_col_text(st, 6), *outcome = store_col_text(st, 9);
    json_t *p = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:b, s:s}", "id", (json_int_t)store_col_int(st, 0),
                          "resident_id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "room",
                          store_col_text(st, 2), "block_id", (json_int_t)store_col_int(st, 3), "block_name",
                          store_col_text(st, 4), "phone", phone && *phone ? phone : "", "door_to_door",
                          store_col_int(st, 7) != 0, "tick", "");
    json_object_set_new(p, "zone_id", store_col_null(st, 5) ? json_null() : json_integer(store_col_int(st, 5)));
    json_object_set_new(p, "door_text",
                        json_string(store_col_int(st, 7) ? i18n_text(req->lang, "testing.cov.door_yes") : ""));
    json_object_set_new(p, "calls", json_integer(store_col_int(st, 8)));
    json_object_set_new(p, "called", json_boolean(outcome != NULL));
    json_object_set_new(p, "last_call", outcome ? json_string(outcome) : json_null());
    json_object_set_new(p, "last_call_text",
                        json_string(outcome ? testing_setup_word(req, "testing.call.", outcome) : ""));
    json_object_set_new(p, "last_call_at", testing_setup_time(req, st, 10));
    json_object_set_new(p, "last_call_by",
                        json_string(store_col_null(st, 11) ? ""
                                    : http_by_label(req, store_col_int(st, 11), store_col_text(st, 12)) ?: ""));
    json_object_set_new(p, "last_call_note", json_string(store_col_null(st, 13) ? "" : store_col_text(st, 13)));
    return p;
}

static const list_column testing_not_tested_columns[] = {
    {"block_name", "testing.col.block"}, {"room", "testing.col.room"}, {"name", "testing.col.resident"},
    {"phone", "testing.col.phone"}, {"door_text", "testing.cov.col.door"},
    {"last_call_text", "testing.cov.col.call"}, {"last_call_at", "testing.cov.col.call_at"},
    {"tick", "testing.cov.col.tick"}, {0, 0},
};

/* GET /test-rounds/{id}/not-tested?block_id=&zone_id=&called=0|1 — the leader's people
 * the round expects who are neither sampled nor exempt, in block and room order of
 * their ids; printed per block, it is the sheet a block leader ticks off by phone. */
static int testing_not_tested(http_req *req)
{
    testing_round r;
    int64_t block_id, zone_id;
    if (!testing_cover_round(req, &r)) return -1;
    if (!testing_setup_query_id(req, "block_id", &block_id) || !testing_setup_query_id(req, "zone_id", &zone_id))
        return -1;
    const char *called = http_query(req, "called");
    if (called && *called && strcmp(called, "0") && strcmp(called, "1"))
        return http_fail_field(req, "called", "testing.cov.err.called");
    store_stmt *st = store_prepare(req->conn,
        "SELECT r.id, r.name, h.room, b.id, b.name, b.zone_id, COALESCE(NULLIF(r.phone, ''), h.phone), "
        "CASE WHEN " TESTING_ON_DOORS " THEN 1 ELSE 0 END, (SELECT COUNT(*) FROM test_calls kc WHERE "
        "kc.community_id = $1 AND kc.round_id = $3 AND kc.resident_id = r.id), " TESTING_LAST_CALL("k.outcome") ", "
        TESTING_LAST_CALL("k.called_at") ", " TESTING_LAST_CALL("k.called_by") ", "
        TESTING_LAST_CALL("ku.display_name") ", " TESTING_LAST_CALL("k.note") " "
        TESTING_COVER_FROM "WHERE r.community_id = $1 AND " TESTING_EXPECTED("$3") " AND " TESTING_TO_TEST " AND "
        SCOPE_HOUSEHOLD " AND ($4 = 0 OR h.block_id = $4) AND ($5 = 0 OR b.zone_id = $5) AND ($6 = '' OR ($6 = '1') = "
        "EXISTS (SELECT 1 FROM test_calls kf WHERE kf.round_id = $3 AND kf.resident_id = r.id)) AND r.id > $7 "
        "ORDER BY r.id LIMIT $8");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    scope_bind(req, st);
    store_bind_int(st, 3, r.id);
    store_bind_int(st, 4, block_id);
    store_bind_int(st, 5, zone_id);
    store_bind_text(st, 6, called ? called : "");
    return testing_setup_list(req, st, 7, testing_not_tested_row, "testing.cov.list.not_tested", block_id,
                              testing_not_tested_columns);
}

/* POST /test-rounds/{id}/calls {resident_id, outcome, note?} — a leader called someone
 * of their scope who has not come; every call is kept, the last one is the mark. */
static int testing_call(http_req *req)
{
    testing_round r;
    int64_t resident;
    bool has = false;
    const char *outcome, *note = "";
    if (!testing_cover_round(req, &r)) return -1;
    if (!http_body_int_opt(req, "resident_id", 1, INT64_MAX, &resident, &has)) return -1;
    if (!has) return http_fail_field(req, "resident_id", "err.required");
    if (!http_body_str(req, "outcome", 1, 16, &outcome)) return -1;
    if (!testing_setup_word_in(outcome, testing_call_outcomes))
        return http_fail_field(req, "outcome", "testing.cov.err.outcome");
    if (!http_body_str_opt(req, "note", 0, 500, &note)) return -1;
    if (!testing_setup_resident(req, r.id, resident)) return http_fail_not_found(req);
    if (!strcmp(r.state, "closed")) return http_fail(req, 409, "conflict", NULL, "testing.cov.err.closed");
    int64_t now = clock_now_us();
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO test_calls (community_id, round_id, resident_id, outcome, note, "
                  "called_by, called_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", "iiittii",
                  req->actor.community_id, r.id, resident, outcome, note, req->actor.user_id, now) != STORE_ROW)
        return http_fail_internal(req, "testing call insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    req->on_behalf_of = resident;
    http_audit_target(req, "test_call", id, json_pack("{s:I, s:I, s:s}", "round_id", (json_int_t)r.id,
                                                      "resident_id", (json_int_t)resident, "outcome", outcome));
    char when[32];
    clock_format_local(testing_setup_tz(req), now, when, sizeof when);
    return http_reply(req, 201, json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "round_id",
                                          (json_int_t)r.id, "resident_id", (json_int_t)resident, "outcome", outcome,
                                          "outcome_text", testing_setup_word(req, "testing.call.", outcome), "note",
                                          note, "called_at", when));
}

const http_route testing_coverage_routes[] = {
    {"GET", "/api/v1/test-rounds/{id}/coverage", NULL, testing_coverage, TESTING_LEADERS, 0, 0, NULL},
    {"GET", "/api/v1/test-rounds/{id}/coverage/blocks", NULL, testing_cover_blocks, TESTING_LEADERS,
     ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/test-rounds/{id}/not-tested", NULL, testing_not_tested, TESTING_LEADERS, ROUTE_EXPORTABLE, 0,
     NULL},
    {"POST", "/api/v1/test-rounds/{id}/calls", NULL, testing_call, TESTING_LEADERS, ROUTE_WRITE, 4096,
     "testing.call"},
    {0},
};

const i18n_entry testing_coverage_messages[] = {
    {"enum.test_call", "未检人员电话联系", "Call to someone not yet tested"},
    {"testing.cov.list.not_tested", "本轮未检人员", "Not yet tested in the round"},
    {"testing.cov.col.door", "上门采样", "Door-to-door"},
    {"testing.cov.list.blocks", "本轮各楼组检测进度", "Coverage of the round by block"},
    {"testing.cov.col.zone", "片区", "Zone"},
    {"testing.cov.col.expected", "应检", "Expected"},
    {"testing.cov.col.sampled", "已采", "Sampled"},
    {"testing.cov.col.exempt", "免检", "Exempt"},
    {"testing.cov.col.to_test", "未检", "To test"},
    {"testing.cov.col.done", "完成率", "Done"},
    {"testing.cov.col.call", "最近一次联系", "Last call"},
    {"testing.cov.col.call_at", "联系时间", "Called at"},
    {"testing.cov.col.tick", "已到 ✓", "Came ✓"},
    {"testing.cov.door_yes", "上门", "At home"},
    {"testing.call.coming", "马上来", "Coming"},
    {"testing.call.away", "不在小区", "Away"},
    {"testing.call.refused", "拒绝", "Refused"},
    {"testing.call.no_answer", "无人接听", "No answer"},
    {"testing.call.other", "其他", "Other"},
    {"testing.cov.err.called", "只能是 0（未联系）或 1（已联系）", "Must be 0 (not called) or 1 (called)"},
    {"testing.cov.err.outcome", "结果只能是 coming、away、refused、no_answer 或 other",
     "Outcome must be coming, away, refused, no_answer or other"},
    {"testing.cov.err.closed", "轮次已结束，不能再登记联系", "The round is closed: calls are no longer marked"},
    {0, 0, 0},
};
