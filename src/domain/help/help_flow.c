/* help_flow.c — what happens to a request after it is asked, each step one event on its
 * timeline with who and when: POST /help-requests/{id}/events {action, ...}.
 *
 *   acknowledge  a leader of the household: new → acknowledged; the escalation stops
 *   assign       a leader: a volunteer who serves takes it (acknowledges a new one)
 *   hand_over    a leader: handed to the street office or the emergency line (120) with
 *                the time, so an urgent case never waits on a volunteer (acknowledges)
 *   start, done  a leader or the assigned volunteer
 *   decline      a leader, with a reason
 *   cancel       the household or a leader
 *   message      anyone who sees the request
 * A finished request (done, cancelled, declined) takes messages only (409 otherwise). */
#include "help_int.h"
#include "../notify.h"
#include "../../core/clock.h"
#include <string.h>

static const char *const help_actions[] = {"acknowledge", "assign", "hand_over", "start", "done", "decline", "cancel",
                                           "message", NULL};
static const char *const help_hand_to[] = {"street_office", "emergency_120", NULL};

typedef struct help_row {
    int64_t id, household, block, zone, volunteer_user;
    const char *state, *level, *summary;
    bool leader, assigned, household_member;
} help_row;

/* The request as the actor sees it; false (404 set) when they may not. */
static bool help_load(http_req *req, int64_t id, help_row *r)
{
    store_stmt *st = store_prepare(req->conn, "SELECT r.id, r.household_id, r.block_id, r.zone_id, r.state, r.level, "
                                              "r.summary, " HELP_IS_LEADER ", CASE WHEN av.user_id = $2 THEN 1 ELSE 0 "
                                                  "END, "
                                              "av.user_id, CASE WHEN EXISTS (SELECT 1 FROM role_assignments x WHERE "
                                              "x.user_id = $2 AND x.role = 'resident' AND x.scope_kind = 'household' "
                                              "AND x.scope_id = r.household_id) THEN 1 ELSE 0 END " HELP_FROM
                                              "WHERE r.id = $3 AND " HELP_VISIBLE);
    if (!st) return http_fail_internal(req, store_errmsg(req->conn)), false;
    scope_bind(req, st);
    store_bind_int(st, 3, id);
    bool found = store_step(st) == STORE_ROW;
    if (found) {
        *r = (help_row){.id = store_col_int(st, 0), .household = store_col_int(st, 1), .block = store_col_int(st, 2),
                        .zone = store_col_null(st, 3) ? 0 : store_col_int(st, 3),
                        .state = arena_strdup(req->a, store_col_text(st, 4)),
                        .level = arena_strdup(req->a, store_col_text(st, 5)),
                        .summary = arena_strdup(req->a, store_col_text(st, 6)), .leader = store_col_int(st, 7) != 0,
                        .assigned = store_col_int(st, 8) != 0,
                        .volunteer_user = store_col_null(st, 9) ? 0 : store_col_int(st, 9),
                        .household_member = store_col_int(st, 10) != 0};
    }
    store_done(st);
    if (!found) http_fail_not_found(req);
    return found;
}

/* Moves the request to `to` (NULL: keeps the state) with the acknowledgement filled
 * in when it had none, and stops its escalation. */
static int help_move(http_req *req, const help_row *r, const char *to)
{
    int64_t now = clock_now_us();
    bool final = to && !help_state_open(to);
    store_stmt *st;
    int rc = store_run(req->conn, &st, "UPDATE help_requests SET state = $3, due_at = NULL, acknowledged_at = "
                       "COALESCE(acknowledged_at, $4), acknowledged_by = COALESCE(acknowledged_by, $5), "
                           "updated_at = $4, "
                       "finished_at = CASE WHEN $6 = 1 THEN $4 ELSE finished_at END WHERE id = $1 AND "
                           "community_id = $2 "
                       "AND state = $7 RETURNING id", "iitiiit", r->id, req->actor.community_id,
                       to ? to : r->state, now, req->actor.user_id, (int64_t)final, r->state);
    if (rc == STORE_ROW) store_done(st);
    return rc == STORE_ROW ? 0 : -1;
}

/* Tells the household's accounts (not the one acting) how their request goes. */
static int help_tell_household(http_req *req, const help_row *r, const char *kind)
{
    json_t *params = json_pack("{s:s}", "summary", r->summary);
    char link[48];
    snprintf(link, sizeof link, "/help/%lld", (long long)r->id);
    int64_t n = notify_users_from(req->conn, req->actor.community_id, kind, params, link,
                                  "SELECT user_id FROM role_assignments WHERE community_id = $1 AND role = 'resident' "
                                  "AND scope_kind = 'household' AND scope_id = $2 AND user_id <> $3", "ii",
                                  r->household, req->actor.user_id);
    json_decref(params);
    return n < 0 ? -1 : 0;
}

/* The volunteer to assign: one of the community who serves and has an account. */
static int64_t help_volunteer(http_req *req, int64_t *user)
{
    int64_t vid = 0;
    bool has = false;
    if (!http_body_int_opt(req, "volunteer_id", 1, INT64_MAX, &vid, &has)) return -1;
    if (!has) return http_fail_field(req, "volunteer_id", "err.required"), -1;
    *user = store_query_int(req->conn, 0, "SELECT user_id FROM volunteers WHERE id = $1 AND community_id = $2 AND "
                            "state IN ('approved', 'active') AND user_id IS NOT NULL", "ii", vid,
                            req->actor.community_id);
    if (!*user) return http_fail_field(req, "volunteer_id", "help.err.volunteer"), -1;
    return vid;
}

static int help_post_event(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    const char *action, *text = NULL;
    if (!http_body_str(req, "action", 1, 16, &action)) return -1;
    if (!help_word_in(action, help_actions)) return http_fail_field(req, "action", "help.err.action");
    if (!http_body_str_opt(req, "text", 1, 1000, &text)) return -1;
    help_row r;
    if (!help_load(req, id, &r)) return -1;
    bool leader_only = !strcmp(action, "acknowledge") || !strcmp(action, "assign") || !strcmp(action, "hand_over") ||
                       !strcmp(action, "decline");
    bool worker = !strcmp(action, "start") || !strcmp(action, "done");
    if ((leader_only && !r.leader) || (worker && !r.leader && !r.assigned) ||
        (!strcmp(action, "cancel") && !r.leader && !r.household_member))
        return http_fail(req, 403, "forbidden", "action", "help.err.not_yours");
    bool open = help_state_open(r.state);
    if (strcmp(action, "message") && !open) return http_fail(req, 409, "conflict", "action", "help.err.finished");
    if (!strcmp(action, "acknowledge") && strcmp(r.state, "new"))
        return http_fail(req, 409, "conflict", "action", "help.err.acknowledged");
    if (!strcmp(action, "start") && !strcmp(r.state, "in_progress"))
        return http_fail(req, 409, "conflict", "action", "help.err.started");

    const char *to = NULL, *event_text = text, *tell = NULL;
    int64_t community = req->actor.community_id;
    json_t *detail = json_pack("{s:s}", "action", action);
    if (!strcmp(action, "acknowledge")) {
        to = "acknowledged", tell = "help_acknowledged";
    } else if (!strcmp(action, "start")) {
        to = "in_progress";
    } else if (!strcmp(action, "done")) {
        to = "done", tell = "help_done";
    } else if (!strcmp(action, "decline") || !strcmp(action, "cancel")) {
        if (!strcmp(action, "decline") && !text) return json_decref(detail), http_fail_field(req, "text",
            "help.err.reason");
        to = !strcmp(action, "decline") ? "declined" : "cancelled";
        if (!strcmp(action, "decline")) tell = "help_declined";
        if (store_run(req->conn, NULL, "UPDATE help_requests SET reason = $2 WHERE id = $1", "it", r.id, text) !=
            STORE_DONE)
            return json_decref(detail), http_fail_internal(req, "help reason");
    } else if (!strcmp(action, "assign")) {
        int64_t user;
        int64_t vid = help_volunteer(req, &user);
        if (vid < 0) return json_decref(detail), -1;
        if (store_run(req->conn, NULL, "UPDATE help_requests SET assigned_volunteer_id = $2 WHERE id = $1", "ii",
                      r.id, vid) != STORE_DONE)
            return json_decref(detail), http_fail_internal(req, "help assign");
        if (!strcmp(r.state, "new")) to = "acknowledged";
        store_stmt *nm;
        if (store_run(req->conn, &nm, "SELECT name FROM volunteers WHERE id = $1", "i", vid) == STORE_ROW) {
            event_text = arena_strdup(req->a, store_col_text(nm, 0));
            store_done(nm);
        }
        json_object_set_new(detail, "volunteer_id", json_integer(vid));
        json_t *params = json_pack("{s:s}", "summary", r.summary);
        int rc = notify_user(req->conn, community, user, "help_assigned", params,
                             arena_printf(req->a, "/help/%lld", (long long)r.id));
        json_decref(params);
        if (rc < 0) return json_decref(detail), http_fail_internal(req, "help notify");
    } else if (!strcmp(action, "hand_over")) {
        const char *where;
        if (!http_body_str(req, "to", 1, 32, &where)) return json_decref(detail), -1;
        if (!help_word_in(where, help_hand_to)) return json_decref(detail), http_fail_field(req, "to", "help.err.to");
        if (store_run(req->conn, NULL, "UPDATE help_requests SET handed_to = $2, handed_at = $3 WHERE id = $1", "iti",
                      r.id, where, clock_now_us()) != STORE_DONE)
            return json_decref(detail), http_fail_internal(req, "help hand over");
        if (!strcmp(r.state, "new")) to = "acknowledged";
        event_text = text ? arena_printf(req->a, "%s: %s", where, text) : where;
        json_object_set_new(detail, "to", json_string(where));
    } else {   /* message */
        if (!text) return json_decref(detail), http_fail_field(req, "text", "err.required");
        if (r.leader || r.assigned) tell = "help_message";
    }
    if (strcmp(action, "message") && help_move(req, &r, to) < 0)
        return json_decref(detail), http_fail(req, 409, "conflict", "action", "help.err.changed");
    const char *kind = !strcmp(action, "message") ? "message" : action;
    if (help_event(req->conn, community, r.id, req->actor.user_id, kind, to, NULL, event_text) < 0)
        return json_decref(detail), http_fail_internal(req, "help event");
    if (tell && help_tell_household(req, &r, tell) < 0) return json_decref(detail), http_fail_internal(req, "notify");
    /* The household wrote: the person who acknowledged, or the level's people, hear it. */
    if (!strcmp(action, "message") && !r.leader && !r.assigned) {
        json_t *params = json_pack("{s:s}", "summary", r.summary);
        int64_t n = r.volunteer_user ? notify_user(req->conn, community, r.volunteer_user, "help_reply", params,
                                                   arena_printf(req->a, "/help/%lld", (long long)r.id))
                                     : help_notify_level(req->conn, community, r.level, r.block, r.zone, "help_reply",
                                                         params, r.id);
        json_decref(params);
        if (n < 0) return json_decref(detail), http_fail_internal(req, "notify");
    }
    http_audit_target(req, "help_request", r.id, detail);
    return help_reply(req, 200, r.id);
}

const http_route help_flow_routes[] = {
    {"POST", "/api/v1/help-requests/{id}/events", NULL, help_post_event, HELP_MEMBERS, ROUTE_WRITE, 4096,
     "help.event"},
    {0},
};

const i18n_entry help_flow_messages[] = {
    {"help.err.action", "操作只能是 acknowledge、assign、hand_over、start、done、decline、cancel 或 message",
     "Action must be acknowledge, assign, hand_over, start, done, decline, cancel or message"},
    {"help.err.not_yours", "您不能对这条求助做这个操作", "You may not do this to this request"},
    {"help.err.finished", "这条求助已经结束，只能留言", "This request is finished; only messages can be added"},
    {"help.err.acknowledged", "这条求助已经有人响应了", "Someone has acknowledged this request already"},
    {"help.err.started", "已经在处理中", "It is in progress already"},
    {"help.err.changed", "这条求助刚被别人改动，请刷新后再试", "Someone changed this request just now; reload and retry"},
    {"help.err.reason", "请写明婉拒的原因", "Give the reason for declining"},
    {"help.err.volunteer", "找不到这位在岗、有账号的志愿者", "No serving volunteer with an account by that id"},
    {"help.err.to", "只能转给 street_office（街道）或 emergency_120（120 急救）",
     "Hand over to street_office or emergency_120"},
    {"notify.help_acknowledged", "您的求助已有人响应：{summary}", "Your help request was acknowledged: {summary}"},
    {"notify.help_done", "您的求助已办结：{summary}", "Your help request is done: {summary}"},
    {"notify.help_declined", "您的求助未能办理，请查看原因：{summary}",
     "Your help request was declined; see why: {summary}"},
    {"notify.help_message", "您的求助有新留言：{summary}", "A new message on your help request: {summary}"},
    {"notify.help_reply", "求助人留言了：{summary}", "The requester wrote: {summary}"},
    {"notify.help_assigned", "交给您的求助：{summary}", "A help request for you: {summary}"},
    {0, 0, 0},
};
