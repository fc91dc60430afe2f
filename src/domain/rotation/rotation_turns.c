/* rotation_turns.c — what leaders record as the days go by: the current turn done (the
 * key handed over to the next household at the window's end) or skipped (the household
 * did not open the gate; the next one takes the same day), the last record taken back
 * when it was a mistake, and the care calls to skipped households.
 *
 * A record always names the current turn, the first not recorded: days cannot be
 * recorded out of order, since every later day depends on what happened before it (a
 * skip moves them all up by one household). The client may send the household and day
 * it showed; if another leader recorded that turn meanwhile, the answer is 409 and
 * nothing is written. A day that has not come yet (in the community's time zone) cannot
 * be recorded. Skipping is not a penalty: the household goes on the care list, and a
 * leader marks the call made. Writes need the leader scope over the block (404 else). */
#include "rotation_int.h"
#include "../../core/clock.h"
#include <string.h>

/* The instant of minute `minutes` of calendar day `day` in the community's zone. */
static int64_t local_instant(http_req *req, int64_t day, int minutes)
{
    int64_t local = day * 86400 + (int64_t)minutes * 60;
    return (local - clock_tz_offset(rotation_tz(req), local)) * 1000000;
}

/* handed_over_at from the body: "HH:MM" on the turn's day (local time), or an instant
 * "YYYY-MM-DDTHH:MM:SSZ"; absent: the window's end that day, or now if that is later
 * than now. -2 with the 400 set when malformed. */
static int64_t handover_time(http_req *req, const rotation_ctx *r, int64_t day)
{
    const char *at = NULL;
    if (!http_body_str_opt(req, "handed_over_at", 1, 32, &at)) return -2;
    int64_t us;
    if (!at) {
        int64_t end = local_instant(req, day, rotation_parse_hhmm(r->window_end)), now = clock_now_us();
        return end < now ? end : now;
    }
    int minutes = rotation_parse_hhmm(at);
    if (minutes >= 0) return local_instant(req, day, minutes);
    if (clock_parse_utc(at, &us)) return us;
    http_fail_field(req, "handed_over_at", "rotation.err.handed_over_at");
    return -2;
}

/* The optional guards of a record: the household and day the client showed must still
 * be the current turn's. False with the 409 set. */
static bool guards_hold(http_req *req, int64_t household, int64_t day)
{
    int64_t given = 0;
    bool present = false;
    if (!http_body_int_opt(req, "household_id", 1, INT64_MAX, &given, &present)) return false;
    if (present && given != household)
        return http_fail(req, 409, "conflict", "household_id", "rotation.err.not_current"), false;
    const char *d = NULL;
    if (!http_body_str_opt(req, "day", 1, 16, &d)) return false;
    char want[11];
    clock_format_date(day, want);
    if (d && strcmp(d, want)) return http_fail(req, 409, "conflict", "day", "rotation.err.not_current_day"), false;
    return true;
}

static int insert_turn(http_req *req, const rotation_ctx *r, bool skipped, int64_t to, int64_t at, const char *note)
{
    const rotation_plan *p = &r->plan;
    int seq = p->recorded;
    char day[11];
    clock_format_date(p->next_day, day);
    /* Bound one by one: a hand-over and its time are NULL for a skip, and PostgreSQL
     * would type a parameter compared with 0 in SQL as a 4-byte integer. */
    store_stmt *st = store_prepare(req->conn,
        "INSERT INTO rotation_turns (community_id, rotation_id, seq, day, household_id, round, outcome, "
        "handover_to_household_id, handed_over_at, note, recorded_by, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, r->id);
    store_bind_int(st, 3, seq);
    store_bind_text(st, 4, day);
    store_bind_int(st, 5, r->members[rotation_plan_member(p, seq)].household_id);
    store_bind_int(st, 6, rotation_plan_round(p, seq));
    store_bind_text(st, 7, skipped ? "skipped" : "done");
    if (to) store_bind_int(st, 8, to); else store_bind_null(st, 8);
    if (at >= 0) store_bind_int(st, 9, at); else store_bind_null(st, 9);
    store_bind_text(st, 10, note);
    store_bind_int(st, 11, req->actor.user_id);
    store_bind_int(st, 12, clock_now_us());
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return -1;
    if (seq + 1 == p->total &&
        store_run(req->conn, NULL, "UPDATE rotations SET state = 'finished' WHERE id = $1 AND community_id = $2",
                  "ii", r->id, req->actor.community_id) != STORE_DONE)
        return -1;
    return 0;
}

/* Answers the turn just written (or taken back) with the rotation as it is now. */
static int reply_turn(http_req *req, int64_t id, int seq, int status)
{
    rotation_ctx r;
    if (rotation_load(req, id, &r) != 1) return http_fail_internal(req, "rotation reread");
    json_t *turn = seq >= 0 && seq < r.plan.total ? rotation_entry_json(req, &r, seq) : json_null();
    return http_reply(req, status, json_pack("{s:o, s:o}", "turn", turn, "rotation", rotation_json(req, &r)));
}

/* POST /rotations/{id}/turns {outcome, handed_over_at?, note?, household_id?, day?} */
static int rotation_record(http_req *req)
{
    rotation_ctx r;
    if (!rotation_from_path(req, &r, true)) return -1;
    const char *outcome, *note = "";
    if (!http_body_str(req, "outcome", 1, 16, &outcome)) return -1;
    bool skipped = !strcmp(outcome, "skipped");
    if (!skipped && strcmp(outcome, "done")) return http_fail_field(req, "outcome", "rotation.err.outcome");
    if (!http_body_str_opt(req, "note", 0, 200, &note)) return -1;
    const rotation_plan *p = &r.plan;
    if (p->recorded >= p->total) return http_fail(req, 409, "conflict", NULL, "rotation.err.finished");
    int seq = p->recorded;
    int64_t household = r.members[rotation_plan_member(p, seq)].household_id;
    if (!guards_hold(req, household, p->next_day)) return -1;
    if (p->next_day > r.today) return http_fail(req, 409, "conflict", "day", "rotation.err.not_yet");
    int64_t to = 0, at = -1;
    if (skipped) {
        if (json_object_get(req->json, "handed_over_at"))
            return http_fail_field(req, "handed_over_at", "rotation.err.handover_done_only");
    } else {
        if (seq + 1 < p->total) to = r.members[rotation_plan_member(p, seq + 1)].household_id;
        if ((at = handover_time(req, &r, p->next_day)) == -2) return -1;
    }
    if (insert_turn(req, &r, skipped, to, at, note)) return http_fail_internal(req, "rotation turn");
    http_audit_target(req, "rotation", r.id, json_pack("{s:i, s:s, s:I, s:I}", "seq", seq, "outcome", outcome,
                                                       "household_id", (json_int_t)household,
                                                       "handover_to_household_id", (json_int_t)to));
    return reply_turn(req, r.id, seq, 201);
}

/* DELETE /rotations/{id}/turns/last: takes back the last record (a mistake). */
static int rotation_undo(http_req *req)
{
    rotation_ctx r;
    if (!rotation_from_path(req, &r, true)) return -1;
    if (!r.n_turns) return http_fail(req, 409, "conflict", NULL, "rotation.err.nothing_to_undo");
    const rotation_turn *t = &r.turns[r.n_turns - 1];
    if (store_run(req->conn, NULL, "DELETE FROM rotation_turns WHERE id = $1 AND community_id = $2", "ii", t->id,
                  req->actor.community_id) != STORE_DONE ||
        store_run(req->conn, NULL, "UPDATE rotations SET state = 'active' WHERE id = $1 AND community_id = $2", "ii",
                  r.id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "rotation undo");
    http_audit_target(req, "rotation", r.id, json_pack("{s:i, s:I}", "seq", t->seq, "turn_id", (json_int_t)t->id));
    return reply_turn(req, r.id, t->seq, 200);
}

/* ---------------------------------------------------------------- care calls */

static const list_column care_columns[] = {
    {"day", "rotation.col.day"}, {"room", "rotation.col.room"}, {"phone", "rotation.col.phone"},
    {"round", "rotation.col.round"}, {"care_called_at", "rotation.col.care_called_at"},
    {"care_called_by", "rotation.col.care_called_by"}, {0, 0},
};

static json_t *care_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(st, 0), "seq",
                          (json_int_t)store_col_int(st, 1), "day", store_col_text(st, 2), "household_id",
                          (json_int_t)store_col_int(st, 3), "room", store_col_text(st, 4), "phone",
                          store_col_text(st, 5), "round", (json_int_t)store_col_int(st, 6));
    json_object_set_new(o, "care_called_at", rotation_time_json(store_col_null(st, 7) ? -1 : store_col_int(st, 7)));
    const char *by = store_col_text(st, 8);
    json_object_set_new(o, "care_called_by", by ? json_string(by) : json_null());
    return o;
}

/* GET /rotations/{id}/care[?pending=1]: the skipped turns, to call on (leaders). */
static int rotation_care_list(http_req *req)
{
    rotation_ctx r;
    if (!rotation_from_path(req, &r, true)) return -1;
    const char *pending = http_query(req, "pending");
    int64_t limit = http_list_limit(req), next = 0;
    store_stmt *st = store_prepare(req->conn,
        "SELECT t.id, t.seq, t.day, t.household_id, h.room, h.phone, t.round, t.care_called_at, u.display_name "
        "FROM rotation_turns t JOIN households h ON h.id = t.household_id "
        "LEFT JOIN users u ON u.id = t.care_called_by WHERE t.community_id = $1 AND t.rotation_id = $2 "
        "AND t.outcome = 'skipped' AND ($3 = 0 OR t.care_called_at IS NULL) AND t.id > $4 ORDER BY t.id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, r.id);
    store_bind_int(st, 3, pending && !strcmp(pending, "1") ? 1 : 0);
    store_bind_int(st, 4, http_list_cursor(req));
    store_bind_int(st, 5, limit + 1);
    json_t *items = http_list_collect(st, limit, care_item, NULL, &next);
    store_done(st);
    const char *title = arena_printf(req->a, "%s · %s · %s", i18n_text(req->lang, "rotation.list.care"),
                                     r.block_name, r.name);
    return http_reply_list(req, title, care_columns, items, next);
}

/* POST /rotations/{id}/care/{turn_id}: the call to a skipped household was made. */
static int rotation_care_called(http_req *req)
{
    rotation_ctx r;
    int64_t turn;
    if (!rotation_from_path(req, &r, true) || !http_param_id(req, "turn_id", &turn)) return -1;
    const rotation_turn *t = NULL;
    for (int i = 0; i < r.n_turns; i++)
        if (r.turns[i].id == turn && r.turns[i].skipped) t = &r.turns[i];
    if (!t) return http_fail_not_found(req);
    if (t->care_called_at >= 0) return http_fail(req, 409, "conflict", NULL, "rotation.err.already_called");
    int64_t now = clock_now_us();
    if (store_run(req->conn, NULL, "UPDATE rotation_turns SET care_called_at = $1, care_called_by = $2 "
                                   "WHERE id = $3 AND community_id = $4", "iiii", now, req->actor.user_id, turn,
                  req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "rotation care");
    http_audit_target(req, "rotation", r.id, json_pack("{s:I, s:I}", "turn_id", (json_int_t)turn, "household_id",
                                                       (json_int_t)t->household_id));
    return http_reply(req, 200, json_pack("{s:{s:I, s:I, s:o}}", "turn", "id", (json_int_t)turn, "household_id",
                                          (json_int_t)t->household_id, "care_called_at", rotation_time_json(now)));
}

/* ---------------------------------------------------------------- dashboard */

/* Skipped households in the actor's scope not called on yet; shown only when some are. */
void rotation_tiles(http_req *req, json_t *tiles)
{
    if (!actor_has(&req->actor, ROTATION_LEADERS)) return;
    int64_t n = store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM rotation_turns t JOIN rotations r ON r.id = t.rotation_id "
        "JOIN blocks b ON b.id = r.block_id WHERE t.community_id = $1 AND t.outcome = 'skipped' "
        "AND t.care_called_at IS NULL AND " SCOPE_BLOCK, "ii", req->actor.community_id, req->actor.user_id);
    if (n <= 0) return;
    dashboard_tile(req, tiles, "rotation_care", "rotation.tile.care", n, "rotation.unit.households");
    dashboard_tile_link(tiles, "/rotations");
}

const http_route rotation_turn_routes[] = {
    {"POST", "/api/v1/rotations/{id}/turns", NULL, rotation_record, ROTATION_LEADERS, ROUTE_WRITE, 4096,
     "rotation.record"},
    {"DELETE", "/api/v1/rotations/{id}/turns/last", NULL, rotation_undo, ROTATION_LEADERS, ROUTE_WRITE, 0,
     "rotation.undo"},
    {"GET", "/api/v1/rotations/{id}/care", NULL, rotation_care_list, ROTATION_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/rotations/{id}/care/{turn_id}", NULL, rotation_care_called, ROTATION_LEADERS, ROUTE_WRITE, 4096,
     "rotation.care_called"},
    {0},
};
