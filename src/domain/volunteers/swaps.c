/* swaps.c — asking another volunteer to take one's shift, or to exchange it for one of
 * theirs. Table in 023_swaps.sql.
 *
 * The asker must stand the shift and it must not have started; the other must serve.
 * The other is told (notification `swap_asked`) and accepts or declines. On accept both
 * places move in one write: the asker's place goes to the other (and, for an exchange,
 * the other's to the asker), each checked by the sign-up rules (team, qualification,
 * overlap) as if newly taken; if a rule would break, nothing moves and the answer says
 * which. The shifts' counts do not change: one person out, one in. The asker is told
 * the outcome (`swap_answered`). */
#include "volunteers_int.h"
#include "../../core/clock.h"
#include "../notify.h"
#include <string.h>

/* The sign-up rules for volunteer vid newly on shift sid (its start in the future):
 * an i18n key of the rule broken, or NULL. */
static const char *swap_refusal(http_req *req, int64_t sid, int64_t vid)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT starts_at, ends_at, qualification, team_id FROM shifts WHERE id = $1 AND "
                  "community_id = $2", "ii", sid, req->actor.community_id) != STORE_ROW)
        return "swap.err.shift";
    int64_t start = store_col_int(st, 0), end = store_col_int(st, 1);
    const char *qual = arena_strdup(req->a, store_col_text(st, 2));
    int64_t team = store_col_null(st, 3) ? 0 : store_col_int(st, 3);
    store_done(st);
    if (start <= clock_now_us()) return "shift.err.started";
    if (team && !team_member_of(req, team, vid)) return "shift.err.team";
    if (qual && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteer_qualifications WHERE volunteer_id = $1 "
                                 "AND qualification = $2 AND (expires_on IS NULL OR expires_on >= $3)", "itt", vid,
                                     qual,
                                 vol_local_day(req, start)))
        return "shift.err.qualification";
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM shift_assignments a JOIN shifts o ON o.id = a.shift_id "
                        "WHERE a.community_id = $1 AND a.volunteer_id = $2 AND a.state = 'assigned' AND a.shift_id <> "
                            "$3 "
                        "AND o.starts_at < $4 AND o.ends_at > $5", "iiiii", req->actor.community_id, vid, sid, end,
                            start))
        return "shift.err.overlap";
    return NULL;
}

static bool stands(http_req *req, int64_t sid, int64_t vid)
{
    return store_query_int(req->conn, 0, "SELECT COUNT(*) FROM shift_assignments WHERE community_id = $1 AND "
                           "shift_id = $2 AND volunteer_id = $3 AND state = 'assigned'", "iii", req->actor.community_id,
                           sid, vid) > 0;
}

static json_t *shift_words(http_req *req, int64_t sid)
{
    store_stmt *st;
    json_t *out = json_object();
    if (store_run(req->conn, &st, "SELECT p.name, s.starts_at FROM shifts s JOIN posts p ON p.id = s.post_id WHERE "
                  "s.id = $1", "i", sid) == STORE_ROW) {
        json_object_set_new(out, "post", json_string(store_col_text(st, 0)));
        json_object_set_new(out, "when", json_string(vol_local_time(req, store_col_int(st, 1))));
        store_done(st);
    }
    return out;
}

/* POST /shifts/{id}/swap {volunteer_id, their_shift_id?} */
static int swap_ask(http_req *req)
{
    int64_t sid, to, theirs = 0;
    bool has_to, has_theirs;
    if (!http_param_id(req, "id", &sid)) return -1;
    if (!http_body_int_opt(req, "volunteer_id", 1, INT64_MAX, &to, &has_to)) return -1;
    /* A colleague is known by their phone number: volunteers cannot list each other. */
    const char *phone = NULL;
    if (!has_to && !http_body_str_opt(req, "phone", 3, 32, &phone)) return -1;
    if (!has_to && phone) {
        to = store_query_int(req->conn, 0, "SELECT id FROM volunteers WHERE community_id = $1 AND phone = $2 AND state "
                             "IN ('approved', 'active')", "it", req->actor.community_id, phone);
        if (!to) return http_fail_field(req, "phone", "swap.err.phone");
        has_to = true;
    }
    if (!has_to) return http_fail_field(req, "volunteer_id", "err.required");
    if (!http_body_int_opt(req, "their_shift_id", 1, INT64_MAX, &theirs, &has_theirs)) return -1;
    int64_t me = vol_own(req, NULL);
    if (me < 0) return http_fail_internal(req, "volunteer");
    if (!me || !stands(req, sid, me)) return http_fail_not_found(req);
    if (to == me) return http_fail_field(req, "volunteer_id", "swap.err.self");
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2 AND state "
                         "IN ('approved', 'active')", "ii", to, req->actor.community_id))
        return http_fail_field(req, "volunteer_id", "shift.err.volunteer_not_serving");
    if (has_theirs && !stands(req, theirs, to)) return http_fail_field(req, "their_shift_id", "swap.err.theirs");
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM shifts WHERE id = $1 AND starts_at <= $2", "ii", sid,
                        clock_now_us()))
        return http_fail(req, 409, "conflict", NULL, "shift.err.started");
    store_stmt *st = store_prepare(req->conn, "INSERT INTO shift_swaps (community_id, shift_id, from_volunteer_id, "
                                              "to_volunteer_id, their_shift_id, state, created_at) VALUES ($1, $2, "
                                                  "$3, $4, "
                                              "$5, 'pending', $6) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, sid);
    store_bind_int(st, 3, me);
    store_bind_int(st, 4, to);
    if (has_theirs) store_bind_int(st, 5, theirs); else store_bind_null(st, 5);
    store_bind_int(st, 6, clock_now_us());
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "swap");
    json_t *params = shift_words(req, sid);
    json_object_set_new(params, "from", json_string(req->actor.display_name ? req->actor.display_name : ""));
    json_object_set_new(params, "swap_id", json_integer(id));
    if (vol_notify(req, to, has_theirs ? "swap_exchange" : "swap_asked", params, "/notifications") < 0)
        return http_fail_internal(req, "notify");
    http_audit_target(req, "shift_swap", id, json_pack("{s:I, s:I}", "shift_id", (json_int_t)sid, "to",
                                                       (json_int_t)to));
    return http_reply(req, 201, json_pack("{s:{s:I, s:s}}", "swap", "id", (json_int_t)id, "state", "pending"));
}

/* Moves volunteer `from`'s place on shift sid to volunteer `to`. -1 on a store error. */
static int place_move(http_req *req, int64_t sid, int64_t from, int64_t to)
{
    int64_t now = clock_now_us();
    if (store_run(req->conn, NULL, "UPDATE shift_assignments SET state = 'given_back', updated_at = $1 WHERE "
                  "community_id = $2 AND shift_id = $3 AND volunteer_id = $4", "iiii", now, req->actor.community_id,
                  sid, from) != STORE_DONE)
        return -1;
    int rc = store_run(req->conn, NULL, "UPDATE shift_assignments SET state = 'assigned', source = 'self', "
                       "confirmation = 'confirmed', queued_at = $1, updated_at = $1 WHERE community_id = $2 AND "
                       "shift_id = $3 AND volunteer_id = $4 RETURNING id", "iiii", now, req->actor.community_id, sid,
                           to);
    if (rc == STORE_ROW) return 0;
    if (rc != STORE_DONE) return -1;
    return store_run(req->conn, NULL, "INSERT INTO shift_assignments (community_id, shift_id, volunteer_id, state, "
                     "source, confirmation, queued_at, updated_at) VALUES ($1, $2, $3, 'assigned', 'self', "
                         "'confirmed', "
                     "$4, $4)", "iiii", req->actor.community_id, sid, to, now) == STORE_DONE ? 0 : -1;
}

/* POST /swaps/{id}/answer {accept: true|false}: by the volunteer asked. */
static int swap_answer(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    json_t *a = json_object_get(req->json, "accept");
    if (!json_is_boolean(a)) return http_fail_field(req, "accept", "team.err.boolean");
    int64_t me = vol_own(req, NULL);
    store_stmt *st;
    if (me <= 0 || store_run(req->conn, &st, "SELECT shift_id, from_volunteer_id, their_shift_id, state FROM "
                                            "shift_swaps WHERE id = $1 AND community_id = $2 AND to_volunteer_id = $3",
                                            "iii", id, req->actor.community_id, me) != STORE_ROW)
        return http_fail_not_found(req);
    int64_t sid = store_col_int(st, 0), from = store_col_int(st, 1);
    int64_t theirs = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
    bool pending = !strcmp(store_col_text(st, 3), "pending");
    store_done(st);
    if (!pending) return http_fail(req, 409, "conflict", NULL, "swap.err.decided");
    bool accept = json_is_true(a);
    if (accept) {
        if (!stands(req, sid, from) || (theirs && !stands(req, theirs, me)))
            return http_fail(req, 409, "conflict", NULL, "swap.err.gone");
        if (place_move(req, sid, from, me) < 0 || (theirs && place_move(req, theirs, me, from) < 0))
            return http_fail_internal(req, "swap move");
        /* Checked after the moves, so that an exchange does not count the place given away. */
        const char *why = swap_refusal(req, sid, me);
        if (!why && theirs) why = swap_refusal(req, theirs, from);
        if (why) return http_fail(req, 409, "conflict", NULL, why);   /* the job rolls back: nothing moved */
    }
    if (store_run(req->conn, NULL, "UPDATE shift_swaps SET state = $1, decided_at = $2 WHERE id = $3", "tii",
                  accept ? "accepted" : "declined", clock_now_us(), id) != STORE_DONE)
        return http_fail_internal(req, "swap answer");
    json_t *params = shift_words(req, sid);
    json_object_set_new(params, "by", json_string(req->actor.display_name ? req->actor.display_name : ""));
    if (vol_notify(req, from, accept ? "swap_accepted" : "swap_declined", params, "/volunteer") < 0)
        return http_fail_internal(req, "notify");
    http_audit_target(req, "shift_swap", id, json_pack("{s:b}", "accept", accept));
    return http_reply(req, 200, json_pack("{s:{s:I, s:s}, s:s}", "swap", "id", (json_int_t)id, "state",
                                          accept ? "accepted" : "declined", "message",
                                          i18n_text(req->lang, accept ? "swap.ok.accepted" : "swap.ok.declined")));
}

/* GET /my/swaps: the swaps asked of me and by me that wait for an answer. */
static int my_swaps(http_req *req)
{
    int64_t me = vol_own(req, NULL);
    json_t *items = json_array();
    store_stmt *st = store_prepare(req->conn,
        "SELECT w.id, w.shift_id, w.from_volunteer_id, f.name, w.to_volunteer_id, "
                                              "t.name, w.their_shift_id FROM shift_swaps w JOIN volunteers f ON "
                                              "f.id = w.from_volunteer_id JOIN volunteers t ON t.id = "
                                                  "w.to_volunteer_id "
                                              "WHERE w.community_id = $1 AND w.state = 'pending' AND "
                                              "(w.from_volunteer_id = $2 OR w.to_volunteer_id = $2) ORDER BY w.id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, me > 0 ? me : 0);
    while (store_step(st) == STORE_ROW) {
        json_t *w = json_pack("{s:I, s:I, s:s, s:s, s:b}", "id", (json_int_t)store_col_int(st, 0), "shift_id",
                              (json_int_t)store_col_int(st, 1), "from_name", store_col_text(st, 3), "to_name",
                              store_col_text(st, 5), "asked_of_me", store_col_int(st, 4) == me);
        json_object_set_new(w, "their_shift_id", store_col_null(st, 6) ? json_null() : json_integer(store_col_int(st,
            6)));
        json_array_append_new(items, w);
    }
    store_done(st);
    size_t i;
    json_t *w;
    json_array_foreach(items, i, w) json_object_update(w, json_pack("{s:o}", "shift",
                                                                    shift_words(req,
                                                                        json_integer_value(json_object_get(w,
                                                                            "shift_id")))));
    return http_reply(req, 200, json_pack("{s:o}", "items", items));
}

const http_route swap_routes[] = {
    {"POST", "/api/v1/shifts/{id}/swap", NULL, swap_ask, ROLE_VOLUNTEER, ROUTE_WRITE, 256, "shift.swap_ask"},
    {"POST", "/api/v1/swaps/{id}/answer", NULL, swap_answer, ROLE_VOLUNTEER, ROUTE_WRITE, 256, "shift.swap_answer"},
    {"GET", "/api/v1/my/swaps", NULL, my_swaps, ROLE_VOLUNTEER, 0, 0, NULL},
    {0},
};

const i18n_entry swap_messages[] = {
    {"swap.err.phone", "没有用这个手机号报名的在岗志愿者", "No serving volunteer signed up with this phone number"},
    {"swap.err.self", "不能和自己换班", "You cannot swap with yourself"},
    {"swap.err.theirs", "对方不在这个班次上", "That volunteer is not on that shift"},
    {"swap.err.shift", "班次不存在", "No such shift"},
    {"swap.err.decided", "这个换班请求已经答复过了", "This swap has been answered already"},
    {"swap.err.gone", "班次已有变动（有人已退出），换班不能进行", "The shifts changed meanwhile; the swap cannot go ahead"},
    {"swap.ok.accepted", "已同意换班，班次已调整", "Swap accepted; the shifts have moved"},
    {"swap.ok.declined", "已婉拒换班", "Swap declined"},
    {"notify.swap_asked", "{from} 请您代班：{post} {when}", "{from} asks you to take their shift: {post} {when}"},
    {"notify.swap_exchange", "{from} 想和您换班：您去 {post} {when}",
        "{from} asks to exchange shifts: you would take {post} {when}"},
    {"notify.swap_accepted", "{by} 同意了换班：{post} {when}", "{by} accepted the swap: {post} {when}"},
    {"notify.swap_declined", "{by} 婉拒了换班：{post} {when}", "{by} declined the swap: {post} {when}"},
    {0, 0, 0},
};
