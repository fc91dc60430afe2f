/* shifts.c — posts (岗位: a gate, a sorting area, a sampling point), their shifts, and
 * who stands them: self sign-up within the committee's window, the waitlist, giving a
 * shift back, the day-before confirmation, check-in and out by scanning the post's QR
 * code, the board of who is on duty now and the at-risk report. Tables in
 * 018_volunteers.sql.
 *
 * The rules of a sign-up, checked in the write that takes the place:
 *   - the volunteer is approved or active;
 *   - the shift starts in the future and within signup_days_ahead days;
 *   - it does not overlap a shift the volunteer already stands;
 *   - the volunteer holds the shift's qualification, valid on the shift's day;
 *   - a place is free: `UPDATE shifts SET taken = taken + 1 WHERE taken < need` grants
 *     it, so however many ask at once (on several writer connections of PostgreSQL
 *     too: the row lock orders them) exactly `need` succeed; the rest join the shift's
 *     waitlist, in the order they asked.
 * The volunteer's row is touched first, so that two sign-ups of one person cannot both
 * pass the overlap check on PostgreSQL's parallel writers. A place given back (or
 * declined, or freed by a volunteer leaving) goes to the first on the waitlist who
 * still may take it, in the same write. */
#include "volunteers_int.h"
#include "../../core/clock.h"
#include "../../core/qr.h"
#include "../../core/secret.h"
#include "../../core/buf.h"
#include "../../core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHIFT_MAX_DAYS 62
#define SHIFT_MAX_TIMES 6
#define CHECKIN_EARLY_US (60LL * 60 * 1000000)   /* scanning opens an hour before the start */
#define CHECKOUT_LATE_US (4LL * 60 * 60 * 1000000) /* and closes four hours after the end */
#define US_PER_DAY (86400LL * 1000000)

static const char *const post_kinds[] = {"gate", "sorting", "sampling", "patrol", "other", NULL};

/* The kind of service a post's hours count as in the time bank. */
static const char *post_service(const char *kind)
{
    if (!strcmp(kind, "sorting")) return "parcels";
    if (!strcmp(kind, "gate") || !strcmp(kind, "sampling") || !strcmp(kind, "patrol")) return kind;
    return "other";
}

static int64_t signup_days(http_req *req)
{
    return store_query_int(req->conn, 3, "SELECT signup_days_ahead FROM volunteer_settings WHERE community_id = $1",
        "i",
                           req->actor.community_id);
}

/* ---------------------------------------------------------------- posts */

#define POST_SELECT \
    "SELECT p.id, p.name, p.kind, p.zone_id, z.name, p.place, " \
    "(SELECT COUNT(*) FROM shift_assignments a JOIN shifts s ON s.id = a.shift_id WHERE s.community_id = " \
        "p.community_id " \
    "AND s.post_id = p.id AND a.state = 'assigned' AND a.checked_in_at IS NOT NULL AND a.checked_out_at IS NULL) " \
    "FROM posts p LEFT JOIN zones z ON z.id = p.zone_id WHERE p.community_id = $1 "

static json_t *post_item(store_stmt *st, void *ctx)
{
    (void)ctx;
    json_t *p = json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:I}", "id", (json_int_t)store_col_int(st, 0), "name",
                          store_col_text(st, 1), "kind", store_col_text(st, 2), "zone_name", store_col_text(st, 4),
                          "place", store_col_text(st, 5), "on_duty", (json_int_t)store_col_int(st, 6));
    json_object_set_new(p, "zone_id", store_col_null(st, 3) ? json_null() : json_integer(store_col_int(st, 3)));
    return p;
}

static const list_column post_columns[] = {
    {"id", "col.id"}, {"name", "col.name"}, {"kind", "shift.col.kind"}, {"zone_name", "vol.col.zone"},
    {"place", "shift.col.place"}, {"on_duty", "shift.col.on_duty"}, {0, 0},
};

static int posts_list(http_req *req)
{
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, POST_SELECT "AND p.id > $2 ORDER BY p.id LIMIT $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, http_list_cursor(req));
    store_bind_int(st, 3, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, post_item, NULL, &next_after);
    return http_reply_list(req, "shift.list.posts", post_columns, items, next_after);
}

/* Who stands shift `shift_id` (assigned first, then the waitlist in order). */
static json_t *shift_people(http_req *req, int64_t shift_id, bool contacts)
{
    json_t *out = json_array();
    store_stmt *st = store_prepare(req->conn,
        "SELECT a.volunteer_id, v.name, v.phone, a.state, a.confirmation, a.checked_in_at, a.checked_out_at, "
            "a.no_show, "
        "a.source FROM shift_assignments a JOIN volunteers v ON v.id = a.volunteer_id WHERE a.community_id = $1 "
        "AND a.shift_id = $2 AND a.state <> 'given_back' "
        "ORDER BY CASE a.state WHEN 'assigned' THEN 0 ELSE 1 END, a.queued_at, a.id");
    if (!st) return out;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, shift_id);
    while (store_step(st) == STORE_ROW) {
        json_t *p = json_pack("{s:I, s:s, s:s, s:s, s:b, s:s}", "volunteer_id", (json_int_t)store_col_int(st, 0),
                              "name", store_col_text(st, 1), "state", store_col_text(st, 3), "confirmation",
                              store_col_text(st, 4), "no_show", (int)store_col_int(st, 7), "source",
                              store_col_text(st, 8));
        if (contacts) json_object_set_new(p, "phone", store_col_text(st, 2) ? json_string(store_col_text(st,
            2)) : json_null());
        json_object_set_new(p, "checked_in_at", store_col_null(st, 5) ? json_null() : vol_time_json(store_col_int(st,
            5)));
        json_object_set_new(p, "checked_out_at", store_col_null(st, 6) ? json_null() : vol_time_json(store_col_int(st,
            6)));
        json_array_append_new(out, p);
    }
    store_done(st);
    return out;
}

/* GET /posts/{id}: the post and its board — the shift on now with who is on duty, and
 * the next shifts. */
static int post_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st = store_prepare(req->conn, POST_SELECT "AND p.id = $2");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, id);
    json_t *post = store_step(st) == STORE_ROW ? post_item(st, NULL) : NULL;
    store_done(st);
    if (!post) return http_fail_not_found(req);
    int64_t now = clock_now_us();
    bool contacts = actor_has(&req->actor, VOL_LEADERS);
    json_t *now_on = json_array(), *next = json_array();
    st = store_prepare(req->conn, "SELECT id, starts_at, ends_at, need, taken FROM shifts WHERE community_id = $1 "
                                  "AND post_id = $2 AND ends_at > $3 ORDER BY starts_at, id LIMIT 4");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        store_bind_int(st, 3, now);
        int64_t ids[4], starts[4];
        json_t *rows[4];
        int n = 0;
        while (n < 4 && store_step(st) == STORE_ROW) {
            ids[n] = store_col_int(st, 0);
            starts[n] = store_col_int(st, 1);
            rows[n] = json_pack("{s:I, s:o, s:o, s:s, s:s, s:I, s:I}", "id", (json_int_t)ids[n], "starts_at",
                                vol_time_json(starts[n]), "ends_at", vol_time_json(store_col_int(st, 2)), "start_text",
                                vol_local_time(req, starts[n]), "end_text", vol_local_time(req, store_col_int(st, 2)),
                                "need", (json_int_t)store_col_int(st, 3), "taken", (json_int_t)store_col_int(st, 4));
            n++;
        }
        store_done(st);
        for (int i = 0; i < n; i++) {
            json_object_set_new(rows[i], "people", shift_people(req, ids[i], contacts));
            json_array_append_new(starts[i] <= now ? now_on : next, rows[i]);
        }
    }
    json_object_set_new(post, "now", now_on);
    json_object_set_new(post, "next", next);
    return http_reply(req, 200, json_pack("{s:o}", "post", post));
}

/* POST /posts {name, kind, zone_id?, place?} */
static int post_create(http_req *req)
{
    const char *name, *kind, *place = NULL;
    int64_t zone_id = 0;
    bool has_zone;
    if (!http_body_str(req, "name", 1, 64, &name)) return -1;
    if (!http_body_str(req, "kind", 1, 16, &kind)) return -1;
    if (!vol_word_in(kind, post_kinds)) return http_fail_field(req, "kind", "shift.err.post_kind");
    if (!http_body_str_opt(req, "place", 0, 200, &place)) return -1;
    if (!http_body_int_opt(req, "zone_id", 1, INT64_MAX, &zone_id, &has_zone)) return -1;
    if (has_zone && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM zones WHERE id = $1 AND community_id = $2",
        "ii",
                                     zone_id, req->actor.community_id))
        return http_fail_field(req, "zone_id", "vol.err.zone");
    char code[44];
    secret_token(code);
    store_stmt *st = store_prepare(req->conn, "INSERT INTO posts (community_id, name, kind, zone_id, place, code, "
                                              "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                                                  "RETURNING id");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, kind);
    if (has_zone) store_bind_int(st, 4, zone_id); else store_bind_null(st, 4);
    store_bind_text(st, 5, place);
    store_bind_text(st, 6, code);
    store_bind_int(st, 7, req->actor.user_id);
    store_bind_int(st, 8, clock_now_us());
    int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (!id) return http_fail_internal(req, "post insert");
    http_audit_target(req, "post", id, json_pack("{s:s}", "kind", kind));
    req->status = 201;
    json_t *out = NULL;
    st = store_prepare(req->conn, POST_SELECT "AND p.id = $2");
    if (st) {
        store_bind_int(st, 1, req->actor.community_id);
        store_bind_int(st, 2, id);
        if (store_step(st) == STORE_ROW) out = post_item(st, NULL);
        store_done(st);
    }
    if (!out) return http_fail_internal(req, "post read");
    return http_reply(req, 201, json_pack("{s:o}", "post", out));
}

/* The text a post's QR code holds: SWPOST:<code>. A check-in scan sends it back. */
static const char *post_payload(http_req *req, int64_t id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT code FROM posts WHERE id = $1 AND community_id = $2", "ii", id,
                  req->actor.community_id) != STORE_ROW)
        return NULL;
    const char *p = arena_printf(req->a, "SWPOST:%s", store_col_text(st, 0));
    store_done(st);
    return p;
}

/* GET /posts/{id}/code: {payload, svg} for the post's QR code (committee staff). */
static int post_code(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    const char *payload = post_payload(req, id);
    if (!payload) return http_fail_not_found(req);
    char *svg = qr_svg(payload, NULL);
    json_t *out = json_pack("{s:s, s:s}", "payload", payload, "svg", svg ? svg : "");
    free(svg);
    return http_reply(req, 200, out);
}

/* GET /posts/{id}/sheet: the printable sign for the post (A4: name, QR code, how to
 * check in), to hang at the gate. */
static int post_sheet(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    const char *payload = post_payload(req, id);
    const char *name = NULL, *place = NULL;
    store_stmt *st;
    if (!payload || store_run(req->conn, &st, "SELECT name, place FROM posts WHERE id = $1 AND community_id = $2", "ii",
                              id, req->actor.community_id) != STORE_ROW)
        return http_fail_not_found(req);
    name = arena_strdup(req->a, store_col_text(st, 0));
    place = arena_strdup(req->a, store_col_text(st, 1));
    store_done(st);
    char *svg = qr_svg(payload, NULL);
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, req->lang == LANG_EN ? "<!doctype html><html lang=\"en\">" : "<!doctype html><html lang=\"zh-CN\">");
    buf_puts(&b, "<head><meta charset=\"utf-8\"><title>");
    buf_html_escape(&b, name);
    buf_puts(&b, "</title><style>@page{size:A4;margin:15mm}body{font-family:'Noto Sans CJK SC',sans-serif;"
                 "text-align:center}h1{font-size:40pt;margin:10mm 0 2mm}.qr{width:120mm;height:120mm}"
                 "p{font-size:16pt}.meta{font-size:9pt;color:#444}</style></head><body><p class=\"meta\">");
    buf_puts(&b, http_print_meta(req));
    buf_puts(&b, "</p><h1>");
    buf_html_escape(&b, name);
    buf_puts(&b, "</h1>");
    if (place && *place) {
        buf_puts(&b, "<p>");
        buf_html_escape(&b, place);
        buf_puts(&b, "</p>");
    }
    buf_puts(&b, "<div class=\"qr\">");
    buf_puts(&b, svg ? svg : "");
    buf_puts(&b, "</div><p>");
    buf_html_escape(&b, i18n_text(req->lang, "shift.sheet.how"));
    buf_puts(&b, "</p></body></html>");
    free(svg);
    return vol_reply_raw(req, &b, "text/html; charset=utf-8");
}

/* ---------------------------------------------------------------- making shifts */

/* Reads {start, end} "HH:MM" of times[i]; an end at or before the start ends the next
 * day (a night shift 20:00-08:00). False with the 400 naming the field. */
static bool time_pair(http_req *req, json_t *t, size_t i, int *start, int *len)
{
    const char *field = arena_printf(req->a, "times[%zu]", i);
    const char *a = json_string_value(json_object_get(t, "start")), *b = json_string_value(json_object_get(t, "end"));
    int s = -1, e = -1, h, m;
    char tail;
    if (a && strlen(a) == 5 && sscanf(a, "%2d:%2d%c", &h, &m,
        &tail) == 2 && h >= 0 && h < 24 && m >= 0 && m < 60) s = h * 60 + m;
    if (b && strlen(b) == 5 && sscanf(b, "%2d:%2d%c", &h, &m,
        &tail) == 2 && h >= 0 && h <= 24 && m >= 0 && m < 60) e = h * 60 + m;
    if (s < 0 || e < 0) return http_fail_field(req, field, "shift.err.time"), false;
    *start = s;
    *len = e > s ? e - s : e + 1440 - s;
    return true;
}

static bool body_day(http_req *req, const char *field, int64_t *day)
{
    const char *s;
    int y, m, d;
    if (!http_body_str(req, field, 10, 10, &s)) return false;
    if (!clock_parse_date(s, &y, &m, &d)) return http_fail_field(req, field, "vol.err.date"), false;
    *day = clock_days_from_civil(y, m, d);
    return true;
}

/* POST /posts/{id}/shifts {from, to, times:[{start, end}], need, qualification?}: one
 * shift per day and time (3 shifts a day for two weeks, 8:00-20:00 daily, or a one-off
 * with from = to). A shift already there at the same start is kept, not doubled. */
static int shifts_create(http_req *req)
{
    int64_t post_id, from, to, need = 0;
    const char *qual = NULL;
    if (!http_param_id(req, "id", &post_id)) return -1;
    if (!store_query_int(req->conn, 0, "SELECT COUNT(*) FROM posts WHERE id = $1 AND community_id = $2", "ii", post_id,
                         req->actor.community_id))
        return http_fail_not_found(req);
    if (!body_day(req, "from", &from) || !body_day(req, "to", &to)) return -1;
    if (to < from) return http_fail_field(req, "to", "shift.err.range");
    if (to - from >= SHIFT_MAX_DAYS) return http_fail_field(req, "to", "shift.err.too_many_days");
    bool has_need;
    if (!http_body_int_opt(req, "need", 1, 200, &need, &has_need)) return -1;
    if (!has_need) return http_fail_field(req, "need", "err.required");
    if (!http_body_str_opt(req, "qualification", 1, 32, &qual)) return -1;
    if (qual && !vol_word_in(qual, vol_qualifications))
        return http_fail_field(req, "qualification", "vol.err.qualification");
    int64_t team_id = 0;
    bool has_team;
    if (!http_body_int_opt(req, "team_id", 1, INT64_MAX, &team_id, &has_team)) return -1;
    if (has_team && !store_query_int(req->conn, 0, "SELECT COUNT(*) FROM teams WHERE id = $1 AND community_id = $2",
        "ii",
                                     team_id, req->actor.community_id))
        return http_fail_field(req, "team_id", "shift.err.team_unknown");
    json_t *times = json_object_get(req->json, "times");
    if (!json_is_array(times) || !json_array_size(times) || json_array_size(times) > SHIFT_MAX_TIMES)
        return http_fail_field(req, "times", "shift.err.times");
    int starts[SHIFT_MAX_TIMES], lens[SHIFT_MAX_TIMES];
    size_t nt = json_array_size(times);
    for (size_t i = 0; i < nt; i++)
        if (!time_pair(req, json_array_get(times, i), i, &starts[i], &lens[i])) return -1;
    int64_t made = 0, kept = 0, now = clock_now_us();
    for (int64_t day = from; day <= to; day++) {
        for (size_t i = 0; i < nt; i++) {
            int64_t s = vol_local_instant(req, day, starts[i]);
            int64_t e = s + (int64_t)lens[i] * 60 * 1000000;
            if (store_query_int(req->conn, 0, "SELECT COUNT(*) FROM shifts WHERE community_id = $1 AND post_id = $2 "
                                "AND starts_at = $3", "iii", req->actor.community_id, post_id, s)) {
                kept++;
                continue;
            }
            if (store_run(req->conn, NULL, "INSERT INTO shifts (community_id, post_id, starts_at, ends_at, need, "
                          "qualification, created_by, created_at, team_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                          "CASE WHEN $9 = 0 THEN NULL ELSE $9 END)", "iiiiitiii", req->actor.community_id, post_id, s,
                              e,
                          need, qual, req->actor.user_id, now, team_id) != STORE_DONE)
                return http_fail_internal(req, "shift insert");
            made++;
        }
    }
    http_audit_target(req, "post", post_id, json_pack("{s:I, s:I}", "shifts_made", (json_int_t)made, "shifts_kept",
                                                     (json_int_t)kept));
    return http_reply(req, 201, json_pack("{s:I, s:I}", "made", (json_int_t)made, "kept", (json_int_t)kept));
}

/* ---------------------------------------------------------------- listing shifts */

#define SHIFT_SELECT \
    "SELECT s.id, s.post_id, p.name, p.kind, s.starts_at, s.ends_at, s.need, s.taken, s.qualification, " \
    "(SELECT COUNT(*) FROM shift_assignments w WHERE w.community_id = s.community_id AND w.shift_id = s.id " \
    "AND w.state = 'waitlist'), " \
    "(SELECT m.state FROM shift_assignments m WHERE m.community_id = s.community_id AND m.shift_id = s.id " \
    "AND m.volunteer_id = $2), " \
    "(SELECT m.confirmation FROM shift_assignments m WHERE m.community_id = s.community_id AND m.shift_id = s.id " \
    "AND m.volunteer_id = $2), " \
    "(SELECT m.checked_in_at FROM shift_assignments m WHERE m.community_id = s.community_id AND m.shift_id = s.id " \
    "AND m.volunteer_id = $2), " \
    "(SELECT m.checked_out_at FROM shift_assignments m WHERE m.community_id = s.community_id AND m.shift_id = s.id " \
    "AND m.volunteer_id = $2), s.team_id " \
    "FROM shifts s JOIN posts p ON p.id = s.post_id WHERE s.community_id = $1 "

static json_t *shift_item(store_stmt *st, void *ctx)
{
    http_req *req = ctx;
    json_t *s = json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:s, s:s, s:I, s:I, s:I, s:s?, s:I}",
        "id", (json_int_t)store_col_int(st, 0), "post_id", (json_int_t)store_col_int(st, 1), "post_name",
        store_col_text(st, 2), "post_kind", store_col_text(st, 3), "starts_at", vol_time_json(store_col_int(st, 4)),
        "ends_at", vol_time_json(store_col_int(st, 5)), "start_text", vol_local_time(req, store_col_int(st, 4)),
        "end_text", vol_local_time(req, store_col_int(st, 5)), "need", (json_int_t)store_col_int(st, 6), "taken",
        (json_int_t)store_col_int(st, 7), "open", (json_int_t)(store_col_int(st, 6) - store_col_int(st, 7)),
        "qualification", store_col_text(st, 8), "waitlist", (json_int_t)store_col_int(st, 9));
    json_object_set_new(s, "my_state", store_col_null(st, 10) ? json_null() : json_string(store_col_text(st, 10)));
    json_object_set_new(s, "my_confirmation", store_col_null(st, 11) ? json_null() : json_string(store_col_text(st,
        11)));
    json_object_set_new(s, "my_checked_in_at", store_col_null(st, 12) ? json_null() : vol_time_json(store_col_int(st,
        12)));
    json_object_set_new(s, "my_checked_out_at", store_col_null(st, 13) ? json_null() : vol_time_json(store_col_int(st,
        13)));
    json_object_set_new(s, "team_id", store_col_null(st, 14) ? json_null() : json_integer(store_col_int(st, 14)));
    return s;
}

static const list_column shift_columns[] = {
    {"id", "col.id"}, {"post_name", "shift.col.post"}, {"start_text", "shift.col.start"}, {"end_text", "shift.col.end"},
    {"need", "shift.col.need"}, {"taken", "shift.col.taken"}, {"waitlist", "shift.col.waitlist"},
    {"qualification", "shift.col.qualification"}, {0, 0},
};

/* An optional ?name=YYYY-MM-DD as a local day; dflt when absent. False with 400. */
static bool query_day(http_req *req, const char *name, int64_t dflt, int64_t *day)
{
    const char *s = http_query(req, name);
    int y, m, d;
    *day = dflt;
    if (!s || !*s) return true;
    if (!clock_parse_date(s, &y, &m, &d)) return http_fail_field(req, name, "vol.err.date"), false;
    *day = clock_days_from_civil(y, m, d);
    return true;
}

static int64_t today_local(http_req *req)
{
    int y, m, d;
    const char *t = vol_local_day(req, clock_now_us());
    return clock_parse_date(t, &y, &m, &d) ? clock_days_from_civil(y, m, d) : clock_now_us() / US_PER_DAY;
}

/* GET /shifts?from=&to=&post_id=&open=1&mine=1 — from/to local days (default today
 * and 13 days on), in start order (the cursor is the id: shifts are made in start order
 * per post, so a list across posts pages by id within the days asked). */
static int shifts_list(http_req *req)
{
    int64_t today = today_local(req), from, to, post_id = 0;
    if (!query_day(req, "from", today, &from) || !query_day(req, "to", from + 13, &to)) return -1;
    const char *p = http_query(req, "post_id"), *open = http_query(req, "open"), *mine = http_query(req, "mine");
    if (p && *p && (!str_is_int(p, &post_id) || post_id < 1)) return http_fail_field(req, "post_id", "err.not_integer");
    int64_t limit = http_list_limit(req);
    store_stmt *st = store_prepare(req->conn, SHIFT_SELECT
        "AND s.starts_at >= $3 AND s.starts_at < $4 AND ($5 = 0 OR s.post_id = $5) AND ($6 = 0 OR s.taken < s.need) "
        "AND ($7 = 0 OR EXISTS (SELECT 1 FROM shift_assignments y "
        "WHERE y.community_id = s.community_id AND y.shift_id = s.id AND y.volunteer_id = $2 AND y.state <> "
            "'given_back')) "
        "AND s.id > $8 ORDER BY s.id LIMIT $9");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    int64_t vid = vol_own(req, NULL);
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid > 0 ? vid : 0);
    store_bind_int(st, 3, vol_local_instant(req, from, 0));
    store_bind_int(st, 4, vol_local_instant(req, to + 1, 0));
    store_bind_int(st, 5, post_id);
    store_bind_int(st, 6, open && !strcmp(open, "1"));
    store_bind_int(st, 7, mine && !strcmp(mine, "1"));
    store_bind_int(st, 8, http_list_cursor(req));
    store_bind_int(st, 9, limit + 1);
    int64_t next_after;
    json_t *items = http_list_collect(st, limit, shift_item, req, &next_after);
    return http_reply_list(req, "shift.list.shifts", shift_columns, items, next_after);
}

/* GET /shifts/{id}: the shift with its people (phones for leaders). */
static int shift_get(http_req *req)
{
    int64_t id;
    if (!http_param_id(req, "id", &id)) return -1;
    store_stmt *st = store_prepare(req->conn, SHIFT_SELECT "AND s.id = $3");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    int64_t vid = vol_own(req, NULL);
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid > 0 ? vid : 0);
    store_bind_int(st, 3, id);
    json_t *s = store_step(st) == STORE_ROW ? shift_item(st, req) : NULL;
    store_done(st);
    if (!s) return http_fail_not_found(req);
    json_object_set_new(s, "people", shift_people(req, id, actor_has(&req->actor, VOL_LEADERS)));
    return http_reply(req, 200, json_pack("{s:o}", "shift", s));
}

/* GET /my/shifts: the actor's shifts from today on, next first, then the last week's. */
static int my_shifts(http_req *req)
{
    int64_t vid = vol_own(req, NULL);
    if (vid < 0) return http_fail_internal(req, "my shifts");
    json_t *upcoming = json_array(), *past = json_array();
    int64_t now = clock_now_us();
    store_stmt *st = store_prepare(req->conn, SHIFT_SELECT
        "AND EXISTS (SELECT 1 FROM shift_assignments y WHERE y.community_id = s.community_id AND y.shift_id = s.id "
        "AND y.volunteer_id = $2 AND y.state <> 'given_back') AND s.ends_at > $3 ORDER BY s.starts_at, s.id LIMIT 200");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid);
    store_bind_int(st, 3, now - 7 * US_PER_DAY);
    while (store_step(st) == STORE_ROW) {
        bool done = store_col_int(st, 5) <= now;
        json_array_append_new(done ? past : upcoming, shift_item(st, req));
    }
    store_done(st);
    return http_reply(req, 200, json_pack("{s:b, s:o, s:o}", "volunteer", vid > 0, "upcoming", upcoming, "past", past));
}

/* ---------------------------------------------------------------- taking and giving places */

typedef struct shift_row {
    int64_t id, post_id, starts_at, ends_at, need, taken;
    const char *qualification, *post_kind;
    int64_t team_id;          /* 0: anyone */
} shift_row;

static int shift_load(http_req *req, int64_t id, shift_row *s)
{
    store_stmt *st;
    int rc = store_run(req->conn, &st, "SELECT s.id, s.post_id, s.starts_at, s.ends_at, s.need, s.taken, "
                       "s.qualification, p.kind, s.team_id FROM shifts s JOIN posts p ON p.id = s.post_id "
                       "WHERE s.id = $1 AND s.community_id = $2", "ii", id, req->actor.community_id);
    if (rc != STORE_ROW) return rc == STORE_DONE ? 0 : -1;
    *s = (shift_row){store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2), store_col_int(st, 3),
                     store_col_int(st, 4), store_col_int(st, 5), arena_strdup(req->a, store_col_text(st, 6)),
                     arena_strdup(req->a, store_col_text(st, 7)), store_col_null(st, 8) ? 0 : store_col_int(st, 8)};
    store_done(st);
    return 1;
}

/* Why volunteer `vid` may not stand shift s (an i18n key), or NULL. */
static const char *shift_refusal(http_req *req, int64_t vid, const shift_row *s)
{
    if (s->team_id && !team_member_of(req, s->team_id, vid)) return "shift.err.team";
    if (store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM shift_assignments a JOIN shifts o ON o.id = a.shift_id WHERE a.community_id = $1 "
        "AND a.volunteer_id = $2 AND a.state = 'assigned' AND a.shift_id <> $3 AND o.starts_at < $4 AND o.ends_at > $5",
        "iiiii", req->actor.community_id, vid, s->id, s->ends_at, s->starts_at))
        return "shift.err.overlap";
    if (s->qualification && !store_query_int(req->conn, 0,
        "SELECT COUNT(*) FROM volunteer_qualifications WHERE community_id = $1 AND volunteer_id = $2 "
        "AND qualification = $3 AND (expires_on IS NULL OR expires_on >= $4)", "iitt", req->actor.community_id, vid,
        s->qualification, vol_local_day(req, s->starts_at)))
        return "shift.err.qualification";
    return NULL;
}

/* Takes a free place of shift `id`: 1 granted, 0 full, -1 store error. */
static int place_take(http_req *req, int64_t id)
{
    int rc = store_run(req->conn, NULL, "UPDATE shifts SET taken = taken + 1 WHERE id = $1 AND community_id = $2 "
                       "AND taken < need RETURNING id", "ii", id, req->actor.community_id);
    return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

/* Sets (or makes) volunteer vid's row on shift s. */
static int assignment_put(http_req *req, int64_t shift_id, int64_t vid, const char *state, const char *source)
{
    int64_t now = clock_now_us();
    int rc = store_run(req->conn, NULL,
        "UPDATE shift_assignments SET state = $1, source = $2, confirmation = 'pending', "
                       "checked_in_at = NULL, checked_out_at = NULL, no_show = 0, queued_at = $3, updated_at = $3 "
                       "WHERE community_id = $4 AND shift_id = $5 AND volunteer_id = $6 RETURNING id", "ttiiii", state,
                       source, now, req->actor.community_id, shift_id, vid);
    if (rc == STORE_ROW) return 0;
    if (rc != STORE_DONE) return -1;
    return store_run(req->conn, NULL, "INSERT INTO shift_assignments (community_id, shift_id, volunteer_id, state, "
                     "source, queued_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)", "iiitti",
                     req->actor.community_id, shift_id, vid, state, source, now) == STORE_DONE ? 0 : -1;
}

static const char *post_name(http_req *req, int64_t post_id)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT name FROM posts WHERE id = $1", "i", post_id) != STORE_ROW) return "";
    const char *name = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    return name;
}

/* A freed place of shift s goes to the first on its waitlist who may still take it.
 * Returns the volunteer promoted, 0 for none, -1 on a store error. */
static int64_t waitlist_promote(http_req *req, const shift_row *s)
{
    store_stmt *st = store_prepare(req->conn,
        "SELECT a.volunteer_id FROM shift_assignments a JOIN volunteers v ON v.id = a.volunteer_id "
        "WHERE a.community_id = $1 AND a.shift_id = $2 AND a.state = 'waitlist' "
        "AND v.state IN ('approved', 'active') ORDER BY a.queued_at, a.id LIMIT 20");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, s->id);
    int64_t ids[20];
    int n = 0;
    while (n < 20 && store_step(st) == STORE_ROW) ids[n++] = store_col_int(st, 0);
    store_done(st);
    for (int i = 0; i < n; i++) {
        if (shift_refusal(req, ids[i], s)) continue;
        int got = place_take(req, s->id);
        if (got <= 0) return got;
        if (store_run(req->conn, NULL, "UPDATE shift_assignments SET state = 'assigned', source = 'waitlist', "
                      "updated_at = $1 WHERE community_id = $2 AND shift_id = $3 AND volunteer_id = $4", "iiii",
                      clock_now_us(), req->actor.community_id, s->id, ids[i]) != STORE_DONE)
            return -1;
        json_t *params = json_pack("{s:s, s:s}", "post", post_name(req, s->post_id), "when",
                                   vol_local_time(req, s->starts_at));
        if (vol_notify(req, ids[i], "promoted_shift", params, "/volunteer") < 0) return -1;
        return ids[i];
    }
    return 0;
}

/* Frees volunteer vid's place on shift s (given back or declined) and fills it from the
 * waitlist. The caller checked the row is 'assigned'. -1 on a store error. */
static int64_t place_release(http_req *req, const shift_row *s, int64_t vid, const char *confirmation)
{
    if (store_run(req->conn, NULL, "UPDATE shift_assignments SET state = 'given_back', confirmation = $1, "
                  "updated_at = $2 WHERE community_id = $3 AND shift_id = $4 AND volunteer_id = $5", "tiiii",
                  confirmation, clock_now_us(), req->actor.community_id, s->id, vid) != STORE_DONE ||
        store_run(req->conn, NULL,
            "UPDATE shifts SET taken = taken - 1 WHERE id = $1 AND community_id = $2 AND taken > 0",
                  "ii", s->id, req->actor.community_id) != STORE_DONE)
        return -1;
    int64_t promoted = waitlist_promote(req, s);
    if (promoted == 0 && s->starts_at > clock_now_us() && tasks_open_for_shift(req, s->id) < 0) return -1;
    return promoted;
}

static const char *assignment_state(http_req *req, int64_t shift_id, int64_t vid)
{
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT state FROM shift_assignments WHERE community_id = $1 AND shift_id = $2 "
                  "AND volunteer_id = $3", "iii", req->actor.community_id, shift_id, vid) != STORE_ROW)
        return NULL;
    const char *s = arena_strdup(req->a, store_col_text(st, 0));
    store_done(st);
    return s;
}

/* The actor as a serving volunteer, its row locked for this write; 0 with the error set. */
static int64_t serving_self(http_req *req)
{
    const char *state = NULL;
    int64_t vid = vol_own(req, &state);
    if (vid < 0) return http_fail_internal(req, "volunteer"), 0;
    if (!vid) return http_fail(req, 409, "conflict", NULL, "vol.err.not_volunteer"), 0;
    if (!vol_state_serves(state)) return http_fail(req, 409, "conflict", NULL, "shift.err.not_serving"), 0;
    if (store_run(req->conn, NULL, "UPDATE volunteers SET updated_at = $1 WHERE id = $2", "ii", clock_now_us(), vid) !=
        STORE_DONE)
        return http_fail_internal(req, "volunteer lock"), 0;
    return vid;
}

static int shift_answer(http_req *req, int status, int64_t shift_id, const char *outcome)
{
    req->status = status;
    if (shift_get(req) < 0) return -1;
    json_object_set_new(req->out, "outcome", json_string(outcome));
    json_object_set_new(req->out, "message", json_string(i18n_text(req->lang, arena_printf(req->a, "shift.ok.%s",
        outcome))));
    (void)shift_id;
    req->status = status;
    return 0;
}

/* POST /shifts/{id}/signup: a place, or the waitlist when the shift is full. */
static int shift_signup(http_req *req)
{
    int64_t id;
    shift_row s;
    if (!http_param_id(req, "id", &id)) return -1;
    int64_t vid = serving_self(req);
    if (!vid) return -1;
    int f = shift_load(req, id, &s);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "shift") : http_fail_not_found(req);
    int64_t now = clock_now_us();
    if (s.starts_at <= now) return http_fail(req, 409, "conflict", NULL, "shift.err.started");
    int64_t days = signup_days(req);
    if (s.starts_at >= vol_local_instant(req, today_local(req) + days + 1, 0))
        return http_fail(req, 409, "conflict", NULL, "shift.err.window");
    const char *cur = assignment_state(req, id, vid);
    if (cur && strcmp(cur, "given_back")) return http_fail(req, 409, "conflict", NULL, "shift.err.already");
    const char *why = shift_refusal(req, vid, &s);
    if (why) return http_fail(req, 409, "conflict", NULL, why);
    int got = place_take(req, id);
    if (got < 0 || assignment_put(req, id, vid, got ? "assigned" : "waitlist", "self") < 0)
        return http_fail_internal(req, "signup");
    http_audit_target(req, "shift", id, json_pack("{s:I, s:s}", "volunteer_id", (json_int_t)vid, "state",
                                                  got ? "assigned" : "waitlist"));
    return shift_answer(req, 201, id, got ? "assigned" : "waitlist");
}

/* DELETE /shifts/{id}/signup: gives the place back (before the start), or leaves the
 * waitlist. The waitlist fills the place first. */
static int shift_giveback(http_req *req)
{
    int64_t id;
    shift_row s;
    if (!http_param_id(req, "id", &id)) return -1;
    const char *state = NULL;
    int64_t vid = vol_own(req, &state);
    if (vid <= 0) return vid < 0 ? http_fail_internal(req, "volunteer") : http_fail_not_found(req);
    int f = shift_load(req, id, &s);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "shift") : http_fail_not_found(req);
    const char *cur = assignment_state(req, id, vid);
    if (!cur || !strcmp(cur, "given_back")) return http_fail_not_found(req);
    if (s.starts_at <= clock_now_us()) return http_fail(req, 409, "conflict", NULL, "shift.err.started");
    int64_t promoted = 0;
    if (!strcmp(cur, "assigned")) {
        promoted = place_release(req, &s, vid, "pending");
        if (promoted < 0) return http_fail_internal(req, "give back");
    } else if (store_run(req->conn, NULL, "UPDATE shift_assignments SET state = 'given_back', updated_at = $1 "
                         "WHERE community_id = $2 AND shift_id = $3 AND volunteer_id = $4", "iiii", clock_now_us(),
                         req->actor.community_id, id, vid) != STORE_DONE) {
        return http_fail_internal(req, "leave waitlist");
    }
    http_audit_target(req, "shift", id, json_pack("{s:I, s:I}", "volunteer_id", (json_int_t)vid, "promoted",
                                                  (json_int_t)promoted));
    return shift_answer(req, 200, id, promoted ? "given_back_filled" : "given_back");
}

/* POST /shifts/{id}/confirm {answer: "yes"|"no"}: the day-before question. A "no"
 * gives the place back like DELETE, marked declined for the at-risk report. */
static int shift_confirm(http_req *req)
{
    int64_t id;
    shift_row s;
    const char *answer;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_str(req, "answer", 2, 3, &answer)) return -1;
    if (strcmp(answer, "yes") && strcmp(answer, "no")) return http_fail_field(req, "answer", "shift.err.answer");
    int64_t vid = vol_own(req, NULL);
    if (vid <= 0) return vid < 0 ? http_fail_internal(req, "volunteer") : http_fail_not_found(req);
    int f = shift_load(req, id, &s);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "shift") : http_fail_not_found(req);
    const char *cur = assignment_state(req, id, vid);
    if (!cur || strcmp(cur, "assigned")) return http_fail_not_found(req);
    if (s.starts_at <= clock_now_us()) return http_fail(req, 409, "conflict", NULL, "shift.err.started");
    int64_t promoted = 0;
    if (!strcmp(answer, "yes")) {
        if (store_run(req->conn, NULL, "UPDATE shift_assignments SET confirmation = 'confirmed', updated_at = $1 "
                      "WHERE community_id = $2 AND shift_id = $3 AND volunteer_id = $4", "iiii", clock_now_us(),
                      req->actor.community_id, id, vid) != STORE_DONE)
            return http_fail_internal(req, "confirm");
    } else if ((promoted = place_release(req, &s, vid, "declined")) < 0) {
        return http_fail_internal(req, "decline");
    }
    http_audit_target(req, "shift", id, json_pack("{s:I, s:s}", "volunteer_id", (json_int_t)vid, "answer", answer));
    return shift_answer(req, 200, id, !strcmp(answer, "yes") ? "confirmed" : "declined");
}

/* POST /shifts/{id}/assign {volunteer_id}: a leader puts a volunteer on a shift (one
 * without a smartphone, or a late replacement: also after the start, outside the
 * sign-up window). The other rules hold; a full shift is refused (409 full). */
static int shift_assign(http_req *req)
{
    int64_t id, vid;
    bool has;
    shift_row s;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_int_opt(req, "volunteer_id", 1, INT64_MAX, &vid, &has)) return -1;
    if (!has) return http_fail_field(req, "volunteer_id", "err.required");
    int f = shift_load(req, id, &s);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "shift") : http_fail_not_found(req);
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT state FROM volunteers WHERE id = $1 AND community_id = $2", "ii", vid,
                  req->actor.community_id) != STORE_ROW)
        return http_fail_field(req, "volunteer_id", "bank.err.volunteer");
    bool serves = vol_state_serves(store_col_text(st, 0));
    store_done(st);
    if (!serves) return http_fail_field(req, "volunteer_id", "shift.err.volunteer_not_serving");
    if (s.ends_at <= clock_now_us()) return http_fail(req, 409, "conflict", NULL, "shift.err.started");
    if (store_run(req->conn, NULL, "UPDATE volunteers SET updated_at = $1 WHERE id = $2", "ii", clock_now_us(), vid) !=
        STORE_DONE)
        return http_fail_internal(req, "volunteer lock");
    const char *cur = assignment_state(req, id, vid);
    if (cur && !strcmp(cur, "assigned")) return http_fail(req, 409, "conflict", "volunteer_id", "shift.err.already");
    const char *why = shift_refusal(req, vid, &s);
    if (why) return http_fail(req, 409, "conflict", "volunteer_id", why);
    int got = place_take(req, id);
    if (got < 0) return http_fail_internal(req, "assign");
    if (!got) return http_fail(req, 409, "full", NULL, "shift.err.full");
    if (assignment_put(req, id, vid, "assigned", "leader") < 0) return http_fail_internal(req, "assign");
    http_audit_target(req, "shift", id, json_pack("{s:I}", "volunteer_id", (json_int_t)vid));
    return shift_answer(req, 201, id, "assigned_by_leader");
}

/* ---------------------------------------------------------------- check in and out */

/* Records check-in or check-out of volunteer vid on shift s at `now`; on check-out the
 * minutes present within the shift's hours are credited. *outcome: "checked_in",
 * "checked_out". -1 on a store error. */
static int check_record(http_req *req, const shift_row *s, int64_t vid, int64_t now, const char **outcome)
{
    int64_t when = now;   /* the time recorded: now, or a leader's stated time */
    now = clock_now_us();
    store_stmt *st;
    if (store_run(req->conn, &st, "SELECT checked_in_at, checked_out_at FROM shift_assignments WHERE community_id = $1 "
                  "AND shift_id = $2 AND volunteer_id = $3", "iii", req->actor.community_id, s->id, vid) != STORE_ROW)
        return -1;
    bool in = !store_col_null(st, 0), out = !store_col_null(st, 1);
    int64_t in_at = store_col_int(st, 0);
    store_done(st);
    int64_t by = req->actor.user_id;
    if (!in || out) {
        *outcome = "checked_in";
        if (store_run(req->conn, NULL, "UPDATE volunteers SET state = 'active', updated_at = $1 WHERE id = $2 "
                      "AND state = 'approved'", "ii", now, vid) != STORE_DONE)
            return -1;
        return store_run(req->conn, NULL, "UPDATE shift_assignments SET checked_in_at = $1, checked_out_at = NULL, "
                         "no_show = 0, checked_by = $2, updated_at = $1 WHERE community_id = $3 AND shift_id = $4 "
                         "AND volunteer_id = $5", "iiiii", when, by, req->actor.community_id, s->id, vid) == STORE_DONE
            ? 0 : -1;
    }
    *outcome = "checked_out";
    if (when < in_at) when = in_at;
    if (store_run(req->conn, NULL, "UPDATE shift_assignments SET checked_out_at = $1, checked_by = $2, updated_at = $1 "
                  "WHERE community_id = $3 AND shift_id = $4 AND volunteer_id = $5", "iiiii", when, by,
                  req->actor.community_id, s->id, vid) != STORE_DONE)
        return -1;
    int64_t from = in_at > s->starts_at ? in_at : s->starts_at, to = when < s->ends_at ? when : s->ends_at;
    int64_t minutes = to > from ? (to - from) / 60000000 : 0;
    if (minutes <= 0) return 0;
    return timebank_credit(req, vid, post_service(s->post_kind), minutes, vol_local_day(req, s->starts_at), "shift",
        s->id,
                           "verified") < 0 ? -1 : 0;
}

/* The assigned shift of volunteer vid at post `post_id` whose check window holds now. */
static int current_shift(http_req *req, int64_t post_id, int64_t vid, shift_row *s)
{
    int64_t now = clock_now_us();
    int64_t id = store_query_int(req->conn, 0,
        "SELECT s.id FROM shifts s JOIN shift_assignments a ON a.shift_id = s.id WHERE s.community_id = $1 "
        "AND s.post_id = $2 AND a.volunteer_id = $3 AND a.state = 'assigned' AND s.starts_at <= $4 AND s.ends_at >= $5 "
        "ORDER BY s.starts_at LIMIT 1", "iiiii", req->actor.community_id, post_id, vid, now + CHECKIN_EARLY_US,
        now - CHECKOUT_LATE_US);
    return id ? shift_load(req, id, s) : 0;
}

/* POST /checkin {code}: the volunteer scanned a post's QR code (SWPOST:<code>): checks
 * them in to their shift there, or out when already in. */
static int checkin_scan(http_req *req)
{
    const char *code;
    if (!http_body_str(req, "code", 8, 200, &code)) return -1;
    if (!strncmp(code, "SWPOST:", 7)) code += 7;
    int64_t vid = vol_own(req, NULL);
    if (vid <= 0) return vid < 0 ? http_fail_internal(req, "volunteer") : http_fail(req, 409, "conflict", NULL,
        "vol.err.not_volunteer");
    int64_t post_id = store_query_int(req->conn, 0, "SELECT id FROM posts WHERE community_id = $1 AND code = $2", "it",
                                      req->actor.community_id, code);
    if (!post_id) return http_fail_field(req, "code", "shift.err.code");
    shift_row s;
    int f = current_shift(req, post_id, vid, &s);
    if (f < 0) return http_fail_internal(req, "checkin");
    if (!f) return http_fail(req, 409, "conflict", "code", "shift.err.no_shift_now");
    const char *outcome;
    if (check_record(req, &s, vid, clock_now_us(), &outcome) < 0) return http_fail_internal(req, "checkin");
    http_audit_target(req, "shift", s.id, json_pack("{s:I, s:s}", "volunteer_id", (json_int_t)vid, "outcome", outcome));
    req->param_name[req->n_params] = "id";
    req->param_value[req->n_params++] = arena_printf(req->a, "%lld", (long long)s.id);
    return shift_answer(req, 200, s.id, outcome);
}

/* POST /shifts/{id}/check {volunteer_id, action: in|out|no_show, at?}: a leader checks a
 * volunteer in or out (a phone that cannot scan), or marks a no-show after the start.
 * `at` (UTC, not in the future, from an hour before the start) records a time the
 * leader saw, for a check-in entered afterwards. */
static int shift_check(http_req *req)
{
    int64_t id, vid;
    const char *action;
    shift_row s;
    if (!http_param_id(req, "id", &id)) return -1;
    if (!http_body_int_opt(req, "volunteer_id", 1, INT64_MAX, &vid, NULL)) return -1;
    if (!json_object_get(req->json, "volunteer_id")) return http_fail_field(req, "volunteer_id", "err.required");
    if (!http_body_str(req, "action", 2, 8, &action)) return -1;
    if (strcmp(action, "in") && strcmp(action, "out") && strcmp(action, "no_show"))
        return http_fail_field(req, "action", "shift.err.action");
    int f = shift_load(req, id, &s);
    if (f <= 0) return f < 0 ? http_fail_internal(req, "shift") : http_fail_not_found(req);
    const char *cur = assignment_state(req, id, vid);
    if (!cur || strcmp(cur, "assigned")) return http_fail_field(req, "volunteer_id", "shift.err.not_on_shift");
    int64_t now = clock_now_us(), at = now;
    const char *at_text = NULL;
    if (!http_body_str_opt(req, "at", 20, 32, &at_text)) return -1;
    if (at_text && (!clock_parse_utc(at_text, &at) || at > now || at < s.starts_at - CHECKIN_EARLY_US))
        return http_fail_field(req, "at", "shift.err.at");
    const char *outcome = "no_show";
    if (!strcmp(action, "no_show")) {
        if (s.starts_at > now) return http_fail(req, 409, "conflict", "action", "shift.err.not_started");
        if (store_run(req->conn, NULL, "UPDATE shift_assignments SET no_show = 1, checked_by = $1, updated_at = $2 "
                      "WHERE community_id = $3 AND shift_id = $4 AND volunteer_id = $5 AND checked_in_at IS NULL",
                      "iiiii", req->actor.user_id, now, req->actor.community_id, id, vid) != STORE_DONE)
            return http_fail_internal(req, "no show");
    } else {
        bool in = store_query_int(req->conn, 0, "SELECT COUNT(*) FROM shift_assignments WHERE community_id = $1 "
                                  "AND shift_id = $2 AND volunteer_id = $3 AND checked_in_at IS NOT NULL "
                                  "AND checked_out_at IS NULL", "iii", req->actor.community_id, id, vid) > 0;
        if (in != !strcmp(action, "out")) return http_fail(req, 409, "conflict", "action", "shift.err.check_state");
        if (check_record(req, &s, vid, at, &outcome) < 0) return http_fail_internal(req, "check");
    }
    http_audit_target(req, "shift", id, json_pack("{s:I, s:s}", "volunteer_id", (json_int_t)vid, "outcome", outcome));
    return shift_answer(req, 200, id, outcome);
}

/* ---------------------------------------------------------------- at risk */

/* GET /shifts/at-risk?days=2: shifts starting within the days asked that are short of
 * people, or whose people have not confirmed or declined; with the waitlist to fill from. */
static int shifts_at_risk(http_req *req)
{
    int64_t days = 2;
    const char *d = http_query(req, "days");
    if (d && *d && (!str_is_int(d, &days) || days < 1 || days > 14)) return http_fail_field(req, "days",
        "err.out_of_range");
    int64_t now = clock_now_us();
    store_stmt *st = store_prepare(req->conn, SHIFT_SELECT
        "AND s.starts_at > $3 AND s.starts_at < $4 AND (s.taken < s.need OR EXISTS (SELECT 1 FROM shift_assignments r "
        "WHERE r.community_id = s.community_id AND r.shift_id = s.id AND ((r.state = 'assigned' AND r.confirmation = "
            "'pending') "
        "OR r.confirmation = 'declined'))) ORDER BY s.starts_at, s.id LIMIT 500");
    if (!st) return http_fail_internal(req, store_errmsg(req->conn));
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, 0);
    store_bind_int(st, 3, now);
    store_bind_int(st, 4, now + days * US_PER_DAY);
    json_t *items = json_array();
    while (store_step(st) == STORE_ROW) json_array_append_new(items, shift_item(st, req));
    store_done(st);
    size_t i;
    json_t *s;
    json_array_foreach(items, i, s) {
        json_t *people = shift_people(req, json_integer_value(json_object_get(s, "id")), true);
        int unconfirmed = 0, declined = 0;
        size_t k;
        json_t *p;
        json_array_foreach(people, k, p) {
            const char *state = json_string_value(json_object_get(p, "state"));
            const char *c = json_string_value(json_object_get(p, "confirmation"));
            if (!strcmp(state, "assigned") && !strcmp(c, "pending")) unconfirmed++;
        }
        declined = (int)store_query_int(req->conn, 0, "SELECT COUNT(*) FROM shift_assignments WHERE community_id = $1 "
                                        "AND shift_id = $2 AND confirmation = 'declined'", "ii",
                                            req->actor.community_id,
                                        json_integer_value(json_object_get(s, "id")));
        json_object_set_new(s, "unconfirmed", json_integer(unconfirmed));
        json_object_set_new(s, "declined", json_integer(declined));
        json_object_set_new(s, "people", people);
    }
    return http_reply(req, 200, json_pack("{s:o}", "items", items));
}

const char *shifts_take_for_task(http_req *req, int64_t shift_id, int64_t vid, bool *failed)
{
    shift_row s;
    *failed = false;
    int f = shift_load(req, shift_id, &s);
    if (f <= 0) return *failed = f < 0, "swap.err.shift";
    if (s.starts_at <= clock_now_us()) return "shift.err.started";
    const char *cur = assignment_state(req, shift_id, vid);
    if (cur && !strcmp(cur, "assigned")) return "shift.err.already";
    const char *why = shift_refusal(req, vid, &s);
    if (why) return why;
    int got = place_take(req, shift_id);
    if (got < 0 || (got && assignment_put(req, shift_id, vid, "assigned", "self") < 0)) return *failed = true, "";
    return got ? NULL : "shift.err.full";
}

/* ---------------------------------------------------------------- leaving */

int shifts_release_volunteer(http_req *req, int64_t vid)
{
    store_stmt *st = store_prepare(req->conn, "SELECT a.shift_id, a.state FROM shift_assignments a JOIN shifts s "
                                              "ON s.id = a.shift_id WHERE a.community_id = $1 AND a.volunteer_id = $2 "
                                              "AND a.state <> 'given_back' AND s.starts_at > $3 ORDER BY a.shift_id");
    if (!st) return -1;
    store_bind_int(st, 1, req->actor.community_id);
    store_bind_int(st, 2, vid);
    store_bind_int(st, 3, clock_now_us());
    int64_t ids[512];
    bool assigned[512];
    int n = 0;
    while (n < 512 && store_step(st) == STORE_ROW) {
        ids[n] = store_col_int(st, 0);
        assigned[n++] = !strcmp(store_col_text(st, 1), "assigned");
    }
    store_done(st);
    for (int i = 0; i < n; i++) {
        shift_row s;
        if (shift_load(req, ids[i], &s) <= 0) return -1;
        if (assigned[i] ? place_release(req, &s, vid, "pending") < 0
                        : store_run(req->conn, NULL, "UPDATE shift_assignments SET state = 'given_back' WHERE "
                                    "community_id = $1 AND shift_id = $2 AND volunteer_id = $3", "iii",
                                    req->actor.community_id, s.id, vid) != STORE_DONE)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- settings */

static int settings_get(http_req *req)
{
    return http_reply(req, 200, json_pack("{s:{s:I}}", "settings", "signup_days_ahead", (json_int_t)signup_days(req)));
}

/* PUT /volunteer-settings {signup_days_ahead: 1..30} */
static int settings_put(http_req *req)
{
    int64_t days;
    bool has;
    if (!http_body_int_opt(req, "signup_days_ahead", 1, 30, &days, &has)) return -1;
    if (!has) return http_fail_field(req, "signup_days_ahead", "err.required");
    if (store_run(req->conn, NULL, "INSERT INTO volunteer_settings (community_id, signup_days_ahead, updated_at) "
                  "VALUES ($1, $2, $3) ON CONFLICT (community_id) DO UPDATE SET signup_days_ahead = $2, updated_at = "
                      "$3",
                  "iii", req->actor.community_id, days, clock_now_us()) != STORE_DONE)
        return http_fail_internal(req, "settings");
    http_audit_target(req, "community", req->actor.community_id, json_pack("{s:[s]}", "fields", "signup_days_ahead"));
    return settings_get(req);
}

#define SHIFT_READERS (VOL_LEADERS | ROLE_VOLUNTEER)

const http_route shift_routes[] = {
    {"GET", "/api/v1/posts", NULL, posts_list, SHIFT_READERS, ROUTE_EXPORTABLE, 0, NULL},
    {"POST", "/api/v1/posts", NULL, post_create, VOL_STAFF, ROUTE_WRITE, 2048, "post.create"},
    {"GET", "/api/v1/posts/{id}", NULL, post_get, SHIFT_READERS, 0, 0, NULL},
    {"GET", "/api/v1/posts/{id}/code", NULL, post_code, VOL_STAFF, 0, 0, NULL},
    {"GET", "/api/v1/posts/{id}/sheet", NULL, post_sheet, VOL_STAFF, 0, 0, NULL},
    {"POST", "/api/v1/posts/{id}/shifts", NULL, shifts_create, VOL_STAFF, ROUTE_WRITE, 4096, "shift.create"},
    {"GET", "/api/v1/shifts", NULL, shifts_list, SHIFT_READERS, ROUTE_EXPORTABLE, 0, NULL},
    {"GET", "/api/v1/shifts/at-risk", NULL, shifts_at_risk, VOL_LEADERS, 0, 0, NULL},
    {"GET", "/api/v1/shifts/{id}", NULL, shift_get, SHIFT_READERS, 0, 0, NULL},
    {"POST", "/api/v1/shifts/{id}/signup", NULL, shift_signup, ROLE_VOLUNTEER, ROUTE_WRITE, 256, "shift.signup"},
    {"DELETE", "/api/v1/shifts/{id}/signup", NULL, shift_giveback, ROLE_VOLUNTEER, ROUTE_WRITE, 0, "shift.give_back"},
    {"POST", "/api/v1/shifts/{id}/confirm", NULL, shift_confirm, ROLE_VOLUNTEER, ROUTE_WRITE, 256, "shift.confirm"},
    {"POST", "/api/v1/shifts/{id}/assign", NULL, shift_assign, VOL_LEADERS, ROUTE_WRITE, 256, "shift.assign"},
    {"POST", "/api/v1/shifts/{id}/check", NULL, shift_check, VOL_LEADERS, ROUTE_WRITE, 512, "shift.check"},
    {"POST", "/api/v1/checkin", NULL, checkin_scan, ROLE_VOLUNTEER, ROUTE_WRITE, 512, "shift.scan"},
    {"GET", "/api/v1/my/shifts", NULL, my_shifts, SHIFT_READERS, 0, 0, NULL},
    {"GET", "/api/v1/volunteer-settings", NULL, settings_get, SHIFT_READERS, 0, 0, NULL},
    {"PUT", "/api/v1/volunteer-settings", NULL, settings_put, VOL_STAFF, ROUTE_WRITE, 512, "volunteer.settings"},
    {0},
};

const i18n_entry shift_messages[] = {
    {"shift.list.posts", "岗位", "Posts"},
    {"shift.list.shifts", "班次", "Shifts"},
    {"shift.col.kind", "类型", "Kind"},
    {"shift.col.place", "位置", "Place"},
    {"shift.col.on_duty", "在岗人数", "On duty"},
    {"shift.col.post", "岗位", "Post"},
    {"shift.col.start", "开始", "Starts"},
    {"shift.col.end", "结束", "Ends"},
    {"shift.col.need", "需要人数", "Needed"},
    {"shift.col.taken", "已报名", "Signed up"},
    {"shift.col.waitlist", "候补", "Waitlist"},
    {"shift.col.qualification", "资质要求", "Qualification"},
    {"shift.sheet.how", "志愿者到岗、离岗时用手机扫此码签到、签退",
        "Volunteers scan this code with their phone when they start and end a shift"},
    {"shift.err.post_kind", "岗位类型只能是 gate、sorting、sampling、patrol 或 other",
     "Post kind must be gate, sorting, sampling, patrol or other"},
    {"shift.err.time", "时间应为 08:00 这样的格式（start 和 end）", "Times are like 08:00 (start and end)"},
    {"shift.err.times", "请给出 1–6 个班次时间", "Give 1 to 6 shift times"},
    {"shift.err.range", "结束日期不能早于开始日期", "The last day cannot be before the first"},
    {"shift.err.too_many_days", "一次最多排 62 天", "At most 62 days at once"},
    {"shift.err.not_serving", "您的志愿者身份尚未通过审核或已暂停", "Your volunteer sign-up is not approved yet, or paused"},
    {"shift.err.started", "该班次已经开始或结束", "This shift has already started or ended"},
    {"shift.err.window", "该班次还未开放报名（只能报名近几天的班次）",
        "This shift is not open for sign-up yet (only the next few days are)"},
    {"shift.err.already", "您已报名该班次", "You are already on this shift"},
    {"shift.err.overlap", "与您已报名的另一个班次时间重叠", "It overlaps another shift you are on"},
    {"shift.err.qualification", "该班次需要相应资质（如防护服培训），您还没有或已过期",
     "This shift needs a qualification (such as protective-suit training) that you do not hold or that has expired"},
    {"shift.err.answer", "请回答 yes 或 no", "Answer yes or no"},
    {"shift.err.code", "这不是本社区的岗位码", "This is not a post code of this community"},
    {"shift.err.no_shift_now", "您现在在这个岗位没有班次", "You have no shift at this post now"},
    {"shift.err.action", "操作只能是 in、out 或 no_show", "Action must be in, out or no_show"},
    {"shift.err.not_on_shift", "该志愿者不在这个班次上", "This volunteer is not on this shift"},
    {"shift.err.not_started", "班次开始后才能标记缺勤", "A no-show can be marked only after the start"},
    {"shift.err.check_state", "签到状态不符（已签到才能签退）", "Not in that state (check out needs a check-in first)"},
    {"shift.err.team", "该班次只限某个志愿队的队员", "This shift is for the members of a team"},
    {"shift.err.team_unknown", "本社区没有这个志愿队", "No such team in this community"},
    {"shift.err.at", "时间应为 UTC（如 2026-12-04T08:00:00Z），不晚于现在，不早于班次开始前一小时",
     "Time must be UTC (like 2026-12-04T08:00:00Z), not in the future, and at most an hour before the start"},
    {"shift.err.full", "该班次人数已满", "This shift is full"},
    {"shift.err.volunteer_not_serving", "该志愿者尚未通过审核或已暂停", "This volunteer is not approved yet, or paused"},
    {"shift.ok.assigned_by_leader", "已安排上岗", "Put on the shift"},
    {"shift.ok.assigned", "报名成功", "You are on this shift"},
    {"shift.ok.waitlist", "该班次已满，您已进入候补名单", "This shift is full; you are on its waitlist"},
    {"shift.ok.given_back", "已退出该班次", "You have given this shift back"},
    {"shift.ok.given_back_filled", "已退出该班次，候补志愿者已补上", "You have given this shift back; the waitlist filled it"},
    {"shift.ok.confirmed", "已确认到岗", "Confirmed"},
    {"shift.ok.declined", "已告知无法到岗，名额已释放", "Declined; the place is free for others"},
    {"shift.ok.checked_in", "签到成功", "Checked in"},
    {"shift.ok.checked_out", "签退成功，服务时长已记入", "Checked out; your hours are credited"},
    {"shift.ok.no_show", "已标记缺勤", "Marked as no-show"},
    {0, 0, 0},
};
