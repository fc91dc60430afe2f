/* volunteers.c — the volunteer record (志愿者): applying, the profile, the committee's
 * approval and the states, qualifications and equipment. Tables in 018_volunteers.sql.
 *
 * Applying: a resident applies for themselves (the record links their account and,
 * when the account is linked to a resident record, that record); a block or zone
 * leader signs up a resident of their scope who has no smartphone (on_behalf, no
 * account); committee staff add anyone, an outsider too (sunk-down cadre, company
 * staff, student: with an organisation and a phone). States:
 *   applied -> approved (committee) -> active (committee, or the first check-in)
 *   approved/active <-> paused;  any -> left (with a reason);  left -> applied.
 * While approved, active or paused the account holds the volunteer role; leaving takes
 * it away and gives back the volunteer's future shifts and open claims, in one write. */
#include "volunteers_int.h"
#include "../accounts/accounts.h"
#include "../notify.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const vol_skills[] = {"medical", "driving", "languages", "it", "lifting", NULL};
const char *const vol_qualifications[] = {"protective_suit", "first_aid", "driving_licence", NULL};
const char *const vol_service_kinds[] = {"gate", "parcels", "sampling", "care", "delivery", "patrol", "other", NULL};
static const char *const vol_kinds[] = {"resident", "cadre", "company", "student", "other", NULL};
static const char *const vol_health[] = {"healthy", "limited", "unwell", NULL};
static const char *const vol_post_kinds[] = {"gate", "sorting", "sampling", "patrol", "other", NULL};
static const char *const vol_states[] = {"applied", "approved", "active", "paused", "left", NULL};

bool vol_word_in(const char *word, const char *const *list)
{
    for (int i = 0; word && list[i]; i++)
        if (!strcmp(word, list[i])) return true;
    return false;
}

bool vol_is_staff(http_req *req) { return actor_has(&req->actor, VOL_STAFF); }

void vol_scope_bind(http_req *req, store_stmt *st)
{
    scope_bind(req, st);
    store_bind_int(st, 3, vol_is_staff(req) ? 1 : 0);
}

int vol_notify(http_req *req, int64_t volunteer_id, const char *kind, json_t *params, const char *link)
{
    int64_t user = store_query_int(req->conn, 0, "SELECT user_id FROM volunteers WHERE id = $1 AND community_id = $2",
                                   "ii", volunteer_id, req->actor.community_id);
    int rc = user ? notify_user(req->conn, req->actor.community_id, user, kind, params, link) : 0;
    json_decref(params);
    return rc;
}

int vol_reply_raw(http_req *req, buf *b, const char *type)
{
    size_t len;
    char *bytes = buf_take(b, &len);
    req->out_raw = arena_strndup(req->a, bytes ? bytes : "", bytes ? len : 0);
    req->out_raw_len = bytes ? len : 0;
    free(bytes);
    req->out_type = type;
    req->status = 200;
    return 0;
}

bool vol_state_serves(const char *state)
{
    return state && (!strcmp(state, "approved") || !strcmp(state, "active"));
}

int64_t vol_own(http_req *req, const char **state)
{
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT id, state FROM volunteers WHERE community_id = $1 AND user_id = $2",
                       "ii", req->actor.community_id, req->actor.user_id);
    if (rc == STORE_DONE) return 0;
    if (rc != STORE_ROW) return -1;
    int64_t id = store_col_int(st, 0);
    if (state) *state = arena_strdup(req->a, store_col_text(st, 1));
    store_done(st);
    return id;
}

static const char *community_tz(http_req *req)
{
    const char *tz = req->actor.community_timezone;
    return tz && *tz ? tz : "Asia/Shanghai";
}

const char *vol_local_day(http_req *req, int64_t us)
{
    char day[16];
    if (clock_local_date(community_tz(req), us, day, sizeof day) < 0) return "";
    return arena_strdup(req->a, day);
}

const char *vol_local_time(http_req *req, int64_t us)
{
    int64_t secs = us / 1000000;
    time_t t = (time_t)(secs + clock_tz_offset(community_tz(req), secs));
    struct tm tm;
    char when[32];
    if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm)) return "";
    return arena_strdup(req->a, when);
}

/* The zone's offset is taken at noon of that day: a community's clock does not jump
 * within the hours of a shift (China keeps no summer time; elsewhere a shift across the
 * change is off by the hour for that one night). */
int64_t vol_local_instant(http_req *req, int64_t day, int minutes)
{
    int64_t noon = day * 86400 + 12 * 3600;
    int64_t offset = clock_tz_offset(community_tz(req), noon);
    return (day * 86400 + (int64_t)minutes * 60 - offset) * 1000000;
}

json_t *vol_time_json(int64_t us)
{
    char when[32];
    clock_format_utc(us, when, sizeof when);
    return json_string(when);
}

/* ---------------------------------------------------------------- reading */

#define VOL_SELECT \
    "SELECT v.id, v.name, v.phone, v.kind, v.organisation, v.skills, v.availability, v.zone_id, z.name, " \
    "v.health, v.state, v.left_reason, v.resident_id, h.room, v.user_id, v.on_behalf, v.note, v.created_at, " \
    "(SELECT COALESCE(SUM(x.minutes), 0) FROM volunteer_hours x WHERE x.community_id = v.community_id " \
    "AND x.volunteer_id = v.id AND x.state = 'verified'), " \
    "(SELECT COALESCE(SUM(l.points), 0) FROM ledger_entries l WHERE l.community_id = v.community_id " \
    "AND l.account = 'volunteer' AND l.volunteer_id = v.id), " \
    "(SELECT COUNT(*) FROM shift_assignments ns WHERE ns.community_id = v.community_id AND ns.volunteer_id = v.id " \
    "AND ns.no_show = 1), v.preferred_posts " \
    "FROM volunteers v LEFT JOIN zones z ON z.id = v.zone_id LEFT JOIN residents rr ON rr.id = v.resident_id " \
    "LEFT JOIN households h ON h.id = rr.household_id WHERE " VOL_SCOPE

static json_t *skills_json(const char *stored)
{
    json_t *out = json_array();
    char buf[256];
    snprintf(buf, sizeof buf, "%s", stored ? stored : "");
    char *save = NULL;
    for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) json_array_append_new(out,
        json_string(s));
    return out;
}

static json_t *volunteer_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    json_t *v = json_pack("{s:I, s:s, s:s?, s:s, s:s?, s:o, s:s, s:s, s:s?, s:s?, s:b, s:s?, s:I, s:I}",
        "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1), "phone", store_col_text(st, 2),
        "kind", store_col_text(st, 3), "organisation", store_col_text(st, 4),
        "skills", skills_json(store_col_text(st, 5)), "health", store_col_text(st, 9),
        "state", store_col_text(st, 10), "left_reason", store_col_text(st, 11), "room", store_col_text(st, 13),
        "on_behalf", (int)store_col_int(st, 15), "note", store_col_text(st, 16),
        "verified_minutes", (json_int_t)store_col_int(st, 18), "points", (json_int_t)store_col_int(st, 19));
    json_t *avail = json_loads(store_col_text(st, 6), 0, NULL);
    json_object_set_new(v, "availability", avail ? avail : json_array());
    json_object_set_new(v, "zone_id", store_col_null(st, 7) ? json_null() : json_integer(store_col_int(st, 7)));
    json_object_set_new(v, "zone_name", store_col_null(st, 8) ? json_null() : json_string(store_col_text(st, 8)));
    json_object_set_new(v, "resident_id", store_col_null(st, 12) ? json_null() : json_integer(store_col_int(st, 12)));
    json_object_set_new(v, "user_id", store_col_null(st, 14) ? json_null() : json_integer(store_col_int(st, 14)));
    json_object_set_new(v, "no_shows", json_integer(store_col_int(st, 20)));
    json_object_set_new(v, "preferred_posts", skills_json(store_col_text(st, 21)));
    json_object_set_new(v, "hours", json_real((double)(store_col_int(st, 18) * 10 / 60) / 10.0));
    char skills_text[256];
    snprintf(skills_text, sizeof skills_text, "%s", store_col_text(st, 5) ? store_col_text(st, 5) : "");
    json_object_set_new(v, "skills_text", json_string(skills_text));
    return v;
}

/* Qualifications and equipment of one volunteer, added to its JSON. */
static void volunteer_details(http_req *req, json_t *v, int64_t id)
{
    json_t *quals = json_array(), *equipment = json_array();
    const char *today = vol_local_day(req, clock_now_us());
    store_stmt *st = store_prepare(req->conn, "SELECT qualification, expires_on FROM volunteer_qualifications "
                                              "WHERE community_id = $1 AND volunteer_id = $2 ORDER BY qualification");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        while (store_step(st) == STORE_ROW) {
            const char *exp = store_col_text(st, 1);
            json_array_append_new(quals, json_pack("{s:s, s:s?, s:b}", "qualification", store_col_text(st, 0),
                                                   "expires_on", exp, "valid", !exp || strcmp(exp, today) >= 0));
        }
        store_done(st);
    }
    st = store_prepare(req->conn, "SELECT item, quantity, issued_at FROM volunteer_equipment "
                                  "WHERE community_id = $1 AND volunteer_id = $2 ORDER BY id");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        while (store_step(st) == STORE_ROW)
            json_array_append_new(equipment, json_pack("{s:s, s:I, s:o}", "item", store_col_text(st, 0), "quantity",
                                                       (json_int_t)store_col_int(st, 1), "issued_at",
                                                       vol_time_json(store_col_int(st, 2))));
        store_done(st);
    }
    json_object_set_new(v, "qualifications", quals);
    json_object_set_new(v, "equipment", equipment);
}

/* The volunteer {id} as the actor may see it, with details; NULL with 404/500 set. */
static json_t *volunteer_read(http_req *req, int64_t id)
{
    store_stmt *st = store_prepare(req->conn, VOL_SELECT " AND v.id = $4");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn)), NULL;
    vol_scope_bind(req, st);
    store_bind_int(st, 4, id);
    int rc = store_step(st);
    json_t *v = rc == STORE_ROW ? volunteer_item(st, NULL) : NULL;
    store_done(st);
    if (!v) return rc == STORE_DONE ? (http_fail_not_found(req), NULL) : (http_fail_internal(req, "volunteer"), NULL);
    volunteer_details(req, v, id);
    return v;
}

static int volunteer_reply(http_req *req, int status, int64_t id)
{
    json_t *v = volunteer_read(req, id);
    if (!v) return -1;
    return http_reply(req, status, json_pack("{s:o}", "volunteer", v));
}

static int volunteer_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    return volunteer_reply(req, 200, id);
}

/* GET /volunteers/me: the own record (404 when the account never applied). */
static int volunteer_me(http_req *req)
{
    int64_t id = vol_own(req, NULL);
    if (id < 0) return http_fail_internal(req, "volunteer me");
    if (!id) return http_fail(req, 404, "not_found", NULL, "vol.err.not_volunteer");
    return volunteer_reply(req, 200, id);
}

static const list_column volunteer_columns[] = {
    {"id", "col.id"}, {"name", "col.name"}, {"phone", "vol.col.phone"}, {"kind", "vol.col.kind"},
    {"organisation", "vol.col.organisation"}, {"room", "vol.col.room"}, {"zone_name", "vol.col.zone"},
    {"skills_text", "vol.col.skills"}, {"health", "vol.col.health"}, {"state", "vol.col.state"},
    {"hours", "vol.col.hours"}, {"points", "vol.col.points"}, {"no_shows", "vol.col.no_shows"}, {0, 0},
};

/* GET /volunteers?state=&skill=&zone_id=&kind=&q= : filtered, paginated, exportable. */
static int volunteers_list(http_req *req)
{
    const char *state = http_query(req, "state"), *skill = http_query(req, "skill"), *kind = http_query(req, "kind");
    const char *q = http_query(req, "q"), *zone = http_query(req, "zone_id");
    int64_t zone_id = 0;
    if (state && *state && !vol_word_in(state, vol_states)) return http_fail_field(req, "state", "vol.err.state");
    if (skill && *skill && !vol_word_in(skill, vol_skills)) return http_fail_field(req, "skill", "vol.err.skill");
    if (kind && *kind && !vol_word_in(kind, vol_kinds)) return http_fail_field(req, "kind", "vol.err.kind");
    if (zone && *zone && (!str_is_int(zone, &zone_id) || zone_id < 1)) return http_fail_field(req, "zone_id",
        "err.not_integer");
    if (q && utf8_chars(q) > 64) return http_fail_field(req, "q", "err.too_long");
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, VOL_SELECT
        " AND ($4 = '' OR v.state = $4) AND ($5 = '' OR (',' || v.skills || ',') LIKE ('%,' || $5 || ',%')) "
        "AND ($6 = 0 OR v.zone_id = $6) AND ($7 = '' OR v.kind = $7) "
        "AND ($8 = '' OR v.name LIKE ('%' || $8 || '%') OR v.phone LIKE ('%' || $8)) "
        "AND v.id > $9 ORDER BY v.id LIMIT $10");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    vol_scope_bind(req, st);
    store_bind_text(st, 4, state ? state : "");
    store_bind_text(st, 5, skill ? skill : "");
    store_bind_int(st, 6, zone_id);
    store_bind_text(st, 7, kind ? kind : "");
    store_bind_text(st, 8, q ? q : "");
    store_bind_int(st, 9, http_list_cursor(req));
    store_bind_int(st, 10, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, volunteer_item, NULL, &next_after);
    return http_reply_list(req, "vol.list.volunteers", volunteer_columns, items, next_after);
}

/* ---------------------------------------------------------------- the profile fields */

typedef struct profile {
    const char *name, *phone, *kind, *organisation, *health, *note;
    char *skills, *availability;   /* stored forms, or NULL: unchanged */
    char *preferred_posts;         /* stored form, or NULL: unchanged */
    int64_t zone_id;
    bool has_zone;
} profile;

/* "HH:MM" into minutes of the day; -1 when malformed. 24:00 is allowed as an end. */
static int hhmm(const char *s)
{
    int h, m;
    char tail;
    if (!s || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || strlen(s) != 5) return -1;
    if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m)) return -1;
    return h * 60 + m;
}

static bool skills_parse(http_req *req, profile *p)
{
    json_t *a = json_object_get(req->json, "skills");
    if (!a) return true;
    if (!json_is_array(a)) return http_fail_field(req, "skills", "vol.err.skill"), false;
    char out[256] = "";
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        const char *s = json_string_value(x);
        if (!vol_word_in(s, vol_skills))
            return http_fail_field(req, arena_printf(req->a, "skills[%zu]", i), "vol.err.skill"), false;
        if (strstr(out, s)) continue;
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", *out ? "," : "", s);
    }
    p->skills = arena_strdup(req->a, out);
    return true;
}

/* preferred_posts: ["gate", "sampling"] — the kinds of post the volunteer prefers. */
static bool posts_parse(http_req *req, profile *p)
{
    json_t *a = json_object_get(req->json, "preferred_posts");
    if (!a) return true;
    if (!json_is_array(a) || json_array_size(a) > 5) return http_fail_field(req, "preferred_posts", "vol.err.posts"),
        false;
    char out[64] = "";
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        const char *s = json_string_value(x);
        if (!vol_word_in(s, vol_post_kinds))
            return http_fail_field(req, arena_printf(req->a, "preferred_posts[%zu]", i), "vol.err.posts"), false;
        if (strstr(out, s)) continue;
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", *out ? "," : "", s);
    }
    p->preferred_posts = arena_strdup(req->a, out);
    return true;
}

/* availability: [{"weekday": 1..7 (Monday 1), "from": "08:00", "to": "20:00"}] */
static bool availability_parse(http_req *req, profile *p)
{
    json_t *a = json_object_get(req->json, "availability");
    if (!a) return true;
    if (!json_is_array(a) || json_array_size(a) > 21) return http_fail_field(req, "availability",
        "vol.err.availability"), false;
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        json_int_t wd = json_integer_value(json_object_get(x, "weekday"));
        int from = hhmm(json_string_value(json_object_get(x, "from")));
        int to = hhmm(json_string_value(json_object_get(x, "to")));
        if (wd < 1 || wd > 7 || from < 0 || to <= from || json_object_size(x) != 3)
            return http_fail_field(req, arena_printf(req->a, "availability[%zu]", i), "vol.err.availability"), false;
    }
    char *text = json_dumps(a, JSON_COMPACT);
    p->availability = arena_strdup(req->a, text);
    free(text);
    return true;
}

/* Reads the profile fields present in the body; false with the 400 naming the field. */
static bool profile_parse(http_req *req, profile *p)
{
    memset(p, 0, sizeof *p);
    if (!http_body_str_opt(req, "name", 1, 64, &p->name)) return false;
    if (p->name && validate_text(p->name, 1, 64)) return http_fail_field(req, "name", validate_text(p->name, 1, 64)),
        false;
    if (!http_body_str_opt(req, "phone", 1, 32, &p->phone)) return false;
    if (p->phone && validate_phone(p->phone)) return http_fail_field(req, "phone", validate_phone(p->phone)), false;
    if (!http_body_str_opt(req, "kind", 1, 16, &p->kind)) return false;
    if (p->kind && !vol_word_in(p->kind, vol_kinds)) return http_fail_field(req, "kind", "vol.err.kind"), false;
    if (!http_body_str_opt(req, "organisation", 0, 100, &p->organisation)) return false;
    if (!http_body_str_opt(req, "health", 1, 16, &p->health)) return false;
    if (p->health && !vol_word_in(p->health, vol_health)) return http_fail_field(req, "health", "vol.err.health"),
        false;
    if (!http_body_str_opt(req, "note", 0, 500, &p->note)) return false;
    if (!skills_parse(req, p) || !availability_parse(req, p) || !posts_parse(req, p)) return false;
    json_t *z = json_object_get(req->json, "zone_id");
    if (z) {
        p->has_zone = true;
        if (!json_is_null(z)) {
            if (!json_is_integer(z) || json_integer_value(z) < 1) return http_fail_field(req, "zone_id",
                "err.not_integer"), false;
            p->zone_id = json_integer_value(z);
            if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2", "ii",
                                 p->zone_id, req->actor.community_id))
                return http_fail_field(req, "zone_id", "vol.err.zone"), false;
        }
    }
    return true;
}

/* ---------------------------------------------------------------- applying */

/* The resident record linked to the actor's account, or 0. */
static int64_t own_resident(http_req *req)
{
    return store_query_int(req->conn, 0, "SELECT ac.resident_id FROM resident_accounts ac JOIN residents r "
                           "ON r.id = ac.resident_id WHERE ac.user_id = $1 AND r.community_id = $2 "
                           "AND r.moved_out_at IS NULL", "ii", req->actor.user_id, req->actor.community_id);
}

/* Fills name and phone from the resident record where the body left them out. */
static bool resident_defaults(http_req *req, int64_t resident_id, profile *p)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT r.name, r.phone, b.zone_id FROM residents r JOIN households h ON "
                  "h.id = r.household_id JOIN blocks b ON b.id = h.block_id WHERE r.id = $1 AND r.community_id = $2",
                  "ii", resident_id, req->actor.community_id) != STORE_ROW)
        return http_fail_field(req, "resident_id", "vol.err.resident"), false;
    if (!p->name) p->name = arena_strdup(req->a, store_col_text(st, 0));
    if (!p->phone) p->phone = arena_strdup(req->a, store_col_text(st, 1));
    if (!p->has_zone && !store_col_null(st, 2)) p->zone_id = store_col_int(st, 2), p->has_zone = true;
    store_done(st);
    return true;
}

/* Who the new record is for: the actor themself, a resident signed up on their behalf,
 * or (committee staff) an outsider. Sets user, resident and on_behalf; false with the
 * error set. */
static bool applicant(http_req *req, profile *p, int64_t *user_id, int64_t *resident_id, bool *on_behalf)
{
    int64_t rid = 0;
    bool has_rid = false;
    if (!http_body_int_opt(req, "resident_id", 1, INT64_MAX, &rid, &has_rid)) return false;
    bool leader = actor_has(&req->actor, VOL_LEADERS);
    *user_id = 0, *resident_id = 0, *on_behalf = false;
    if (has_rid) {
        if (!leader) return http_fail(req, 403, "forbidden", "resident_id", "err.forbidden"), false;
        if (!scope_has(req, "SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id "
                            "JOIN blocks b ON b.id = h.block_id WHERE r.id = $3 AND r.moved_out_at IS NULL AND "
                            SCOPE_HOUSEHOLD, rid))
            return http_fail_field(req, "resident_id", "vol.err.resident"), false;
        *resident_id = rid;
        *on_behalf = true;
        if (!p->kind) p->kind = "resident";
        return resident_defaults(req, rid, p);
    }
    if (p->kind && strcmp(p->kind, "resident") && json_is_true(json_object_get(req->json, "outsider"))) {
        if (!vol_is_staff(req)) return http_fail(req, 403, "forbidden", "outsider", "err.forbidden"), false;
        if (!p->name) return http_fail_field(req, "name", "err.required"), false;
        if (!p->phone) return http_fail_field(req, "phone", "err.required"), false;
        if (!p->organisation || !*p->organisation) return http_fail_field(req, "organisation", "err.required"), false;
        return true;
    }
    /* For oneself: once. */
    *user_id = req->actor.user_id;
    if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE community_id = $1 AND user_id = $2", "ii",
                        req->actor.community_id, *user_id))
        return http_fail(req, 409, "conflict", NULL, "vol.err.already"), false;
    int64_t own = own_resident(req);
    if (own) {
        *resident_id = own;
        if (!p->kind) p->kind = "resident";
        return resident_defaults(req, own, p);
    }
    if (!p->kind) p->kind = actor_has(&req->actor, ROLE_RESIDENT) ? "resident" : "other";
    if (!p->name) p->name = req->actor.display_name ? req->actor.display_name : "";
    if (!p->phone) return http_fail_field(req, "phone", "err.required"), false;
    return true;
}

/* POST /volunteers */
static int volunteer_apply(http_req *req)
{
    profile p;
    if (!profile_parse(req, &p)) return -1;
    /* The health declaration is part of every sign-up (an epidemic's first question). */
    if (!p.health) return http_fail_field(req, "health", "vol.err.health_required");
    int64_t user_id, resident_id;
    bool on_behalf;
    if (!applicant(req, &p, &user_id, &resident_id, &on_behalf)) return -1;
    if (user_id && store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM volunteers WHERE community_id = $1 AND user_id = $2",
                                   "ii", req->actor.community_id, user_id))
        return http_fail(req, 409, "conflict", NULL, "vol.err.already");
    if (resident_id && store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE community_id = $1 "
                                       "AND resident_id = $2", "ii", req->actor.community_id, resident_id))
        return http_fail(req, 409, "conflict", "resident_id", "vol.err.already");
    int64_t now = clock_now_us();
    store_stmt *st = store_prepare(req->conn,
        "INSERT INTO volunteers (community_id, user_id, resident_id, name, phone, kind, organisation, skills, "
        "availability, zone_id, health, state, note, signed_up_by, on_behalf, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'applied', $12, $13, $14, $15, $15) RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    if (user_id) store_bind_int(st, 2, user_id); else store_bind_null(st, 2);
    if (resident_id) store_bind_int(st, 3, resident_id); else store_bind_null(st, 3);
    store_bind_text(st, 4, p.name);
    store_bind_text(st, 5, p.phone);
    store_bind_text(st, 6, p.kind);
    store_bind_text(st, 7, p.organisation);
    store_bind_text(st, 8, p.skills ? p.skills : "");
    store_bind_text(st, 9, p.availability ? p.availability : "[]");
    if (p.zone_id) store_bind_int(st, 10, p.zone_id); else store_bind_null(st, 10);
    store_bind_text(st, 11, p.health ? p.health : "healthy");
    store_bind_text(st, 12, p.note);
    store_bind_int(st, 13, req->actor.user_id);
    store_bind_int(st, 14, on_behalf ? 1 : 0);
    store_bind_int(st, 15, now);
    int64_t id = 0;
    int rc = store_step(st);
    if (rc == STORE_ROW) id = store_col_int(st, 0);
    store_done(st);
    if (rc == STORE_CONSTRAINT) return http_fail(req, 409, "conflict", NULL, "vol.err.already");
    if (!id) return http_fail_internal(req, "volunteer insert");
    if (on_behalf) req->on_behalf_of = resident_id;
    http_audit_target(req, "volunteer", id, json_pack("{s:s, s:b}", "kind", p.kind, "on_behalf", on_behalf));
    return volunteer_reply(req, 201, id);
}

/* PATCH /volunteers/{id}: the volunteer edits their own profile; committee staff any. */
static int volunteer_update(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    bool own = store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2 "
                               "AND user_id = $3", "iii", id, req->actor.community_id, req->actor.user_id) > 0;
    bool signed_up = store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2 "
                                     "AND on_behalf = 1 AND signed_up_by = $3", "iii", id, req->actor.community_id,
                                     req->actor.user_id) > 0;
    if (!own && !signed_up && !vol_is_staff(req)) {
        json_t *seen = volunteer_read(req, id);   /* 404 when out of sight, else 403 */
        if (!seen) return -1;
        json_decref(seen);
        return http_fail(req, 403, "forbidden", NULL, "err.forbidden");
    }
    if (!own && !signed_up && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 "
                                               "AND community_id = $2", "ii", id, req->actor.community_id))
        return http_fail_not_found(req);
    profile p;
    if (!profile_parse(req, &p)) return -1;
    if (p.kind && !vol_is_staff(req)) return http_fail(req, 403, "forbidden", "kind", "err.forbidden");
    if (store_run(req->conn, NULL,
                  "UPDATE volunteers SET name = COALESCE($1, name), phone = COALESCE($2, phone), "
                  "kind = COALESCE($3, kind), organisation = COALESCE($4, organisation), "
                  "health = COALESCE($5, health), note = COALESCE($6, note), skills = COALESCE($7, skills), "
                  "availability = COALESCE($8, availability), preferred_posts = COALESCE($14, preferred_posts), "
                  "zone_id = CASE WHEN $9 = 1 THEN (CASE WHEN $10 = 0 THEN NULL ELSE $10 END) ELSE zone_id END, "
                  "updated_at = $11 WHERE id = $12 AND community_id = $13",
                  "tttttttiiiiiit", p.name, p.phone, p.kind, p.organisation, p.health, p.note, p.skills, p.availability,
                  (int64_t)p.has_zone, p.zone_id, clock_now_us(), id, req->actor.community_id,
                  p.preferred_posts) != STORE_DONE)
        return http_fail_internal(req, "volunteer update");
    json_t *fields = json_array();
    const char *keys[] = {"name", "phone", "kind", "organisation", "health", "note", "skills", "availability",
                          "zone_id", "preferred_posts"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        if (json_object_get(req->json, keys[k])) json_array_append_new(fields, json_string(keys[k]));
    http_audit_target(req, "volunteer", id, json_pack("{s:o}", "fields", fields));
    return volunteer_reply(req, 200, id);
}

/* ---------------------------------------------------------------- states */

/* Whether `from` may become `to` (see the file header). */
static bool transition_ok(const char *from, const char *to)
{
    if (!strcmp(to, "approved")) return !strcmp(from, "applied");
    if (!strcmp(to, "active")) return !strcmp(from, "approved") || !strcmp(from, "paused");
    if (!strcmp(to, "paused")) return !strcmp(from, "approved") || !strcmp(from, "active");
    if (!strcmp(to, "left")) return strcmp(from, "left") != 0;
    if (!strcmp(to, "applied")) return !strcmp(from, "left");
    return false;
}

/* The account's volunteer role follows the state: held while approved, active or
 * paused, gone once applied or left. */
static int role_follow(http_req *req, int64_t user_id, const char *state)
{
    if (!user_id) return 0;
    int64_t cid = req->actor.community_id;
    if (!strcmp(state, "left") || !strcmp(state, "applied"))
        return store_run(req->conn, NULL, "DELETE FROM role_assignments WHERE community_id = $1 AND user_id = $2 "
                         "AND role = 'volunteer'", "ii", cid, user_id) == STORE_DONE ? 0 : -1;
    return accounts_assign_role(req->conn, cid, user_id, "volunteer", "community", cid) ? -1 : 0;
}

/* POST /volunteers/{id}/state {state, reason}: committee staff. */
static int volunteer_state(http_req *req)
{
    int64_t id;
    const char *to, *reason = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_str(req, "state", 1, 16, &to)) return -1;
    if (!vol_word_in(to, vol_states)) return http_fail_field(req, "state", "vol.err.state");
    if (!http_body_str_opt(req, "reason", 1, 200, &reason)) return -1;
    if (!strcmp(to, "left") && !reason) return http_fail_field(req, "reason", "vol.err.reason");
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT state, user_id FROM volunteers WHERE id = $1 AND community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_ROW)
        return http_fail_not_found(req);
    const char *from = arena_strdup(req->a, store_col_text(st, 0));
    int64_t user_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
    store_done(st);
    if (!transition_ok(from, to)) return http_fail(req, 409, "conflict", "state", "vol.err.transition");
    int64_t now = clock_now_us();
    bool approving = !strcmp(to, "approved");
    if (store_run(req->conn, NULL, "UPDATE volunteers SET state = $1, left_reason = $2, updated_at = $3, "
                  "approved_by = CASE WHEN $4 = 1 THEN $5 ELSE approved_by END, "
                  "approved_at = CASE WHEN $4 = 1 THEN $3 ELSE approved_at END WHERE id = $6 AND community_id = $7",
                  "ttiiiii", to, !strcmp(to, "left") ? reason : NULL, now, (int64_t)approving, req->actor.user_id, id,
                  req->actor.community_id) != STORE_DONE)
        return http_fail_internal(req, "volunteer state");
    if (role_follow(req, user_id, to) < 0) return http_fail_internal(req, "volunteer role");
    if (approving && vol_notify(req, id, "volunteer_approved", json_object(), "/volunteer") < 0)
        return http_fail_internal(req, "notify");
    if (!strcmp(to, "left") && (shifts_release_volunteer(req, id) < 0 || tasks_release_volunteer(req, id) < 0))
        return http_fail_internal(req, "volunteer release");
    http_audit_target(req, "volunteer", id, json_pack("{s:s, s:s}", "from", from, "to", to));
    return volunteer_reply(req, 200, id);
}

/* ---------------------------------------------------------------- qualifications, equipment */

/* PUT /volunteers/{id}/qualifications/{qualification} {expires_on|null} */
static int qualification_put(http_req *req)
{
    int64_t id;
    const char *q = http_param(req, "qualification"), *expires = NULL;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!vol_word_in(q, vol_qualifications)) return http_fail_field(req, "qualification", "vol.err.qualification");
    if (!http_body_str_opt(req, "expires_on", 10, 10, &expires)) return -1;
    int y, m, d;
    if (expires && !clock_parse_date(expires, &y, &m, &d)) return http_fail_field(req, "expires_on", "vol.err.date");
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2", "ii", id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    if (store_run(req->conn, NULL,
        "DELETE FROM volunteer_qualifications WHERE volunteer_id = $1 AND qualification = $2",
                  "it", id, q) != STORE_DONE ||
        store_run(req->conn, NULL, "INSERT INTO volunteer_qualifications (community_id, volunteer_id, qualification, "
                  "expires_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)", "iittii",
                  req->actor.community_id, id, q, expires, req->actor.user_id, clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, "qualification");
    http_audit_target(req, "volunteer", id, json_pack("{s:s}", "qualification", q));
    return volunteer_reply(req, 200, id);
}

static int qualification_delete(http_req *req)
{
    int64_t id;
    const char *q = http_param(req, "qualification");
    if (!http_param_id(req, "id", &id)) return -1;
    int rc = store_run(req->conn, NULL, "DELETE FROM volunteer_qualifications WHERE community_id = $1 "
                       "AND volunteer_id = $2 AND qualification = $3 RETURNING id", "iit", req->actor.community_id, id,
                           q);
    if (rc == STORE_DONE) return http_fail_not_found(req);
    if (rc != STORE_ROW) return http_fail_internal(req, "qualification delete");
    http_audit_target(req, "volunteer", id, json_pack("{s:s}", "qualification", q));
    return volunteer_reply(req, 200, id);
}

/* POST /volunteers/{id}/equipment {item, quantity} */
static int equipment_issue(http_req *req)
{
    int64_t id, quantity = 1;
    const char *item;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_str(req, "item", 1, 64, &item)) return -1;
    if (!http_body_int_opt(req, "quantity", 1, 10000, &quantity, NULL)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM volunteers WHERE id = $1 AND community_id = $2", "ii", id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    if (store_run(req->conn, NULL, "INSERT INTO volunteer_equipment (community_id, volunteer_id, item, quantity, "
                  "issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6)", "iitiii", req->actor.community_id, id, item,
                  quantity, req->actor.user_id, clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, "equipment");
    http_audit_target(req, "volunteer", id, json_pack("{s:I}", "quantity", (json_int_t)quantity));
    return volunteer_reply(req, 201, id);
}

#define VOL_READERS (VOL_LEADERS | ROLE_VOLUNTEER)
#define VOL_ANYONE (VOL_LEADERS | ROLE_VOLUNTEER | ROLE_RESIDENT)

const http_route volunteer_routes[] = {
    {"GET", "/api/v1/volunteers", NULL, volunteers_list, VOL_LEADERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/volunteers", NULL, volunteer_apply, VOL_ANYONE, ROUTE_WRITE, 8192, "volunteer.apply"},
    {"GET", "/api/v1/volunteers/me", NULL, volunteer_me, VOL_ANYONE, 0, 0, NULL},
    {"GET", "/api/v1/volunteers/{id}", NULL, volunteer_get, VOL_ANYONE, 0, 0, NULL},
    {"PATCH", "/api/v1/volunteers/{id}", NULL, volunteer_update, VOL_ANYONE, ROUTE_WRITE, 8192, "volunteer.update"},
    {"POST", "/api/v1/volunteers/{id}/state", NULL, volunteer_state, VOL_STAFF, ROUTE_WRITE, 1024, "volunteer.state"},
    {"PUT", "/api/v1/volunteers/{id}/qualifications/{qualification}", NULL, qualification_put, VOL_STAFF,
     ROUTE_WRITE, 1024, "volunteer.qualification_set"},
    {"DELETE", "/api/v1/volunteers/{id}/qualifications/{qualification}", NULL, qualification_delete, VOL_STAFF,
     ROUTE_WRITE, 0, "volunteer.qualification_remove"},
    {"POST", "/api/v1/volunteers/{id}/equipment", NULL, equipment_issue, VOL_STAFF, ROUTE_WRITE, 1024,
     "volunteer.equipment_issue"},
    {0},
};

const i18n_entry volunteer_messages[] = {
    {"vol.list.volunteers", "志愿者名单", "Volunteers"},
    {"vol.col.phone", "电话", "Phone"},
    {"vol.col.kind", "类别", "Kind"},
    {"vol.col.organisation", "单位", "Organisation"},
    {"vol.col.room", "住址", "Home"},
    {"vol.col.zone", "意向片区", "Zone"},
    {"vol.col.skills", "技能", "Skills"},
    {"vol.col.health", "健康状况", "Health"},
    {"vol.col.state", "状态", "State"},
    {"vol.col.hours", "服务时长（小时）", "Hours"},
    {"vol.col.points", "积分", "Points"},
    {"vol.col.no_shows", "缺勤次数", "No-shows"},
    {"vol.err.not_volunteer", "您还不是志愿者，可以先报名", "You are not a volunteer yet; you can apply"},
    {"vol.err.state", "状态只能是 applied、approved、active、paused 或 left",
     "State must be applied, approved, active, paused or left"},
    {"vol.err.skill", "技能只能是 medical、driving、languages、it 或 lifting",
     "Skills are medical, driving, languages, it or lifting"},
    {"vol.err.kind", "类别只能是 resident、cadre、company、student 或 other",
     "Kind must be resident, cadre, company, student or other"},
    {"vol.err.health", "健康状况只能是 healthy、limited 或 unwell", "Health must be healthy, limited or unwell"},
    {"vol.err.posts", "岗位偏好只能是 gate、sorting、sampling、patrol 或 other",
     "Preferred posts are gate, sorting, sampling, patrol or other"},
    {"vol.err.health_required", "请填写健康状况（healthy、limited 或 unwell）",
     "Declare your health (healthy, limited or unwell)"},
    {"vol.err.availability", "空闲时间应为星期（1–7）和起止时间（如 08:00–20:00）",
     "Availability is a weekday (1-7) with from and to times (like 08:00-20:00)"},
    {"vol.err.zone", "本社区没有这个片区", "No such zone in this community"},
    {"vol.err.resident", "您负责的范围内没有该居民，或已迁出", "No such resident in your area, or moved out"},
    {"vol.err.already", "此人已经报名为志愿者", "This person has already signed up as a volunteer"},
    {"vol.err.transition", "当前状态不能改为该状态", "The volunteer cannot move to that state from the current one"},
    {"vol.err.reason", "退出须说明原因", "Leaving needs a reason"},
    {"vol.err.qualification", "资质只能是 protective_suit、first_aid 或 driving_licence",
     "Qualification must be protective_suit, first_aid or driving_licence"},
    {"vol.err.date", "日期格式应为 2026-12-31，且须是存在的日期", "Date must be like 2026-12-31 and exist"},
    {0, 0, 0},
};
