/* care_write.c — point-to-point care, the writing side: a leader assigns, changes or ends
 * a resident's carer; the carer (or a leader of the resident's scope) records a call or
 * a visit, and "needs something" may become a help request in the same write. Every
 * route here is a ROUTE_WRITE job: audited, idempotent, one transaction. */
#include "care_int.h"
#include "../notify.h"
#include "../help/help_int.h"
#include "../../core/clock.h"
#include <string.h>

/* How far back a check-in may be recorded (a call made yesterday, written down today). */
#define CARE_BACKDATE_US (7 * 86400LL * 1000000)

static bool care_body_id(http_req *req, const char *field, int64_t *out)
{
    bool has = false;
    if (!http_body_int_opt(req, field, 1, INT64_MAX, out, &has)) return false;
    if (!has) return http_fail_field(req, field, "err.required"), false;
    return true;
}

/* start_date: "YYYY-MM-DD", default the community's today. */
static bool care_body_date(http_req *req, const char *field, char out[11], bool *given)
{
    const char *s = NULL;
    if (given) *given = false;
    if (!http_body_str_opt(req, field, 1, 16, &s)) return false;
    if (!s) {
        care_days d;
        care_days_at(care_tz(req), clock_now_us(), &d);
        memcpy(out, d.today, 11);
        return true;
    }
    if (!clock_parse_date(s, NULL, NULL, NULL)) return http_fail_field(req, field, "care.err.date"), false;
    memcpy(out, s, 10);
    out[10] = 0;
    if (given) *given = true;
    return true;
}

/* The resident when vulnerable, living here and in the leader's scope: 0 when not. */
static int64_t care_leader_resident(http_req *req, int64_t resident_id, const char **name)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT r.id, r.name FROM residents r JOIN households h ON h.id = r.household_id "
                  "JOIN blocks b ON b.id = h.block_id WHERE r.id = $3 AND r.community_id = $1 AND "
                  "r.moved_out_at IS NULL AND " CARE_VULNERABLE " AND " SCOPE_HOUSEHOLD, "iii",
                  req->actor.community_id, req->actor.user_id, resident_id) != STORE_ROW)
        return 0;
    if (name) *name = arena_strdup(req->a, store_col_text(st, 1));
    store_done(st);
    return resident_id;
}

static json_t *care_assignment_json(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT a.id, a.resident_id, a.carer_user_id, u.display_name, a.rhythm, "
                  "a.start_date, a.note, a.ended_at, a.end_reason FROM care_assignments a JOIN users u ON u.id = "
                  "a.carer_user_id WHERE a.id = $1 AND a.community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_ROW)
        return NULL;
    const char *rhythm = store_col_text(st, 4);
    json_t *a = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s?}", "id", (json_int_t)id,
                          "resident_id", (json_int_t)store_col_int(st, 1), "carer_user_id",
                          (json_int_t)store_col_int(st, 2), "carer_name", store_col_text(st, 3), "rhythm", rhythm,
                          "rhythm_text", i18n_text(req->lang, arena_printf(req->a, "care.rhythm.%s", rhythm)),
                          "start_date", store_col_text(st, 5), "note", store_col_text(st, 6), "ended",
                          !store_col_null(st, 7), "end_reason", store_col_text(st, 8));
    store_done(st);
    return a;
}

/* ---------------------------------------------------------------- assignments */

/* POST /care/assignments {resident_id, carer_user_id, rhythm, start_date?, note?} — names
 * the resident's carer; an open assignment of the resident is ended as "changed". */
static int care_assign(http_req *req)
{
    int64_t resident_id, carer;
    const char *rhythm, *note = "", *name = NULL;
    char start[11];
    if (!care_body_id(req, "resident_id", &resident_id)) return -1;
    if (!care_body_id(req, "carer_user_id", &carer)) return -1;
    if (!http_body_str(req, "rhythm", 1, 32, &rhythm)) return -1;
    if (!care_word_in(rhythm, care_rhythms)) return http_fail_field(req, "rhythm", "care.err.rhythm");
    if (!care_body_date(req, "start_date", start, NULL)) return -1;
    if (!http_body_str_opt(req, "note", 0, 500, &note)) return -1;
    int64_t c = req->actor.community_id, now = clock_now_us();
    if (!care_leader_resident(req, resident_id, &name)) return http_fail_field(req, "resident_id", "care.err.resident");
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM users u WHERE u.id = $2 AND u.community_id = $1 AND "
                         "u.disabled = 0 AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = u.id AND "
                         "ra.community_id = $1 AND ra.role IN ('volunteer', 'committee', 'zone_leader', "
                         "'block_leader'))", "ii", c, carer))
        return http_fail_field(req, "carer_user_id", "care.err.carer");
    int64_t replaced = store_query_int(req->conn, 0, "SELECT id FROM care_assignments WHERE community_id = $1 AND "
                                       "resident_id = $2 AND ended_at IS NULL", "ii", c, resident_id);
    if (replaced && store_run(req->conn, NULL, "UPDATE care_assignments SET ended_at = $2, ended_by = $3, "
                              "end_reason = 'changed', updated_at = $2 WHERE id = $1", "iii", replaced, now,
                              req->actor.user_id) != STORE_DONE)
        return http_fail_internal(req, "care end");
    store_stmt *st;
    if (store_run(req->conn, &st, "INSERT INTO care_assignments (community_id, resident_id, carer_user_id, rhythm, "
                  "start_date, note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
                  "RETURNING id", "iiitttii", c, resident_id, carer, rhythm, start, note, req->actor.user_id,
                  now) != STORE_ROW)
        return http_fail_internal(req, "care insert");
    int64_t id = store_col_int(st, 0);
    store_done(st);
    char link[48];
    snprintf(link, sizeof link, "/care/residents/%lld", (long long)resident_id);
    json_t *params = json_pack("{s:s}", "name", name);
    int rc = notify_user(req->conn, c, carer, "care_assigned", params, link);
    json_decref(params);
    if (rc < 0) return http_fail_internal(req, "care notify");
    http_audit_target(req, "care_assignment", id, json_pack("{s:I, s:I, s:s, s:I}", "resident_id",
                                                            (json_int_t)resident_id, "carer_user_id",
                                                            (json_int_t)carer, "rhythm", rhythm, "replaced",
                                                            (json_int_t)replaced));
    return http_reply(req, 201, json_pack("{s:o}", "assignment", care_assignment_json(req, id)));
}

/* The open assignment of the path in the leader's scope; 0 with 404 set otherwise. */
static int64_t care_path_assignment(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return 0;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM care_assignments a JOIN residents r ON r.id = "
                         "a.resident_id JOIN households h ON h.id = r.household_id JOIN blocks b ON b.id = "
                         "h.block_id WHERE a.id = $3 AND a.community_id = $1 AND a.ended_at IS NULL AND "
                         SCOPE_HOUSEHOLD, "iii", req->actor.community_id, req->actor.user_id, id))
        return http_fail_not_found(req), 0;
    return id;
}

/* PATCH /care/assignments/{id} {rhythm?, start_date?, note?} */
static int care_patch(http_req *req)
{
    int64_t id = care_path_assignment(req);
    if (!id) return -1;
    const char *rhythm = NULL, *note = NULL;
    char start[11];
    bool has_start;
    if (!http_body_str_opt(req, "rhythm", 1, 32, &rhythm)) return -1;
    if (rhythm && !care_word_in(rhythm, care_rhythms)) return http_fail_field(req, "rhythm", "care.err.rhythm");
    if (!care_body_date(req, "start_date", start, &has_start)) return -1;
    if (!http_body_str_opt(req, "note", 0, 500, &note)) return -1;
    if (!rhythm && !has_start && !note) return http_fail_field(req, "rhythm", "err.required");
    /* COALESCE keeps what the body leaves out; each parameter is typed by its column. */
    if (store_run(req->conn, NULL, "UPDATE care_assignments SET rhythm = COALESCE($2, rhythm), start_date = "
                  "COALESCE($3, start_date), note = COALESCE($4, note), updated_at = $5 WHERE id = $1",
                  "ittti", id, rhythm, has_start ? start : NULL, note, clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, "care patch");
    json_t *fields = json_array();
    if (rhythm) json_array_append_new(fields, json_string("rhythm"));
    if (has_start) json_array_append_new(fields, json_string("start_date"));
    if (note) json_array_append_new(fields, json_string("note"));
    http_audit_target(req, "care_assignment", id, json_pack("{s:o}", "fields", fields));
    return http_reply(req, 200, json_pack("{s:o}", "assignment", care_assignment_json(req, id)));
}

/* POST /care/assignments/{id}/end — nobody looks after the resident from now on (they
 * appear again among those who have nobody). */
static int care_end(http_req *req)
{
    int64_t id = care_path_assignment(req);
    if (!id) return -1;
    int64_t now = clock_now_us();
    if (store_run(req->conn, NULL, "UPDATE care_assignments SET ended_at = $2, ended_by = $3, end_reason = 'ended', "
                  "updated_at = $2 WHERE id = $1 AND ended_at IS NULL", "iii", id, now,
                  req->actor.user_id) != STORE_DONE)
        return http_fail_internal(req, "care end");
    http_audit_target(req, "care_assignment", id, NULL);
    return http_reply(req, 200, json_pack("{s:o}", "assignment", care_assignment_json(req, id)));
}

/* ---------------------------------------------------------------- check-ins */

typedef struct care_target {
    int64_t assignment, resident, household, block, zone;
    bool carer;               /* the caller is the carer (else a leader of the scope) */
} care_target;

/* The resident of the path with an open assignment, for its carer or a leader of their
 * scope; false with 404 set otherwise (also when nobody is assigned). */
static bool care_path_target(http_req *req, care_target *t)
{
    if (!http_param_id(req, "id", &t->resident)) return false;
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT a.id, h.id, b.id, b.zone_id, CASE WHEN a.carer_user_id = $2 THEN 1 "
                       "ELSE 0 END FROM care_assignments a JOIN residents r ON r.id = a.resident_id JOIN households h "
                       "ON h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE a.community_id = $1 AND "
                       "a.resident_id = $3 AND " CARE_ACTIVE " AND (a.carer_user_id = $2 OR (" SCOPE_HOUSEHOLD "))",
                       "iii", req->actor.community_id, req->actor.user_id, t->resident);
    if (rc != STORE_ROW) return http_fail_not_found(req), false;
    t->assignment = store_col_int(st, 0), t->household = store_col_int(st, 1), t->block = store_col_int(st, 2);
    t->zone = store_col_null(st, 3) ? 0 : store_col_int(st, 3);
    t->carer = store_col_int(st, 4) != 0;
    store_done(st);
    return true;
}

/* at: "YYYY-MM-DDTHH:MM:SSZ", within the last week and not ahead; default now. */
static bool care_body_at(http_req *req, int64_t now, int64_t *at)
{
    const char *s = NULL;
    *at = now;
    if (!http_body_str_opt(req, "at", 1, 32, &s)) return false;
    if (!s) return true;
    if (!clock_parse_utc(s, at)) return http_fail_field(req, "at", "care.err.at"), false;
    if (*at > now + 300LL * 1000000 || *at < now - CARE_BACKDATE_US)
        return http_fail_field(req, "at", "care.err.at_range"), false;
    return true;
}

typedef struct care_help {
    const char *kind, *urgency, *summary;
} care_help;

/* help: {kind, urgency, summary} — checked as POST /help-requests checks them, with the
 * field named "help.<name>". */
static bool care_body_help(http_req *req, care_help *h)
{
    json_t *o = json_object_get(req->json, "help");
    memset(h, 0, sizeof *h);
    if (!o || json_is_null(o)) return true;
    if (!json_is_object(o)) return http_fail_field(req, "help", "care.err.help"), false;
    static const struct { const char *name; size_t max; } fields[] = {{"kind", 32}, {"urgency", 16}, {"summary", 1000}};
    const char **out[] = {&h->kind, &h->urgency, &h->summary};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(o, fields[i].name);
        const char *field = arena_printf(req->a, "help.%s", fields[i].name);
        if (!v || json_is_null(v)) return http_fail_field(req, field, "err.required"), false;
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
            return http_fail_field(req, field, "err.not_string"), false;
        size_t n = json_string_length(v);
        if (n < 1 || n > fields[i].max) return http_fail_field(req, field, n ? "err.too_long" : "err.required"), false;
        *out[i] = json_string_value(v);
    }
    if (!help_word_in(h->kind, help_kinds)) return http_fail_field(req, "help.kind", "help.err.kind"), false;
    if (strcmp(h->urgency, "urgent") && strcmp(h->urgency, "normal"))
        return http_fail_field(req, "help.urgency", "help.err.urgency"), false;
    return true;
}

/* The help request of a "needs something" check-in, written as POST /help-requests
 * writes one on a resident's behalf: routed to the first level with someone to answer,
 * its deadline from the committee's limits, the timeline's first step, and the people
 * of that level told. The request's id, or 0 after a store error. */
static int64_t care_help_create(http_req *req, const care_target *t, const care_help *h, const char *channel)
{
    help_new n = {.household = t->household, .block = t->block, .zone = t->zone, .resident = t->resident,
                  .kind = h->kind, .urgency = h->urgency, .summary = h->summary, .channel = channel};
    return help_request_insert(req, &n);
}

/* POST /care/residents/{id}/checkins {kind, outcome, needs?, at?, help?} */
static int care_checkin(http_req *req)
{
    care_target t;
    if (!care_path_target(req, &t)) return -1;
    const char *kind, *outcome, *needs = "";
    int64_t now = clock_now_us(), at;
    care_help h;
    if (!http_body_str(req, "kind", 1, 16, &kind)) return -1;
    if (strcmp(kind, "call") && strcmp(kind, "visit")) return http_fail_field(req, "kind", "care.err.kind");
    if (!http_body_str(req, "outcome", 1, 16, &outcome)) return -1;
    if (!care_word_in(outcome, care_outcomes)) return http_fail_field(req, "outcome", "care.err.outcome");
    if (!http_body_str_opt(req, "needs", 0, 1000, &needs)) return -1;
    if (!care_body_at(req, now, &at)) return -1;
    if (!care_body_help(req, &h)) return -1;
    bool need = !strcmp(outcome, "needs");
    if (need && !*needs && !h.summary) return http_fail_field(req, "needs", "care.err.needs");
    if (h.kind && !need) return http_fail_field(req, "help", "care.err.help_outcome");
    if (!*needs && h.summary) needs = h.summary;

    int64_t help_id = 0;
    if (h.kind && !(help_id = care_help_create(req, &t, &h, !strcmp(kind, "call") ? "phone" : "on_behalf")))
        return http_fail_internal(req, "care help request");
    care_days d;
    care_days_at(care_tz(req), at, &d);
    store_stmt *st = store_prepare(req->conn, "INSERT INTO care_checkins (community_id, assignment_id, resident_id, "
                                   "at, on_day, kind, outcome, needs, help_request_id, recorded_by, as_leader, "
                                   "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                                   "RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, t.assignment);
    store_bind_int(st, 3, t.resident);
    store_bind_int(st, 4, at);
    store_bind_text(st, 5, d.today);
    store_bind_text(st, 6, kind);
    store_bind_text(st, 7, outcome);
    store_bind_text(st, 8, needs);
    if (help_id) store_bind_int(st, 9, help_id); else store_bind_null(st, 9);
    store_bind_int(st, 10, req->actor.user_id);
    store_bind_int(st, 11, !t.carer);
    store_bind_int(st, 12, now);
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "care checkin");
    /* A contact ends a lapse: the next one is flagged again. */
    if (strcmp(outcome, "not_reached") &&
        store_run(req->conn, NULL, "UPDATE care_assignments SET missed_flagged_at = NULL WHERE id = $1 AND "
                  "missed_flagged_at IS NOT NULL", "i", t.assignment) != STORE_DONE)
        return http_fail_internal(req, "care lapse");
    if (help_id) req->on_behalf_of = t.resident;
    json_t *detail = json_pack("{s:I, s:s, s:s, s:b}", "resident_id", (json_int_t)t.resident, "kind", kind,
                               "outcome", outcome, "as_leader", !t.carer);
    if (help_id) json_object_set_new(detail, "help_request_id", json_integer(help_id));
    http_audit_target(req, "care_checkin", id, detail);
    char when[32];
    clock_format_local(care_tz(req), at, when, sizeof when);
    json_t *k = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)id, "resident_id",
                          (json_int_t)t.resident, "at", when, "on_day", d.today, "kind", kind, "outcome", outcome,
                          "needs", needs, "as_leader", !t.carer);
    json_object_set_new(k, "help_request_id", help_id ? json_integer(help_id) : json_null());
    return http_reply(req, 201, json_pack("{s:o, s:o}", "checkin", k, "help_request_id",
                                          help_id ? json_integer(help_id) : json_null()));
}

const http_route care_write_routes[] = {
    {"POST", "/api/v1/care/assignments", NULL, care_assign, CARE_LEADERS, ROUTE_WRITE, 4096, "care.assign"},
    {"PATCH", "/api/v1/care/assignments/{id}", NULL, care_patch, CARE_LEADERS, ROUTE_WRITE, 4096, "care.change"},
    {"POST", "/api/v1/care/assignments/{id}/end", NULL, care_end, CARE_LEADERS, ROUTE_WRITE, 1024, "care.end"},
    {"POST", "/api/v1/care/residents/{id}/checkins", NULL, care_checkin, CARE_MEMBERS, ROUTE_WRITE, 8192,
     "care.checkin"},
    {0},
};

const i18n_entry care_write_messages[] = {
    {"care.err.rhythm", "联系频次只能是 daily_call、daily_visit、twice_weekly_visit 或 weekly_call",
     "Rhythm must be daily_call, daily_visit, twice_weekly_visit or weekly_call"},
    {"care.err.date", "日期格式应为 YYYY-MM-DD，且是真实存在的日期", "Must be a real date written YYYY-MM-DD"},
    {"care.err.resident", "在您负责的范围内找不到这位重点人群居民（或已迁出、已不属重点人群）",
     "No vulnerable resident of your scope with this id (or moved out, or no longer flagged)"},
    {"care.err.carer", "关爱人应为本社区在用的志愿者或楼组长、片区长、居委干部账号",
     "The carer must be an active volunteer or leader account of this community"},
    {"care.err.kind", "方式只能是 call（电话）或 visit（上门）", "Kind must be call or visit"},
    {"care.err.outcome", "结果只能是 fine（正常）、needs（有需求）或 not_reached（未联系上）",
     "Outcome must be fine, needs or not_reached"},
    {"care.err.needs", "请写下需要什么", "Say what is needed"},
    {"care.err.at", "时间格式应为 YYYY-MM-DDTHH:MM:SSZ", "Time must be written YYYY-MM-DDTHH:MM:SSZ"},
    {"care.err.at_range", "时间应在过去 7 天内，且不能晚于现在", "Time must be within the last 7 days and not ahead"},
    {"care.err.help", "求助应为对象：{kind, urgency, summary}", "Help must be an object {kind, urgency, summary}"},
    {"care.err.help_outcome", "只有结果为“有需求”时才能同时提出求助",
     "A help request goes only with the outcome needs"},
    {"notify.care_assigned", "您被安排为 {name} 的关爱人", "You are now the carer of {name}"},
    {"notify.care_missed", "{name} 已连续两次未被联系，请关注", "{name} has not been contacted twice running"},
    {0, 0, 0},
};
