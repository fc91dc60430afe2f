/* teams.c — teams (队) of volunteers: a kind, a leader, a member cap with an ordered
 * waitlist the leader promotes from, and optionally a required qualification or the
 * leader's approval to join. Tables in 020_teams.sql.
 *
 * Joining: a volunteer who serves asks to join. Without the team's qualification it is
 * refused (409, naming it). With requires_approval the request waits as `pending` for
 * the leader. Otherwise a place under the cap is taken by
 * `UPDATE teams SET members = members + 1 WHERE cap IS NULL OR members < cap`, so no
 * burst of joins passes the cap; past it the volunteer is put on the waitlist in the
 * order they asked. The team's leader (a volunteer with an account) or committee staff
 * approve, promote (only under the cap: 409 full), decline or remove; nobody is
 * promoted behind the leader's back, as the issue asks. A shift or task of a team is for
 * its members only (shifts.c, tasks.c, roster.c ask team_member_of). */
#include "volunteers_int.h"
#include "../../core/clock.h"
#include <string.h>

static const char *const team_kinds[] = {"commando", "sampling", "party_duty", "patrol", "delivery", "gate", "other",
                                         NULL};

bool team_member_of(http_req *req, int64_t team_id, int64_t volunteer_id)
{
    return store_query_int(req->conn, 0, "SELECT COUNT(*) FROM team_members WHERE community_id = $1 AND team_id = $2 "
                           "AND volunteer_id = $3 AND state = 'member'", "iii", req->actor.community_id, team_id,
                           volunteer_id) > 0;
}

bool team_led_by_actor(http_req *req, int64_t team_id)
{
    return store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM teams t JOIN volunteers v ON v.id = t.leader_volunteer_id "
                           "WHERE t.id = $1 AND t.community_id = $2 AND v.user_id = $3", "iii", team_id,
                           req->actor.community_id, req->actor.user_id) > 0;
}

#define TEAM_SELECT \
    "SELECT t.id, t.name, t.kind, t.leader_volunteer_id, lv.name, t.cap, t.members, t.qualification, " \
    "t.requires_approval, (SELECT COUNT(*) FROM team_members w WHERE w.team_id = t.id AND w.state = 'waitlist'), " \
    "(SELECT COUNT(*) FROM team_members w WHERE w.team_id = t.id AND w.state = 'pending'), " \
    "(SELECT m.state FROM team_members m WHERE m.team_id = t.id AND m.volunteer_id = $2), " \
    "CASE WHEN lv.user_id = $3 THEN 1 ELSE 0 END " \
    "FROM teams t LEFT JOIN volunteers lv ON lv.id = t.leader_volunteer_id WHERE t.community_id = $1 "

static json_t *team_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    json_t *t = json_pack("{s:I, s:s, s:s, s:s?, s:I, s:s?, s:b, s:I, s:I, s:b}", "id",
                          (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "kind",
                          store_col_text(st, 2), "leader_name", store_col_text(st, 4), "members",
                          (json_int_t)store_col_int(st, 6), "qualification", store_col_text(st, 7),
                          "requires_approval", (int)store_col_int(st, 8), "waitlist",
                          (json_int_t)store_col_int(st, 9), "pending", (json_int_t)store_col_int(st, 10), "i_lead",
                          (int)store_col_int(st, 12));
    json_object_set_new(t, "leader_volunteer_id", store_col_null(st, 3) ? json_null() : json_integer(store_col_int(st,
        3)));
    json_object_set_new(t, "cap", store_col_null(st, 5) ? json_null() : json_integer(store_col_int(st, 5)));
    json_object_set_new(t, "my_state", store_col_null(st, 11) ? json_null() : json_string(store_col_text(st, 11)));
    return t;
}

static const list_column team_columns[] = {
    {"id", "col.id"}, {"name", "col.name"}, {"kind", "vol.col.kind"}, {"leader_name", "team.col.leader"},
    {"members", "team.col.members"}, {"cap", "team.col.cap"}, {"waitlist", "shift.col.waitlist"}, {0, 0},
};

static void team_bind(http_req *req, store_stmt *st)
{
    int64_t vid = vol_own(req, NULL);
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid > 0 ? vid : 0);
    store_bind_int(st, 3, req->actor.user_id);
}

static int teams_list(http_req *req)
{
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, TEAM_SELECT "AND t.id > $4 ORDER BY t.id LIMIT $5");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    team_bind(req, st);
    store_bind_int(st, 4, http_list_cursor(req));
    store_bind_int(st, 5, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, team_item, NULL, &next_after);
    return http_reply_list(req, "team.list.teams", team_columns, items, next_after);
}

/* The team with its people when the actor leads it or is staff: members, then the
 * waitlist and the pending in the order they asked. */
static int team_reply(http_req *req, int status, int64_t id, const char *outcome)
{
    store_stmt *st = store_prepare(req->conn, TEAM_SELECT "AND t.id = $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    team_bind(req, st);
    store_bind_int(st, 4, id);
    json_t *t = store_step(st) == STORE_ROW ? team_item(st, NULL) : NULL;
    store_done(st);
    if (!t) return http_fail_not_found(req);
    if (vol_is_staff(req) || json_is_true(json_object_get(t, "i_lead")) || actor_has(&req->actor, VOL_LEADERS)) {
        json_t *people = json_array();
        st = store_prepare(req->conn, "SELECT m.volunteer_id, v.name, v.phone, m.state FROM team_members m JOIN "
                                      "volunteers v ON v.id = m.volunteer_id WHERE m.team_id = $1 AND m.state <> "
                                          "'left' "
                                      "ORDER BY CASE m.state WHEN 'member' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, "
                                      "m.queued_at, m.id");
        if (st) {
            store_bind_int(st, 1, id);
            while (store_step(st) == STORE_ROW)
                json_array_append_new(people, json_pack("{s:I, s:s, s:s?, s:s}", "volunteer_id",
                                                        (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
                                                        "phone", store_col_text(st, 2), "state", store_col_text(st,
                                                            3)));
            store_done(st);
        }
        json_object_set_new(t, "people", people);
    }
    json_t *out = json_pack("{s:o}", "team", t);
    if (outcome) {
        json_object_set_new(out, "outcome", json_string(outcome));
        json_object_set_new(out, "message", json_string(i18n_text(req->lang, arena_printf(req->a, "team.ok.%s",
            outcome))));
    }
    return http_reply(req, status, out);
}

static int team_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    return team_reply(req, 200, id, NULL);
}

/* The fields of POST and PATCH; false with the 400 naming the field. */
static bool team_fields(http_req *req, bool create, const char **name, const char **kind, int64_t *cap, bool *has_cap,
                        int64_t *leader, bool *has_leader, const char **qual, int64_t *approval, bool *has_approval)
{
    *name = *kind = *qual = NULL;
    if (!(create ? http_body_str(req, "name", 1, 64, name) : http_body_str_opt(req, "name", 1, 64, name))) return false;
    if (!(create ? http_body_str(req, "kind", 1, 16, kind) : http_body_str_opt(req, "kind", 1, 16, kind))) return false;
    if (*kind && !vol_word_in(*kind, team_kinds)) return http_fail_field(req, "kind", "team.err.kind"), false;
    json_t *c = json_object_get(req->json, "cap");
    *has_cap = c != NULL;
    *cap = 0;
    if (c && !json_is_null(c)) {
        if (!json_is_integer(c) || json_integer_value(c) < 1 || json_integer_value(c) > 100000)
            return http_fail_field(req, "cap", "err.out_of_range"), false;
        *cap = json_integer_value(c);
    }
    if (!http_body_int_opt(req, "leader_volunteer_id", 1, INT64_MAX, leader, has_leader)) return false;
    if (*has_leader && !store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2 "
                                        "AND state IN ('approved', 'active', 'paused')", "ii", *leader,
                                        req->actor.community_id))
        return http_fail_field(req, "leader_volunteer_id", "bank.err.volunteer"), false;
    if (!http_body_str_opt(req, "qualification", 1, 32, qual)) return false;
    if (*qual && !vol_word_in(*qual, vol_qualifications)) return http_fail_field(req, "qualification",
        "vol.err.qualification"), false;
    json_t *a = json_object_get(req->json, "requires_approval");
    *has_approval = a != NULL;
    if (a && !json_is_boolean(a)) return http_fail_field(req, "requires_approval", "team.err.boolean"), false;
    *approval = json_is_true(a);
    return true;
}

/* POST /teams {name, kind, cap?, leader_volunteer_id?, qualification?, requires_approval?} */
static int team_create(http_req *req)
{
    const char *name, *kind, *qual;
    int64_t cap, leader = 0, approval;
    bool has_cap, has_leader, has_approval;
    if (!team_fields(req, true, &name, &kind, &cap, &has_cap, &leader, &has_leader, &qual, &approval, &has_approval))
        return -1;
    store_stmt *st = store_prepare(req->conn, "INSERT INTO teams (community_id, name, kind, leader_volunteer_id, cap, "
                                              "qualification, requires_approval, created_by, created_at) VALUES ($1, "
                                                  "$2, "
                                              "$3, $4, $5, $6, $7, $8, $9) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, kind);
    if (leader) store_bind_int(st, 4, leader); else store_bind_null(st, 4);
    if (cap) store_bind_int(st, 5, cap); else store_bind_null(st, 5);
    store_bind_text(st, 6, qual);
    store_bind_int(st, 7, approval);
    store_bind_int(st, 8, req->actor.user_id);
    store_bind_int(st, 9, clock_now_us());
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "team insert");
    http_audit_target(req, "team", id, json_pack("{s:s}", "kind", kind));
    return team_reply(req, 201, id, NULL);
}

/* PATCH /teams/{id}: a cap below today's members is refused (409): nobody is put out. */
static int team_update(http_req *req)
{
    int64_t id, cap, leader = 0, approval;
    const char *name, *kind, *qual;
    bool has_cap, has_leader, has_approval;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t members = store_query_int(req->conn, -1, "SELECT members FROM teams WHERE id = $1 AND community_id = $2",
        "ii",
                                      id, req->actor.community_id);
    if (members < 0) return http_fail_not_found(req);
    if (!team_fields(req, false, &name, &kind, &cap, &has_cap, &leader, &has_leader, &qual, &approval, &has_approval))
        return -1;
    if (has_cap && cap && cap < members) return http_fail(req, 409, "conflict", "cap", "team.err.cap_below");
    if (store_run(req->conn, NULL, "UPDATE teams SET name = COALESCE($1, name), kind = COALESCE($2, kind), "
                  "qualification = COALESCE($3, qualification), "
                  "cap = CASE WHEN $4 = 1 THEN (CASE WHEN $5 = 0 THEN NULL ELSE $5 END) ELSE cap END, "
                  "leader_volunteer_id = CASE WHEN $6 = 1 THEN $7 ELSE leader_volunteer_id END, "
                  "requires_approval = CASE WHEN $8 = 1 THEN $9 ELSE requires_approval END WHERE id = $10 "
                  "AND community_id = $11", "tttiiiiiiii", name, kind, qual, (int64_t)has_cap, cap, (int64_t)has_leader,
                  leader, (int64_t)has_approval, approval, id, req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "team update");
    http_audit_target(req, "team", id, NULL);
    return team_reply(req, 200, id, NULL);
}

typedef struct team_row { int64_t id, cap, members; bool approval; const char *qual; } team_row;

static int team_load(http_req *req, int64_t id, team_row *t)
{
    store_stmt *st;
    int rc = store_run(req->conn, &st,
        "SELECT id, cap, members, requires_approval, qualification FROM teams WHERE id = $1 "
                       "AND community_id = $2", "ii", id, req->actor.community_id);
    if (rc != STORE_ROW) return rc == STORE_DONE ? 0 : -1;
    *t = (team_row){store_col_int(st, 0), store_col_null(st, 1) ? 0 : store_col_int(st, 1), store_col_int(st, 2),
                    store_col_int(st, 3) != 0, arena_strdup(req->a, store_col_text(st, 4))};
    store_done(st);
    return 1;
}

static const char *member_state(http_req *req, int64_t team_id, int64_t vid)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT state FROM team_members WHERE team_id = $1 AND volunteer_id = $2", "ii",
        team_id,
                  vid) != STORE_ROW)
        return NULL;
    const char *s = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    return s;
}

static int member_put(http_req *req, int64_t team_id, int64_t vid, const char *state, bool requeue)
{
    int64_t now = clock_now_us();
    int rc = store_run(req->conn, NULL, "UPDATE team_members SET state = $1, decided_by = $2, updated_at = $3, "
                       "queued_at = CASE WHEN $4 = 1 THEN $3 ELSE queued_at END WHERE team_id = $5 AND volunteer_id = "
                           "$6 "
                       "RETURNING id", "tiiiii", state, req->actor.user_id, now, (int64_t)requeue, team_id, vid);
    if (rc == STORE_ROW) return 0;
    if (rc != STORE_DONE) return -1;
    return store_run(req->conn, NULL,
        "INSERT INTO team_members (community_id, team_id, volunteer_id, state, queued_at, "
                     "decided_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $5)", "iiitii", req->actor.community_id,
                     team_id, vid, state, now, req->actor.user_id) == STORE_DONE ? 0 : -1;
}

/* A place under the cap: 1 taken, 0 full, -1 store error. */
static int seat_take(http_req *req, int64_t team_id)
{
    int rc = store_run(req->conn, NULL, "UPDATE teams SET members = members + 1 WHERE id = $1 AND (cap IS NULL OR "
                       "members < cap) RETURNING id", "i", team_id);
    return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

static bool holds_qualification(http_req *req, int64_t vid, const char *qual)
{
    return !qual || store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM volunteer_qualifications WHERE volunteer_id = $1 "
                                    "AND qualification = $2 AND (expires_on IS NULL OR expires_on >= $3)", "itt", vid,
                                    qual, vol_local_day(req, clock_now_us())) > 0;
}

/* POST /teams/{id}/join: member, waitlist or pending (see the file header). */
static int team_join(http_req *req)
{
    int64_t id;
    team_row t;
    const char *vstate = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t vid = vol_own(req, &vstate);
    if (vid < 0) return http_fail_internal(req, "volunteer");
    if (!vid) return http_fail(req, 409, "conflict", NULL, "vol.err.not_volunteer");
    if (!vol_state_serves(vstate)) return http_fail(req, 409, "conflict", NULL, "shift.err.not_serving");
    int f = team_load(req, id, &t);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "team") : http_fail_not_found(req);
    const char *cur = member_state(req, id, vid);
    if (cur && strcmp(cur, "left")) return http_fail(req, 409, "conflict", NULL, "team.err.already");
    if (!holds_qualification(req, vid, t.qual)) return http_fail(req, 409, "conflict", NULL, "team.err.qualification");
    const char *outcome;
    if (t.approval) {
        outcome = "pending";
    } else {
        int got = seat_take(req, id);
        if (got < 0) return http_fail_internal(req, "join");
        outcome = got ? "member" : "waitlist";
    }
    if (member_put(req, id, vid, outcome, true) < 0) return http_fail_internal(req, "join");
    http_audit_target(req, "team", id, json_pack("{s:I, s:s}", "volunteer_id", (json_int_t)vid, "state", outcome));
    return team_reply(req, 201, id, outcome);
}

/* POST /teams/{id}/leave */
static int team_leave(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t vid = vol_own(req, NULL);
    if (vid <= 0) return vid < 0 ? http_fail_internal(req, "volunteer") : http_fail_not_found(req);
    const char *cur = member_state(req, id, vid);
    if (!cur || !strcmp(cur, "left")) return http_fail_not_found(req);
    if (!strcmp(cur, "member") && store_run(req->conn, NULL, "UPDATE teams SET members = members - 1 WHERE id = $1 AND "
                                            "members > 0", "i", id) != STORE_DONE)
        return http_fail_internal(req, "leave");
    if (member_put(req, id, vid, "left", false) < 0) return http_fail_internal(req, "leave");
    http_audit_target(req, "team", id, json_pack("{s:I, s:s}", "volunteer_id", (json_int_t)vid, "state", "left"));
    return team_reply(req, 200, id, "left");
}

/* POST /teams/{id}/members/{volunteer} {action: add|approve|promote|decline|remove}:
 * the team's leader or committee staff. */
static int team_member_action(http_req *req)
{
    int64_t id, vid;
    team_row t;
    const char *action;
    if (!http_param_id(req, "id", &id) || !http_param_id(req, "volunteer", &vid)) return -1;
    if (!http_body_str(req, "action", 3, 10, &action)) return -1;
    int f = team_load(req, id, &t);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "team") : http_fail_not_found(req);
    if (!vol_is_staff(req) && !team_led_by_actor(req, id)) return http_fail(req, 403, "forbidden", NULL,
        "team.err.not_leader");
    const char *cur = member_state(req, id, vid);
    bool add = !strcmp(action, "add"), approve = !strcmp(action, "approve"), promote = !strcmp(action, "promote");
    bool decline = !strcmp(action, "decline"), remove = !strcmp(action, "remove");
    if (!add && !approve && !promote && !decline && !remove) return http_fail_field(req, "action", "team.err.action");
    if (add && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2 AND "
                                "state IN ('approved', 'active')", "ii", vid, req->actor.community_id))
        return http_fail_not_found(req);
    bool fits = (add && (!cur || !strcmp(cur, "left"))) || (approve && cur && !strcmp(cur, "pending")) ||
                (promote && cur && !strcmp(cur, "waitlist")) ||
                (decline && cur && (!strcmp(cur, "pending") || !strcmp(cur, "waitlist"))) ||
                (remove && cur && !strcmp(cur, "member"));
    if (!fits) return http_fail(req, 409, "conflict", "action", "team.err.state");
    if ((add || approve || promote) && !holds_qualification(req, vid, t.qual))
        return http_fail(req, 409, "conflict", "action", "team.err.qualification");
    const char *to = decline || remove ? "left" : "member";
    if (!strcmp(to, "member")) {
        int got = seat_take(req, id);
        if (got < 0) return http_fail_internal(req, "team seat");
        if (!got && promote) return http_fail(req, 409, "full", NULL, "team.err.full");
        if (!got) to = "waitlist";   /* approved or added past the cap: first in line after those waiting */
    } else if (remove && store_run(req->conn, NULL,
        "UPDATE teams SET members = members - 1 WHERE id = $1 AND members > 0",
                                   "i", id) != STORE_DONE) {
        return http_fail_internal(req, "team seat");
    }
    if (member_put(req, id, vid, to, add || approve) < 0) return http_fail_internal(req, "team member");
    http_audit_target(req, "team", id, json_pack("{s:I, s:s, s:s}", "volunteer_id", (json_int_t)vid, "action", action,
                                                 "state", to));
    return team_reply(req, 200, id, to);
}

const http_route team_routes[] = {
    {"GET", "/api/v1/teams", NULL, teams_list, VOL_LEADERS | ROLE_VOLUNTEER, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/teams", NULL, team_create, VOL_STAFF, ROUTE_WRITE, 2048, "team.create"},
    {"GET", "/api/v1/teams/{id}", NULL, team_get, VOL_LEADERS | ROLE_VOLUNTEER, 0, 0, NULL},
    {"PATCH", "/api/v1/teams/{id}", NULL, team_update, VOL_STAFF, ROUTE_WRITE, 2048, "team.update"},
    {"POST", "/api/v1/teams/{id}/join", NULL, team_join, ROLE_VOLUNTEER, ROUTE_WRITE, 256, "team.join"},
    {"POST", "/api/v1/teams/{id}/leave", NULL, team_leave, ROLE_VOLUNTEER, ROUTE_WRITE, 256, "team.leave"},
    {"POST", "/api/v1/teams/{id}/members/{volunteer}", NULL, team_member_action, VOL_STAFF | ROLE_VOLUNTEER,
        ROUTE_WRITE,
     256, "team.member"},
    {0},
};

const i18n_entry team_messages[] = {
    {"team.list.teams", "志愿队", "Teams"},
    {"team.col.leader", "队长", "Leader"},
    {"team.col.members", "队员", "Members"},
    {"team.col.cap", "人数上限", "Cap"},
    {"team.err.kind", "队伍类型只能是 commando、sampling、party_duty、patrol、delivery、gate 或 other",
     "Kind must be commando, sampling, party_duty, patrol, delivery, gate or other"},
    {"team.err.boolean", "应为 true 或 false", "Must be true or false"},
    {"team.err.cap_below", "上限不能低于现有队员人数", "The cap cannot be below the members the team has"},
    {"team.err.already", "您已在这个队里，或已在等候", "You are in this team already, or waiting"},
    {"team.err.qualification", "加入这个队需要相应资质（如防护服培训），尚未登记或已过期",
     "This team needs a qualification (such as protective-suit training) not on record or expired"},
    {"team.err.not_leader", "只有队长或居委干部可以这样做", "Only the team's leader or committee staff may do this"},
    {"team.err.action", "操作只能是 add、approve、promote、decline 或 remove",
     "Action must be add, approve, promote, decline or remove"},
    {"team.err.state", "此人当前的状态不能这样操作", "Not possible in this person's current state"},
    {"team.err.full", "队伍已满员，不能再补人", "The team is full"},
    {"team.ok.member", "已加入队伍", "In the team"},
    {"team.ok.waitlist", "队伍已满，已排入候补，队长会按顺序补人", "The team is full; you are on its waitlist, in order"},
    {"team.ok.pending", "已申请，等待队长审核", "Asked; the leader will decide"},
    {"team.ok.left", "已退出队伍", "Out of the team"},
    {0, 0, 0},
};
